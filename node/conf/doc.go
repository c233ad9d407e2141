// Package conf parses the nats-server configuration-file syntax into a
// generic tree of values with source positions. It is used by cmd/jsnode
// for server configs and by the simulator for scenario files; turning the
// tree into options is the caller's job.
//
// The syntax, in brief:
//
//	# comments start with '#' or '//' and run to the end of the line
//	port: 4222                 # separators: ':', '=' or just whitespace
//	host = localhost           # unquoted strings end at whitespace , ; ] }
//	listen 127.0.0.1:4222
//	max_payload: 1MB           # sizes: k=1000, kb/ki/kib=1024, m, mb, g, gb, t, tb, p, pb, e, eb
//	ping_interval: "2m"        # durations are strings (see AsDuration)
//	debug: true                # also yes/no/on/off, any case
//	"quoted key": 'raw string' # double quotes take \t \n \r \" \\ \xXX \uXXXX
//	cluster {                  # maps; the top level is an implicit map
//	  name: c1, listen: 0.0.0.0:6222
//	  routes = [               # arrays: commas and/or newlines, trailing comma ok
//	    nats-route://h1:6222
//	    nats-route://h2:6222,
//	  ]
//	}
//	store = $STORE_DIR         # variable: an earlier key in this or an enclosing
//	                           # map, else the caller's environment lookup
//	include ./accounts.conf    # merges that file's keys here (path relative
//	                           # to the including file)
//
// Values follow nats-server's lexer: an unquoted value ends at whitespace
// (so `a: hello world` is an error, as is `[a b]`), a token starting with
// a digit is a number only if it is all number ("10s" and
// "127.0.0.1:4222" are strings, "2m" is 2000000), and an included file is
// parsed on its own, seeing the environment but not the includer's keys.
// Deliberate differences: \uXXXX escapes are accepted; an absolute include
// path is used as is (nats-server joins it onto the includer's directory);
// an empty environment variable is the empty string; a newline may follow
// a separator at the top level as it may inside maps; bare keys also end
// at { [ } ] , and ;; AsDuration reads an unquoted `2m` as two minutes.
// Not supported: ISO 8601 datetimes (read as strings) and include digests.
//
// Parsing is pure and deterministic: files are read only through a Source,
// the environment only through Options.Env, and every loop and recursion is
// bounded by the limits in limits.go. Bad input yields an *Error whose text
// starts with "file:line:col:". A typical caller:
//
//	m, err := conf.ParseFile("server.conf", conf.Options{
//		Source: conf.SourceFunc(os.ReadFile),
//		Env:    os.LookupEnv,
//	})
//	if err != nil { return err }
//	if err := m.Unknown("port", "host", "cluster"); err != nil { return err }
//	if v, ok := m.Get("port"); ok {
//		port, err := v.AsInt()
//		...
//	}
package conf
