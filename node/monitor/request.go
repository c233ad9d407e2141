package monitor

import (
	"encoding/json"
	"strings"
)

// EventFilterOptions pick the servers that answer a $SYS.REQ.SERVER.PING
// request. The keys sit at the top level of the request body, next to
// the endpoint's own options. A server that does not match stays silent.
type EventFilterOptions struct {
	Name    string `json:"server_name,omitempty"`
	Cluster string `json:"cluster,omitempty"`
	Host    string `json:"host,omitempty"`
	// ExactMatch compares Name, Cluster and Host whole; otherwise each
	// only has to be contained in the server's value.
	ExactMatch bool `json:"exact_match,omitempty"`
	// Tags must all be among the server's tags (compared lower-case).
	Tags []string `json:"tags,omitempty"`
	// Domain is the JetStream domain, compared whole.
	Domain string `json:"domain,omitempty"`
}

// Matches reports whether a server with these properties should answer.
// Empty filter fields match anything.
func (f *EventFilterOptions) Matches(name, cluster, host string, tags []string, domain string) bool {
	if f == nil {
		return true
	}
	same := strings.Contains
	if f.ExactMatch {
		same = func(have, want string) bool { return have == want }
	}
	if (f.Name != "" && !same(name, f.Name)) || (f.Host != "" && !same(host, f.Host)) ||
		(f.Cluster != "" && !same(cluster, f.Cluster)) {
		return false
	}
	for _, t := range f.Tags {
		if !hasTag(tags, t) {
			return false
		}
	}
	return f.Domain == "" || f.Domain == domain
}

// hasTag reports whether tags holds t, ignoring case and surrounding
// spaces as nats-server's tag lists do.
func hasTag(tags []string, t string) bool {
	t = strings.ToLower(strings.TrimSpace(t))
	for _, have := range tags {
		if strings.ToLower(have) == t {
			return true
		}
	}
	return false
}

// ParseRequest reads the JSON body of a $SYS.REQ Z request into the
// endpoint's options (T, e.g. ConnzOptions) and the filter. An empty body
// is the default options and a filter that matches every server. A body
// that is not valid JSON is an error, answered with code 400 and its text
// (see BadRequest).
func ParseRequest[T any](body []byte) (*T, *EventFilterOptions, error) {
	opts, filter := new(T), &EventFilterOptions{}
	if len(body) == 0 {
		return opts, filter, nil
	}
	if err := json.Unmarshal(body, opts); err != nil {
		return nil, nil, err
	}
	if err := json.Unmarshal(body, filter); err != nil {
		return nil, nil, err
	}
	return opts, filter, nil
}

// Status codes of ServerAPIResponse errors.
const (
	CodeBadRequest    = 400
	CodeInternalError = 500
)

// BadRequest is the envelope answering a request whose body did not
// parse.
func BadRequest(server *ServerInfo, err error) *ServerAPIResponse {
	return &ServerAPIResponse{Server: server, Error: &APIError{Code: CodeBadRequest, Description: err.Error()}}
}

// Failed is the envelope answering a request the handler failed. As with
// nats-server, it carries "data": null next to the error (a body that
// did not parse has no data key at all).
func Failed(server *ServerInfo, err error) *ServerAPIResponse {
	return &ServerAPIResponse{Server: server, Data: RawJSON("null"),
		Error: &APIError{Code: CodeInternalError, Description: err.Error()}}
}

// Answer is the envelope carrying an endpoint's document.
func Answer(server *ServerInfo, data any) *ServerAPIResponse {
	return &ServerAPIResponse{Server: server, Data: data}
}
