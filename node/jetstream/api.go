package jetstream

import (
	"bytes"
	"encoding/json"
	"strings"

	"jsnode/node/server"
)

// Response types of the API.
const (
	typeSystem       = "io.nats.jetstream.api.v1.system_response"
	typeAccountInfo  = "io.nats.jetstream.api.v1.account_info_response"
	typeStreamCreate = "io.nats.jetstream.api.v1.stream_create_response"
	typeStreamUpdate = "io.nats.jetstream.api.v1.stream_update_response"
	typeStreamInfo   = "io.nats.jetstream.api.v1.stream_info_response"
	typeStreamDelete = "io.nats.jetstream.api.v1.stream_delete_response"
	typeStreamNames  = "io.nats.jetstream.api.v1.stream_names_response"
	typeStreamList   = "io.nats.jetstream.api.v1.stream_list_response"
	typeStreamPurge  = "io.nats.jetstream.api.v1.stream_purge_response"
	typeMsgGet       = "io.nats.jetstream.api.v1.stream_msg_get_response"
	typeMsgDelete    = "io.nats.jetstream.api.v1.stream_msg_delete_response"
)

// apiRequest is one request: the subject tokens after the API prefix,
// the body and where to answer.
type apiRequest struct {
	jsa   *jsAccount
	op    string // e.g. "STREAM.CREATE"
	name  string // the stream named in the subject, if any
	rest  string // tokens after the name (DIRECT.GET's subject)
	body  []byte
	hdr   []byte
	reply string
}

// apiHandler answers one kind of request.
type apiHandler func(r *apiRequest) any

// apiOps maps an operation (the subject without the stream name) to its
// handler; named says the next token is a stream name.
var apiOps = map[string]struct {
	named   bool
	handler apiHandler
}{
	"INFO":              {false, (*apiRequest).accountInfo},
	"STREAM.CREATE":     {true, (*apiRequest).streamCreate},
	"STREAM.UPDATE":     {true, (*apiRequest).streamUpdate},
	"STREAM.INFO":       {true, (*apiRequest).streamInfo},
	"STREAM.DELETE":     {true, (*apiRequest).streamDelete},
	"STREAM.PURGE":      {true, (*apiRequest).streamPurge},
	"STREAM.NAMES":      {false, (*apiRequest).streamNames},
	"STREAM.LIST":       {false, (*apiRequest).streamList},
	"STREAM.MSG.GET":    {true, (*apiRequest).msgGet},
	"STREAM.MSG.DELETE": {true, (*apiRequest).msgDelete},
}

// handleAPI answers a request on $JS.API.<tail>.
func (jsa *jsAccount) handleAPI(tail string, m *server.Msg) {
	if m.Reply == "" {
		return // nobody to answer
	}
	jsa.api.Total++
	jsa.js.stats.Total++
	r := &apiRequest{jsa: jsa, body: m.Data, hdr: m.Header, reply: m.Reply}
	h, ok := r.parse(tail)
	var resp any
	switch {
	case !ok:
		resp = &apiResponse{Type: typeSystem, Error: errBadRequest.ptr()}
	case len(m.Data) > APIRequestMax:
		resp = &apiResponse{Type: typeSystem, Error: errBadRequest.ptr()}
	default:
		resp = h(r)
	}
	if resp != nil { // nil: the handler answers later (whenDurable)
		jsa.answer(m.Reply, resp)
	}
}

// answer sends an API response, counting it when it is an error.
func (jsa *jsAccount) answer(reply string, resp any) {
	if failed(resp) {
		jsa.api.Errors++
		jsa.js.stats.Errors++
	}
	respond(jsa.acc, reply, resp)
}

// readBody decodes the request body into v; required makes an empty
// body a bad request (a get or delete must say what).
func (r *apiRequest) readBody(v any, required bool) *apiError {
	if required && len(r.body) == 0 {
		return errBadRequest.ptr()
	}
	return r.decode(v)
}

// parse splits tail into the operation and the stream name.
func (r *apiRequest) parse(tail string) (apiHandler, bool) {
	for op := tail; op != ""; {
		if o, ok := apiOps[op]; ok {
			rest := strings.TrimPrefix(tail[len(op):], ".")
			if !o.named {
				return o.handler, rest == ""
			}
			if rest == "" {
				return nil, false
			}
			r.op = op
			r.name, r.rest, _ = strings.Cut(rest, ".")
			return o.handler, r.rest == ""
		}
		i := strings.LastIndexByte(op, '.')
		if i < 0 {
			break
		}
		op = op[:i]
	}
	return nil, false
}

// failed reports whether a response carries an error.
func failed(resp any) bool {
	type errorer interface{ apiErr() *apiError }
	if e, ok := resp.(errorer); ok {
		return e.apiErr() != nil
	}
	return false
}

func (r *apiResponse) apiErr() *apiError { return r.Error }

// respond sends resp as JSON to reply.
func respond(acc account, reply string, resp any) {
	b, err := json.Marshal(resp)
	if err != nil {
		b = []byte(`{"type":"` + typeSystem + `","error":{"code":500,"description":"encoding the response failed"}}`)
	}
	acc.Publish(reply, "", nil, b)
}

// decode reads the request body into v; an empty body leaves v as is.
// A body that is not JSON is nats-server's invalid-JSON error.
func (r *apiRequest) decode(v any) *apiError {
	if len(bytes.TrimSpace(r.body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(r.body, v); err != nil {
		return errInvalidJSON.with("err", err.Error())
	}
	return nil
}

// decodeStrict is decode that refuses unknown fields (pedantic mode).
func (r *apiRequest) decodeStrict(v any) *apiError {
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errInvalidJSON.with("err", err.Error())
	}
	return nil
}

// accountInfo answers INFO.
func (r *apiRequest) accountInfo() any {
	jsa := r.jsa
	return &accountInfoResponse{apiResponse: apiResponse{Type: typeAccountInfo},
		tierUsage: jsa.usage(), Domain: jsa.js.opts.Domain, API: APIStats{Level: APILevel,
			Total: jsa.api.Total, Errors: jsa.api.Errors}}
}
