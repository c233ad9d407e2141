package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"jsnode/node/redact"
)

// cmdline holds what the command line asked for. Settings given on the
// command line override the config file, as with nats-server.
type cmdline struct {
	configFile      string
	host            string
	port            int
	serverName      string
	clientAdvertise string
	user, pass      string
	token           string
	pidFile         string
	logFile         string
	logSizeLimit    int64
	logtime         bool
	logtimeUTC      bool
	maxTracedMsgLen int
	profPort        int
	debug, trace    bool
	traceVerbose    bool
	debugTrace      bool
	showVersion     bool
	showHelp        bool
	testConfig      bool

	// Cluster flags (--cluster is parsed into clusterListen).
	cluster          string
	clusterListen    clusterListen
	clusterName      string
	routes           string
	clusterAdvertise string
	noAdvertise      bool
	connectRetries   int

	// httpPort is -m/--http_port: the monitoring port (-1: random).
	httpPort int

	// jetstream is -js/--jetstream; storeDir is -sd/--store_dir.
	jetstream bool
	storeDir  string

	// signal is -sl/--signal: a command for a running jsnode (signal.go).
	signal string

	// set records which settings were given explicitly, by canonical name.
	set map[string]bool
}

// unsupportedFlags are nats-server v2.15 flags (its main.go usage and
// ConfigureOptions) of features jsnode does not have yet; using one is an
// error that names it rather than a silent no-op or an unknown flag.
var unsupportedFlags = map[string]bool{
	"ms": true, "https_port": true, // HTTPS monitoring
	"tls": true, "tlscert": true, "tlskey": true, "tlsverify": true, "tlscacert": true, "help_tls": true,
	"s": true, "syslog": true, "r": true, "remote_syslog": true, // syslog
	"ports_file_dir": true,
}

// canonical maps every alias to the setting's canonical name.
var canonical = map[string]string{
	"a": "host", "addr": "host", "net": "host",
	"p": "port", "port": "port",
	"n": "server_name", "name": "server_name", "server_name": "server_name",
	"client_advertise": "client_advertise",
	"user":             "user", "pass": "pass", "auth": "token",
	"P": "pid", "pid": "pid",
	"l": "log", "log": "log", "log_size_limit": "log_size_limit",
	"T": "logtime", "logtime": "logtime", "logtime_utc": "logtime_utc",
	"max_traced_msg_len": "max_traced_msg_len", "profile": "profile",
	"D": "debug", "debug": "debug",
	"V": "trace", "trace": "trace", "VV": "trace_verbose",
	"DV": "debug_trace", "DVV": "debug_trace",
	"c": "config", "config": "config",
	"cluster": "cluster", "cluster_listen": "cluster", "cluster_name": "cluster_name",
	"routes": "routes", "cluster_advertise": "cluster_advertise", "no_advertise": "no_advertise",
	"connect_retries": "connect_retries",
	"m":               "http_port", "http_port": "http_port",
	"js": "jetstream", "jetstream": "jetstream", "sd": "store_dir", "store_dir": "store_dir",
	"sl": "signal", "signal": "signal",
}

func parseFlags(args []string, stderr io.Writer) (*cmdline, error) {
	c := &cmdline{set: map[string]bool{}}
	fs := newFlagSet(c)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			c.showHelp = true
			return c, nil
		}
		return nil, fmt.Errorf("%v (see jsnode -h)", strings.TrimSpace(err.Error()))
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (see jsnode -h)", fs.Arg(0))
	}
	var unsupported error
	fs.Visit(func(f *flag.Flag) {
		if unsupportedFlags[f.Name] && unsupported == nil {
			unsupported = fmt.Errorf("%q is not supported by jsnode yet", "-"+f.Name)
			return
		}
		c.set[canonical[f.Name]] = true
	})
	if unsupported != nil {
		return nil, unsupported
	}
	if c.debugTrace {
		c.debug, c.trace = true, true
		c.set["debug"], c.set["trace"] = true, true
	}
	if c.traceVerbose {
		c.trace = true
		c.set["trace"] = true
	}
	if c.set["cluster"] {
		cl, err := parseClusterListen(c.cluster)
		if err != nil {
			return nil, fmt.Errorf("--cluster %q: %v", redact.URL(c.cluster), err)
		}
		c.clusterListen = cl
	}
	return c, nil
}

// newFlagSet declares every flag, with nats-server's names and aliases,
// writing into c.
func newFlagSet(c *cmdline) *flag.FlagSet {
	fs := flag.NewFlagSet("jsnode", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	str := func(p *string, names ...string) {
		for _, n := range names {
			fs.StringVar(p, n, "", "")
		}
	}
	boolean := func(p *bool, def bool, names ...string) {
		for _, n := range names {
			fs.BoolVar(p, n, def, "")
		}
	}
	str(&c.host, "a", "addr", "net")
	for _, n := range []string{"p", "port"} {
		fs.IntVar(&c.port, n, 0, "")
	}
	str(&c.serverName, "n", "name", "server_name")
	str(&c.clientAdvertise, "client_advertise")
	str(&c.user, "user")
	str(&c.pass, "pass")
	str(&c.token, "auth")
	str(&c.pidFile, "P", "pid")
	str(&c.logFile, "l", "log")
	fs.Int64Var(&c.logSizeLimit, "log_size_limit", 0, "")
	str(&c.configFile, "c", "config")
	str(&c.signal, "sl", "signal")
	boolean(&c.logtime, true, "T", "logtime")
	boolean(&c.logtimeUTC, false, "logtime_utc")
	fs.IntVar(&c.maxTracedMsgLen, "max_traced_msg_len", 0, "")
	fs.IntVar(&c.profPort, "profile", 0, "")
	boolean(&c.debug, false, "D", "debug")
	boolean(&c.trace, false, "V", "trace")
	boolean(&c.traceVerbose, false, "VV")
	boolean(&c.debugTrace, false, "DV", "DVV")
	boolean(&c.showVersion, false, "v", "version")
	boolean(&c.showHelp, false, "h", "help")
	boolean(&c.testConfig, false, "t")
	str(&c.cluster, "cluster", "cluster_listen")
	str(&c.clusterName, "cluster_name")
	str(&c.routes, "routes")
	str(&c.clusterAdvertise, "cluster_advertise")
	boolean(&c.noAdvertise, false, "no_advertise")
	fs.IntVar(&c.connectRetries, "connect_retries", 0, "")
	for _, n := range []string{"m", "http_port"} {
		fs.IntVar(&c.httpPort, n, 0, "")
	}
	boolean(&c.jetstream, false, "js", "jetstream")
	str(&c.storeDir, "sd", "store_dir")
	defineUnsupported(fs)
	return fs
}

// defineUnsupported declares the flags of features not built yet, so that
// using one is reported by name (see unsupportedFlags) rather than as an
// unknown flag.
func defineUnsupported(fs *flag.FlagSet) {
	var ignored string
	var ignoredBool bool
	for name := range unsupportedFlags {
		if unsupportedBoolFlags[name] {
			fs.BoolVar(&ignoredBool, name, false, "")
			continue
		}
		fs.StringVar(&ignored, name, "", "")
	}
}

// unsupportedBoolFlags are the unsupported flags that take no value.
var unsupportedBoolFlags = map[string]bool{
	"tls": true, "tlsverify": true, "s": true, "syslog": true,
	"help_tls": true,
}

const usage = `Usage: jsnode [options]

Server options:
    -a, --addr, --net <host>         Bind to host address (default: 0.0.0.0)
    -p, --port <port>                Use port for clients (default: 4222)
    -n, --name, --server_name <name> Server name (default: server id)
    -P, --pid <file>                 File to store the process id
    -c, --config <file>              Configuration file
    -t                               Test the configuration and exit
    -sl,--signal <signal>[=<pid>]    Send signal to jsnode process (ldm, stop, quit, term, reopen, reload)
                                     <pid> can be either a PID (e.g. 1) or the path to a PID file (e.g. /var/run/jsnode.pid)
        --client_advertise <string>  Client URL to advertise to other servers

Logging options:
    -l, --log <file>                 File to redirect log output
        --log_size_limit <bytes>     Rotate the log file past this size
    -T, --logtime                    Timestamp log entries (default: true)
        --logtime_utc                Timestamps in UTC instead of local timezone (default: false)
    -D, --debug                      Enable debugging output
    -V, --trace                      Trace the raw protocol
    -VV                              Verbose trace
    -DV                              Debug and trace
    -DVV                             Debug and verbose trace
        --max_traced_msg_len <len>   Maximum printable length for traced messages (default: unlimited)

Authorization options:
        --user <user>                User required for connections
        --pass <password>            Password required for connections
        --auth <token>               Authorization token required for connections

Cluster options:
        --routes <rurl-1, rurl-2>    Routes to solicit and connect
        --cluster <cluster-url>      Cluster URL for solicited routes
        --cluster_name <string>      Cluster Name, if not set one will be dynamically generated
        --no_advertise <bool>        Do not advertise known cluster information to clients
        --cluster_advertise <string> Cluster URL to advertise to other servers
        --connect_retries <number>   For implicit routes, number of connect retries

JetStream options:
    -js, --jetstream                 Enable JetStream functionality
    -sd, --store_dir <dir>           Set the storage directory

Monitoring options:
    -m, --http_port <port>           Use port for http monitoring (-1: random)

Profiling options:
        --profile <port>             Profiling HTTP port (net/http/pprof)

Common options:
    -h, --help                       Show this message
    -v, --version                    Show version

Not available yet (rejected with an error naming the flag): HTTPS
monitoring (-ms), TLS (--tls*, --help_tls), syslog
(-s, -r), --ports_file_dir.
`
