package auth

import (
	"testing"
	"time"
)

var epoch = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func TestNilCheckerAllowsEverything(t *testing.T) {
	var k *Checker
	if NewChecker(nil) != nil {
		t.Fatal("NewChecker(nil) must be nil")
	}
	if !k.CanPublish("a.b", epoch) || !k.CanSubscribe(">", "q") || k.DeliverDenied("a") {
		t.Fatal("nil checker must allow everything")
	}
	k.NoteReply("r", epoch) // must not panic
}

func TestCanPublish(t *testing.T) {
	cases := []struct {
		name        string
		allow, deny []string
		yes, no     []string
	}{
		{"allow literal", []string{"foo"}, nil,
			[]string{"foo"}, []string{"bar", "foo.bar", "fo"}},
		{"allow star", []string{"foo.*"}, nil,
			[]string{"foo.bar", "foo.baz"}, []string{"foo", "foo.bar.baz", "bar.foo"}},
		{"allow full wildcard", []string{"foo.>"}, nil,
			[]string{"foo.bar", "foo.bar.baz"}, []string{"foo", "bar"}},
		{"deny only", nil, []string{"secret.>", "*.admin"},
			[]string{"foo", "secret", "admin", "a.b.admin"}, []string{"secret.x", "secret.x.y", "x.admin"}},
		{"deny overrides allow", []string{"data.>"}, []string{"data.sensitive.>"},
			[]string{"data.public", "data.sensitive"}, []string{"data.sensitive.passwords", "other"}},
		{"star token literal", []string{"a*b"}, nil,
			[]string{"a*b"}, []string{"ab", "axb"}},
		{"several allows", []string{"a", "b.*", "c.>"}, []string{"c.x"},
			[]string{"a", "b.1", "c.y", "c.x.y"}, []string{"b", "c.x", "d"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			k := NewChecker(&Permissions{Publish: &SubjectPermission{Allow: tc.allow, Deny: tc.deny}})
			// Twice: the second round answers from the cache.
			for round := 0; round < 2; round++ {
				for _, s := range tc.yes {
					if !k.CanPublish(s, epoch) {
						t.Errorf("round %d: publish %q refused", round, s)
					}
				}
				for _, s := range tc.no {
					if k.CanPublish(s, epoch) {
						t.Errorf("round %d: publish %q allowed", round, s)
					}
				}
			}
		})
	}
}

func TestPublishCacheIsBounded(t *testing.T) {
	k := NewChecker(&Permissions{Publish: &SubjectPermission{Allow: []string{"even.*"}}})
	for i := 0; i < 3*maxPublishCacheSize; i++ {
		s := "odd." + string(rune('a'+i%26)) + "." + string(rune('a'+i/26))
		if k.CanPublish(s, epoch) {
			t.Fatalf("%q allowed", s)
		}
		if len(k.publishCache) > maxPublishCacheSize {
			t.Fatalf("cache grew to %d", len(k.publishCache))
		}
	}
	if !k.CanPublish("even.x", epoch) {
		t.Fatal("even.x refused after cache churn")
	}
}

func TestCanSubscribe(t *testing.T) {
	type sub struct{ subject, queue string }
	cases := []struct {
		name        string
		allow, deny []string
		yes, no     []sub
	}{
		{"wildcard sub needs covering allow", []string{"foo.>", "bar.*", "baz.qux"}, nil,
			[]sub{{"foo.*", ""}, {"foo.>", ""}, {"foo.a.b", ""}, {"bar.*", ""}, {"bar.x", ""}, {"baz.qux", ""}},
			[]sub{{"foo", ""}, {"bar.>", ""}, {"bar.x.y", ""}, {"baz.*", ""}, {">", ""}, {"*.qux", ""}}},
		{"deny exact or covering refuses", nil, []string{"foo.bar", "admin.>", "x.*"},
			[]sub{{"foo.baz", ""}, {"admin", ""}, {"x", ""}},
			[]sub{{"foo.bar", ""}, {"admin.x", ""}, {"admin.*", ""}, {"admin.>", ""}, {"x.y", ""}, {"x.*", ""}, {"x.>", ""}}},
		{"overlapping wildcard is allowed", nil, []string{"foo.bar", "admin.>"},
			[]sub{{"foo.*", ""}, {"foo.>", ""}, {">", ""}, {"*.x", ""}},
			nil},
		{"allow and deny", []string{"foo.>"}, []string{"foo.secret"},
			[]sub{{"foo.public", ""}, {"foo.*", ""}},
			[]sub{{"foo.secret", ""}, {"bar", ""}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			k := NewChecker(&Permissions{Subscribe: &SubjectPermission{Allow: tc.allow, Deny: tc.deny}})
			for _, s := range tc.yes {
				if !k.CanSubscribe(s.subject, s.queue) {
					t.Errorf("subscribe %q %q refused", s.subject, s.queue)
				}
			}
			for _, s := range tc.no {
				if k.CanSubscribe(s.subject, s.queue) {
					t.Errorf("subscribe %q %q allowed", s.subject, s.queue)
				}
			}
		})
	}
}

func TestCanSubscribeQueueEntries(t *testing.T) {
	k := NewChecker(&Permissions{Subscribe: &SubjectPermission{
		Allow: []string{"jobs.> workers", "jobs.> v1.*", "events.>"},
		Deny:  []string{"events.audit spies", "events.* q.*"},
	}})
	cases := []struct {
		subject, queue string
		want           bool
	}{
		{"jobs.build", "workers", true},
		{"jobs.*", "workers", true},
		{"jobs.build", "v1.fast", true}, // queue pattern "v1.*"
		{"jobs.build", "v1", false},
		{"jobs.build", "v2.fast", false},
		{"jobs.build", "others", false},
		{"jobs.build", "", false}, // queue lines do not allow plain subs
		{"events.login", "", true},
		{"events.login", "anyone", true}, // plain allow: any queue
		{"events.audit", "", true},       // queue deny does not touch plain subs
		{"events.audit", "spies", false},
		{"events.audit", "friends", true},
		{"events.login", "q.x", false}, // deny "events.* q.*"
		{"events.login", "q", true},
		{"events.a.b", "q.x", true}, // "events.*" does not match two tokens
	}
	for _, tc := range cases {
		if got := k.CanSubscribe(tc.subject, tc.queue); got != tc.want {
			t.Errorf("CanSubscribe(%q, %q)=%v, want %v", tc.subject, tc.queue, got, tc.want)
		}
	}
}

func TestDeliverDenied(t *testing.T) {
	k := NewChecker(&Permissions{Subscribe: &SubjectPermission{
		Deny: []string{"foo.bar", "admin.>", "events.* spies"},
	}})
	if !k.CanSubscribe("foo.*", "") || !k.CanSubscribe(">", "") {
		t.Fatal("overlapping wildcard subs must be allowed")
	}
	cases := map[string]bool{
		"foo.bar":      true,
		"foo.baz":      false,
		"admin.x":      true,
		"admin.x.y":    true,
		"admin":        false,
		"events.login": false, // queue deny lines do not filter deliveries
	}
	for round := 0; round < 2; round++ {
		for s, want := range cases {
			if got := k.DeliverDenied(s); got != want {
				t.Errorf("round %d: DeliverDenied(%q)=%v, want %v", round, s, got, want)
			}
		}
	}
	noDeny := NewChecker(&Permissions{Subscribe: &SubjectPermission{Allow: []string{"a"}}})
	if noDeny.DeliverDenied("b") {
		t.Fatal("no deny lines, yet delivery denied")
	}
}

func TestDenyCacheIsBounded(t *testing.T) {
	k := NewChecker(&Permissions{Subscribe: &SubjectPermission{Deny: []string{"x.*"}}})
	for i := 0; i < 3*maxDenyCacheSize; i++ {
		s := "x." + string(rune('a'+i%26)) + string(rune('a'+i/26))
		if !k.DeliverDenied(s) {
			t.Fatalf("%q not denied", s)
		}
		if len(k.denyCache) > maxDenyCacheSize {
			t.Fatalf("cache grew to %d", len(k.denyCache))
		}
	}
}
