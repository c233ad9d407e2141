package monitor

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestParseRequestConnz(t *testing.T) {
	body := `{"sort":"msgs_to","auth":true,"subscriptions":true,"subscriptions_detail":true,"offset":4,
	"limit":10,"cid":3,"mqtt_client":"m","state":1,"user":"u","acc":"A","filter_subject":"foo.>",
	"server_name":"js","cluster":"c1","host":"127","exact_match":true,"tags":["az:1"],"domain":"hub"}`
	o, f, err := ParseRequest[ConnzOptions]([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	want := ConnzOptions{Sort: ByOutMsgs, Username: true, Subscriptions: true, SubscriptionsDetail: true,
		Offset: 4, Limit: 10, CID: 3, MQTTClient: "m", State: ConnClosed, User: "u", Account: "A", FilterSubject: "foo.>"}
	if *o != want {
		t.Fatalf("options: got %+v\nwant %+v", *o, want)
	}
	if f.Name != "js" || f.Cluster != "c1" || f.Host != "127" || !f.ExactMatch || len(f.Tags) != 1 || f.Domain != "hub" {
		t.Fatalf("filter: %+v", *f)
	}
}

func TestParseRequestOthers(t *testing.T) {
	h, _, err := ParseRequest[HealthzOptions]([]byte(`{"js-enabled-only":true,"account":"A","stream":"S","details":true}`))
	if err != nil || !h.JSEnabledOnly || h.Account != "A" || h.Stream != "S" || !h.Details {
		t.Fatalf("healthz: %+v %v", h, err)
	}
	j, _, err := ParseRequest[JszOptions]([]byte(`{"account":"A","consumer":true,"raft":true,"leader_only":true,"limit":10000}`))
	if err != nil || j.Account != "A" || !j.Consumer || !j.RaftGroups || !j.LeaderOnly || j.Limit != 10000 {
		t.Fatalf("jsz: %+v %v", j, err)
	}
	a, _, err := ParseRequest[AccStatzOptions]([]byte(`{"accounts":["A","B"],"include_unused":true}`))
	if err != nil || len(a.Accounts) != 2 || !a.IncludeUnused {
		t.Fatalf("accstatz: %+v %v", a, err)
	}
	s, _, err := ParseRequest[SubszOptions]([]byte(`{"subscriptions":true,"account":"A","test":"foo"}`))
	if err != nil || !s.Subscriptions || s.Account != "A" || s.Test != "foo" {
		t.Fatalf("subsz: %+v %v", s, err)
	}
	acc, _, err := ParseRequest[AccountzOptions]([]byte(`{"account":"A"}`))
	if err != nil || acc.Account != "A" {
		t.Fatalf("accountz: %+v %v", acc, err)
	}
}

func TestParseRequestEmptyAndBad(t *testing.T) {
	o, f, err := ParseRequest[ConnzOptions](nil)
	if err != nil || *o != (ConnzOptions{}) || !f.Matches("any", "", "", nil, "") {
		t.Fatalf("empty body: %+v %+v %v", o, f, err)
	}
	_, _, err = ParseRequest[ConnzOptions]([]byte(`{"limit":"ten"}`))
	if err == nil {
		t.Fatal("wrong type accepted")
	}
	resp := BadRequest(&ServerInfo{Name: "s"}, err)
	b, _ := json.Marshal(resp)
	if !strings.Contains(string(b), `"error":{"code":400,"description":"json: cannot unmarshal`) || strings.Contains(string(b), `"data"`) {
		t.Fatalf("bad request envelope: %s", b)
	}
	if _, _, err = ParseRequest[ConnzOptions]([]byte(`{not json`)); err == nil {
		t.Fatal("invalid JSON accepted")
	}
}

func TestFilterMatches(t *testing.T) {
	const name, cluster, host, domain = "east-js1", "east", "10.0.0.1", "hub"
	tags := []string{"az:1", "ssd"}
	cases := []struct {
		f    EventFilterOptions
		want bool
	}{
		{EventFilterOptions{}, true},
		{EventFilterOptions{Name: "js1"}, true},
		{EventFilterOptions{Name: "js1", ExactMatch: true}, false},
		{EventFilterOptions{Name: "east-js1", ExactMatch: true}, true},
		{EventFilterOptions{Name: "west"}, false},
		{EventFilterOptions{Cluster: "as"}, true},
		{EventFilterOptions{Cluster: "as", ExactMatch: true}, false},
		{EventFilterOptions{Host: "10.0"}, true},
		{EventFilterOptions{Host: "10.1"}, false},
		{EventFilterOptions{Tags: []string{"SSD"}}, true},
		{EventFilterOptions{Tags: []string{" az:1 ", "ssd"}}, true},
		{EventFilterOptions{Tags: []string{"ssd", "gpu"}}, false},
		{EventFilterOptions{Domain: "hub"}, true},
		{EventFilterOptions{Domain: "hu"}, false},
		{EventFilterOptions{Name: "js", Cluster: "east", Host: "10", Domain: "hub", Tags: []string{"az:1"}}, true},
	}
	for _, tc := range cases {
		if got := tc.f.Matches(name, cluster, host, tags, domain); got != tc.want {
			t.Errorf("%+v: got %v want %v", tc.f, got, tc.want)
		}
	}
	var none *EventFilterOptions
	if !none.Matches(name, cluster, host, tags, domain) {
		t.Error("a nil filter must match")
	}
}
