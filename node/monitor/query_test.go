package monitor

import (
	"net/url"
	"testing"
)

// parseAny runs the parser of endpoint on a raw query string.
func parseAny(t *testing.T, endpoint, raw string) (any, error) {
	t.Helper()
	q, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatalf("bad test query %q: %v", raw, err)
	}
	switch endpoint {
	case "connz":
		return ParseConnzQuery(q)
	case "routez":
		return ParseRoutezQuery(q)
	case "subsz":
		return ParseSubszQuery(q)
	case "accstatz":
		return ParseAccStatzQuery(q)
	case "healthz":
		return ParseHealthzQuery(q)
	case "jsz":
		return ParseJszQuery(q)
	case "leafz":
		return ParseLeafzQuery(q)
	case "gatewayz":
		return ParseGatewayzQuery(q)
	}
	t.Fatalf("no parser for %s", endpoint)
	return nil, nil
}

// The 400 texts, byte for byte as nats-server writes them.
func TestParseQueryErrors(t *testing.T) {
	const badBool = `strconv.ParseBool: parsing "maybe": invalid syntax`
	cases := []struct{ endpoint, query, want string }{
		{"connz", "auth=maybe", "Error decoding boolean for 'auth': " + badBool},
		{"connz", "subs=maybe", "Error decoding boolean for 'subs': " + badBool},
		{"connz", "offset=x", `Error decoding int for 'offset': strconv.Atoi: parsing "x": invalid syntax`},
		{"connz", "limit=x", `Error decoding int for 'limit': strconv.Atoi: parsing "x": invalid syntax`},
		{"connz", "limit=99999999999999999999", `Error decoding int for 'limit': strconv.Atoi: parsing "99999999999999999999": value out of range`},
		{"connz", "cid=-1", `Error decoding uint64 for 'cid': strconv.ParseUint: parsing "-1": invalid syntax`},
		{"connz", "state=half", "Error decoding state for half"},
		{"connz", "sort=bogus", "invalid sorting option: bogus"},
		{"connz", "sort=stop", "sort by stop only valid on closed connections"},
		{"connz", "sort=stop&state=any", "sort by stop only valid on closed connections"},
		{"connz", "sort=reason", "sort by reason only valid on closed connections"},
		// The first bad parameter in nats-server's order wins.
		{"connz", "state=x&limit=x&auth=maybe&sort=bogus", "Error decoding boolean for 'auth': " + badBool},
		{"connz", "sort=bogus&state=x", "Error decoding state for x"},
		{"routez", "subs=maybe", "Error decoding boolean for 'subs': " + badBool},
		{"subsz", "subs=detail", `Error decoding boolean for 'subs': strconv.ParseBool: parsing "detail": invalid syntax`},
		{"subsz", "offset=1.5", `Error decoding int for 'offset': strconv.Atoi: parsing "1.5": invalid syntax`},
		{"subsz", "test=foo.*", "invalid test subject, must be valid publish subject: foo.*"},
		{"subsz", "test=foo.>", "invalid test subject, must be valid publish subject: foo.>"},
		{"subsz", "test=foo..bar", "invalid test subject, must be valid publish subject: foo..bar"},
		{"accstatz", "unused=maybe", "Error decoding boolean for 'unused': " + badBool},
		{"healthz", "js-enabled-only=maybe", "Error decoding boolean for 'js-enabled-only': " + badBool},
		{"healthz", "js-server-only=maybe", "Error decoding boolean for 'js-server-only': " + badBool},
		{"healthz", "js-meta-only=maybe", "Error decoding boolean for 'js-meta-only': " + badBool},
		{"healthz", "details=maybe", "Error decoding boolean for 'details': " + badBool},
		{"healthz", "js-enabled=maybe", "Error decoding boolean for 'js-enabled': " + badBool},
		{"jsz", "accounts=maybe", "Error decoding boolean for 'accounts': " + badBool},
		{"jsz", "consumers=maybe", "Error decoding boolean for 'consumers': " + badBool},
		{"jsz", "direct-consumers=maybe", "Error decoding boolean for 'direct-consumers': " + badBool},
		{"jsz", "limit=x", `Error decoding int for 'limit': strconv.Atoi: parsing "x": invalid syntax`},
		{"jsz", "stream-leader-only=maybe", "Error decoding boolean for 'stream-leader-only': " + badBool},
		{"leafz", "subs=maybe", "Error decoding boolean for 'subs': " + badBool},
		{"gatewayz", "accs=maybe", "Error decoding boolean for 'accs': " + badBool},
	}
	for _, tc := range cases {
		_, err := parseAny(t, tc.endpoint, tc.query)
		if err == nil {
			t.Errorf("%s?%s: no error, want %q", tc.endpoint, tc.query, tc.want)
			continue
		}
		if err.Error() != tc.want {
			t.Errorf("%s?%s:\n got %q\nwant %q", tc.endpoint, tc.query, err.Error(), tc.want)
		}
	}
}

func TestParseConnzQueryValues(t *testing.T) {
	q, _ := url.ParseQuery("sort=msgs_to&auth=1&subs=DETAIL&offset=-3&limit=0&state=ALL&user=u&acc=A&mqtt_client=m")
	o, err := ParseConnzQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	want := ConnzOptions{Sort: ByOutMsgs, Username: true, SubscriptionsDetail: true, Offset: 0,
		Limit: DefaultConnListSize, State: ConnAll, User: "u", Account: "A", MQTTClient: "m"}
	if *o != want {
		t.Fatalf("got %+v\nwant %+v", *o, want)
	}
	q, _ = url.ParseQuery("cid=7&limit=50&subs=t&state=closed&sort=stop")
	if o, err = ParseConnzQuery(q); err != nil {
		t.Fatal(err)
	}
	if o.CID != 7 || o.Limit != 1 || !o.Subscriptions || o.SubscriptionsDetail || o.State != ConnClosed {
		t.Fatalf("cid query parsed as %+v", *o)
	}
	if o, _ = ParseConnzQuery(url.Values{}); o.Sort != ByCid || o.Limit != DefaultConnListSize || o.State != ConnOpen {
		t.Fatalf("defaults: %+v", *o)
	}
}

func TestParseOtherQueries(t *testing.T) {
	q, _ := url.ParseQuery("subs=1&offset=2&limit=3&test=foo.bar&acc=A")
	s, err := ParseSubszQuery(q)
	if err != nil || *s != (SubszOptions{Subscriptions: true, Offset: 2, Limit: 3, Test: "foo.bar", Account: "A"}) {
		t.Fatalf("subsz: %+v %v", s, err)
	}
	q, _ = url.ParseQuery("subs=detail")
	r, err := ParseRoutezQuery(q)
	if err != nil || !r.SubscriptionsDetail || r.Subscriptions {
		t.Fatalf("routez detail: %+v %v", r, err)
	}
	q, _ = url.ParseQuery("js-enabled-only=true&details=1&account=A&stream=S&consumer=C")
	h, err := ParseHealthzQuery(q)
	if err != nil || *h != (HealthzOptions{JSEnabledOnly: true, Details: true, Account: "A", Stream: "S", Consumer: "C"}) {
		t.Fatalf("healthz: %+v %v", h, err)
	}
	q, _ = url.ParseQuery("acc=$G")
	a, _ := ParseAccountzQuery(q)
	if a.Account != "$G" {
		t.Fatalf("accountz acc: %q", a.Account)
	}
	q, _ = url.ParseQuery("unused=1")
	if st, err := ParseAccStatzQuery(q); err != nil || !st.IncludeUnused {
		t.Fatalf("accstatz: %+v %v", st, err)
	}
	q, _ = url.ParseQuery("acc_name=A&subs=detail")
	g, err := ParseGatewayzQuery(q)
	if err != nil || !g.Accounts || g.AccountName != "A" || !g.AccountSubscriptionsDetail {
		t.Fatalf("gatewayz: %+v %v", g, err)
	}
	q, _ = url.ParseQuery("consumers=1&limit=5&acc=A")
	j, err := ParseJszQuery(q)
	if err != nil || !j.Consumer || j.Limit != 5 || j.Account != "A" {
		t.Fatalf("jsz: %+v %v", j, err)
	}
	if n := j.Normalize(); !n.Streams || n.Accounts {
		t.Fatalf("jsz normalize with acc: %+v", n)
	}
	if n := (JszOptions{Streams: true}).Normalize(); !n.Accounts || n.Limit != DefaultJszLimit {
		t.Fatalf("jsz normalize without acc: %+v", n)
	}
}

func TestHealthzValidate(t *testing.T) {
	cases := []struct {
		o    HealthzOptions
		want string
	}{
		{HealthzOptions{}, ""},
		{HealthzOptions{Stream: "S"}, `"account" must not be empty when checking stream health`},
		{HealthzOptions{Account: "A", Consumer: "C"}, `"stream" must not be empty when checking consumer health`},
		{HealthzOptions{Account: "A", Stream: "S", Consumer: "C"}, ""},
	}
	for _, tc := range cases {
		if got := tc.o.Validate(); got != tc.want {
			t.Errorf("%+v: got %q want %q", tc.o, got, tc.want)
		}
	}
}

func TestConnzValidateFilterSubject(t *testing.T) {
	_, err := ConnzOptions{FilterSubject: "foo"}.Validate()
	if err == nil || err.Error() != "filter by subject only valid with account filtering" {
		t.Fatalf("filter without account: %v", err)
	}
	if _, err := (ConnzOptions{FilterSubject: ">"}).Validate(); err != nil {
		t.Fatalf("'>' is no filter: %v", err)
	}
	if _, err := (ConnzOptions{FilterSubject: "foo", Account: "A"}).Validate(); err != nil {
		t.Fatalf("with account: %v", err)
	}
}
