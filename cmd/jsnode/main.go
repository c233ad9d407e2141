// Command jsnode is a NATS server. It takes nats-server's flags and
// config-file syntax for the features it has, wires real TCP, time and
// files into the node, and shuts down gracefully on SIGINT or SIGTERM
// (SIGUSR1 reopens the log file, SIGUSR2 enters lame-duck mode and SIGHUP
// reloads the configuration, as with nats-server; `jsnode --signal
// <command>[=<pid>]` sends them).
package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"jsnode/node/conf"
	"jsnode/node/config"
	"jsnode/node/server"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	cl, err := parseFlags(args, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "jsnode:", err)
		return 1
	}
	if cl.showHelp {
		fmt.Fprint(stdout, usage)
		return 0
	}
	if cl.showVersion {
		// The banner says the same in two lines (node/server Start).
		fmt.Fprintf(stdout, "jsnode: v%s (nats-server %s protocol)\n", server.Version, server.ServerVersion)
		return 0
	}
	if cl.testConfig && cl.configFile == "" {
		fmt.Fprintln(stderr, "jsnode: must specify [-c, --config] option to check configuration file syntax")
		return 1
	}
	if cl.signal != "" {
		if err := processSignal(cl.signal); err != nil {
			fmt.Fprintln(stderr, "jsnode:", err)
			return 1
		}
		return 0
	}
	opts, proc, err := buildOptions(cl)
	if err != nil {
		fmt.Fprintln(stderr, "jsnode:", err)
		return 1
	}
	if cl.testConfig {
		fmt.Fprintf(stderr, "jsnode: configuration file %s is valid\n", cl.configFile)
		return 0
	}
	logtime := cl.logtime
	if proc.LogtimeSet && !cl.set["logtime"] {
		logtime = proc.Logtime
	}
	log, err := newLogger(stderr, logSettings{
		logtime: logtime, debug: opts.Debug, trace: opts.Trace, utc: proc.LogtimeUTC,
		file: proc.LogFile, sizeLimit: proc.LogSizeLimit, maxNum: proc.LogMaxNum,
	})
	if err != nil {
		fmt.Fprintln(stderr, "jsnode: log file:", err)
		return 1
	}
	defer log.Close()
	return serve(opts, proc, &reloader{cl: cl, proc: *proc, log: log})
}

// buildOptions reads the config file, if any, then lets the command line
// override it, as nats-server does.
func buildOptions(cl *cmdline) (*server.Options, *config.Process, error) {
	opts := &server.Options{}
	proc := &config.Process{}
	if cl.configFile != "" {
		copts := conf.Options{Source: conf.SourceFunc(os.ReadFile), Env: os.LookupEnv}
		if err := config.Load(cl.configFile, copts, opts, proc); err != nil {
			return nil, nil, err
		}
	}
	applyCmdline(cl, opts, proc)
	applyClusterFlags(cl, &opts.Cluster)
	opts.SetDefaults()
	if opts.Cluster.Port != 0 {
		opts.Cluster.LocalIPs = localIPs(opts.Host)
	}
	if err := opts.Auth.Validate(); err != nil {
		return nil, nil, err
	}
	if cl.configFile != "" {
		opts.ConfigDigest = configDigest(cl.configFile)
	}
	return opts, proc, nil
}

func applyCmdline(cl *cmdline, o *server.Options, p *config.Process) {
	set := cl.set
	if set["host"] {
		o.Host = cl.host
	}
	if set["port"] {
		o.Port = cl.port
	}
	if set["server_name"] {
		o.ServerName = cl.serverName
	}
	if set["client_advertise"] {
		o.ClientAdvertise = cl.clientAdvertise
	}
	if set["user"] {
		o.Auth.Username = cl.user
	}
	if set["pass"] {
		o.Auth.Password = cl.pass
	}
	if set["token"] {
		o.Auth.Token = cl.token
	}
	if set["debug"] {
		o.Debug = cl.debug
	}
	if set["trace"] {
		o.Trace = cl.trace
	}
	if set["log"] {
		p.LogFile = cl.logFile
	}
	if set["log_size_limit"] {
		p.LogSizeLimit = cl.logSizeLimit
	}
	if set["pid"] {
		p.PidFile = cl.pidFile
	}
	if set["http_port"] {
		o.HTTPPort = cl.httpPort
	}
	if set["jetstream"] {
		o.JetStream.Enabled = cl.jetstream
	}
	if set["store_dir"] {
		o.JetStream.StoreDir = cl.storeDir
	}
	if set["logtime_utc"] {
		p.LogtimeUTC = cl.logtimeUTC
	}
	if set["max_traced_msg_len"] {
		o.MaxTracedMsgLen = cl.maxTracedMsgLen
	}
	if set["profile"] {
		p.ProfPort = cl.profPort
	}
}

// serve runs the node until a signal stops it; r reloads the
// configuration on SIGHUP.
func serve(opts *server.Options, proc *config.Process, r *reloader) int {
	log := r.log
	if proc.PidFile != "" {
		if err := writePidFile(proc.PidFile); err != nil {
			log.Errorf("writing pid file: %v", err)
			return 1
		}
	}
	defer func() {
		if p := r.pidFile(); p != "" {
			os.Remove(p)
		}
	}()
	if proc.ProfPort != 0 {
		prof, err := startProfiler(opts.Host, proc.ProfPort, proc.ProfBlockRate, log)
		if err != nil {
			log.Fatalf("%v", err)
			return 1
		}
		defer prof.Close()
	}
	// Trap signals before the node says it is ready: a SIGUSR1 from
	// logrotate in between would otherwise kill the process.
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGHUP)
	n, err := startNodeReloadable(opts, log, r.request)
	if err != nil {
		log.Errorf("%v", err)
		return 1
	}
	r.setNode(n)
	done := make(chan struct{})
	go func() {
		n.Wait()
		close(done)
	}()
	for {
		select {
		case <-done:
			return 0
		case sig := <-sigs:
			switch sig {
			case syscall.SIGUSR1:
				log.Reopen()
			case syscall.SIGUSR2:
				n.LameDuck() // the server logs "Entering lame duck mode"
			case syscall.SIGHUP:
				log.Noticef("Trapped %q signal", sig)
				r.reload()
			default:
				log.Noticef("Trapped %q signal", sig)
				n.Shutdown()
				return 0
			}
		}
	}
}

// writePidFile writes this process's pid to path.
func writePidFile(path string) error {
	return os.WriteFile(path, []byte(strconv.Itoa(os.Getpid())), 0o644)
}
