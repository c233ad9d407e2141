package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
)

// `jsnode --signal <command>[=<pid>]` sends a command to a running jsnode
// as a Unix signal, with nats-server's commands, pid forms and errors:
// <pid> is a pid, a pid prefix ending in '*' (every matching jsnode), or
// the path of a pid file; without it the one running jsnode process
// (found with pgrep) is signalled.

// processName is what pgrep looks for.
const processName = "jsnode"

// signalCommands map the commands to signals, as nats-server's.
var signalCommands = map[string]syscall.Signal{
	"stop":   syscall.SIGKILL,
	"quit":   syscall.SIGINT,
	"reopen": syscall.SIGUSR1,
	"reload": syscall.SIGHUP,
	"ldm":    syscall.SIGUSR2,
	"term":   syscall.SIGTERM,
}

// processSignal handles the --signal argument.
func processSignal(arg string) error {
	command, pid, err := splitSignalArg(arg)
	if err != nil {
		return err
	}
	return sendSignal(command, pid, findProcesses)
}

// splitSignalArg splits "command[=pid]", reading a pid file if the pid
// part names a readable file.
func splitSignalArg(arg string) (command, pid string, err error) {
	parts := strings.Split(arg, "=")
	switch {
	case len(parts) > 2:
		return "", "", fmt.Errorf("invalid signal parameters: %v", parts[2:])
	case len(parts) == 2:
		pid = parts[1]
		if b, err := os.ReadFile(pid); err == nil {
			pid = strings.TrimSpace(string(b))
		}
	}
	return parts[0], pid, nil
}

// sendSignal sends command's signal to the processes pidExpr selects;
// find lists the running jsnode processes.
func sendSignal(command, pidExpr string, find func() ([]int, error)) error {
	pidStr := strings.TrimSuffix(pidExpr, "*")
	glob := strings.HasSuffix(pidExpr, "*")
	pids := make([]int, 1)
	var err error
	if pidStr != "" {
		if pids[0], err = strconv.Atoi(pidStr); err != nil {
			return fmt.Errorf("invalid pid: %s", pidStr)
		}
	}
	if pidStr == "" || glob {
		if pids, err = find(); err != nil {
			return err
		}
	}
	if len(pids) > 1 && !glob {
		msg := fmt.Sprintf("multiple %s processes running:", processName)
		for _, p := range pids {
			msg += fmt.Sprintf("\n%d", p)
		}
		return errors.New(msg)
	}
	if len(pids) == 0 {
		return fmt.Errorf("no %s processes running", processName)
	}
	sig, ok := signalCommands[command]
	if !ok {
		return fmt.Errorf("unknown signal %q", command)
	}
	var failed string
	for _, pid := range pids {
		if s := strconv.Itoa(pid); pidStr != "" && s != pidStr && (!glob || !strings.HasPrefix(s, pidStr)) {
			continue
		}
		if err := syscall.Kill(pid, sig); err != nil {
			failed += fmt.Sprintf("\nsignal %q %d: %s", command, pid, err)
		}
	}
	if failed != "" {
		return errors.New(failed)
	}
	return nil
}

// findProcesses lists the running jsnode processes but this one, with
// pgrep; pgrep finding none is not an error. The name must match exactly
// (nats-server's pgrep would also match, say, a jsnode.test binary).
func findProcesses() ([]int, error) {
	out, err := exec.Command("pgrep", "-x", processName).Output()
	if err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			return nil, errors.New("unable to resolve pid, try providing one")
		}
	}
	self := os.Getpid()
	var pids []int
	for _, line := range strings.Split(string(out), "\n") {
		if line == "" {
			continue
		}
		pid, err := strconv.Atoi(line)
		if err != nil {
			return nil, errors.New("unable to resolve pid, try providing one")
		}
		if pid != self {
			pids = append(pids, pid)
		}
	}
	return pids, nil
}
