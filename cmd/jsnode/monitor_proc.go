package main

import (
	"bytes"
	"errors"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"time"
)

// The process statistics /varz reports (resident memory, CPU use, cores,
// GOMAXPROCS, GOMEMLIMIT) are read here, off the loop, and posted onto
// it: the node makes no system calls.

const (
	// procSampleInterval is how often CPU use is measured, as
	// nats-server does.
	procSampleInterval = time.Second
	// clockTicks is the kernel's USER_HZ, the unit of utime and stime in
	// /proc/<pid>/stat; 100 on every Linux nats-server supports (it
	// assumes the same).
	clockTicks = 100
)

// procSample is one reading of the process's counters.
type procSample struct {
	at       time.Time
	cpuTicks int64 // user + system time, in clock ticks
	rss      int64 // bytes
}

// readProcSample reads /proc/self/stat and /proc/self/statm (Linux).
func readProcSample() (procSample, error) {
	smp := procSample{at: time.Now()}
	stat, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return smp, err
	}
	if smp.cpuTicks, err = parseStatTicks(stat); err != nil {
		return smp, err
	}
	statm, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return smp, err
	}
	fields := bytes.Fields(statm)
	if len(fields) < 2 {
		return smp, errors.New("short /proc/self/statm")
	}
	pages, err := strconv.ParseInt(string(fields[1]), 10, 64)
	if err != nil {
		return smp, err
	}
	smp.rss = pages * int64(os.Getpagesize())
	return smp, nil
}

// parseStatTicks returns utime+stime from a /proc/<pid>/stat line. The
// command name (field 2) is in parentheses and may hold spaces, so the
// fields are counted from the last ')': utime and stime are fields 14 and
// 15, the 12th and 13th after it.
func parseStatTicks(stat []byte) (int64, error) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, errors.New("malformed /proc/self/stat")
	}
	fields := bytes.Fields(stat[i+1:])
	if len(fields) < 13 {
		return 0, errors.New("short /proc/self/stat")
	}
	utime, err1 := strconv.ParseInt(string(fields[11]), 10, 64)
	stime, err2 := strconv.ParseInt(string(fields[12]), 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return utime + stime, nil
}

// cpuPercent is the CPU use between two samples, in percent of one core
// (above 100 when several cores are busy), to one decimal.
func cpuPercent(prev, cur procSample) float64 {
	secs := cur.at.Sub(prev.at).Seconds()
	if secs <= 0 {
		return 0
	}
	used := float64(cur.cpuTicks-prev.cpuTicks) / clockTicks
	return math.Round(used/secs*1000) / 10
}

// sampleProcess posts the Go runtime settings once and the process
// statistics every procSampleInterval until the node's loop has stopped.
func sampleProcess(n *runningNode) {
	maxProcs, memLimit := runtime.GOMAXPROCS(0), debug.SetMemoryLimit(-1)
	if memLimit == math.MaxInt64 {
		memLimit = 0 // no limit set
	}
	cores := runtime.NumCPU()
	post := func(rss int64, cpu float64) {
		n.loop.Post(func() {
			if n.srv != nil {
				n.srv.SetGoRuntime(maxProcs, memLimit)
				n.srv.SetProcessStats(rss, cpu, cores)
			}
		})
	}
	prev, err := readProcSample()
	post(prev.rss, 0)
	if err != nil {
		return // not Linux: no process statistics
	}
	t := time.NewTicker(procSampleInterval)
	defer t.Stop()
	for {
		select {
		case <-n.loopDone:
			return
		case <-t.C:
		}
		cur, err := readProcSample()
		if err != nil {
			return
		}
		post(cur.rss, cpuPercent(prev, cur))
		prev = cur
	}
}
