package auth

import (
	"fmt"
	"testing"
	"time"
)

func TestAllowResponsesWithoutPublishPermsAllowsOnlyReplies(t *testing.T) {
	// allow_responses: true, as the config parser produces it.
	k := NewChecker(&Permissions{Response: &ResponsePermission{MaxMsgs: 1}})
	if k.CanPublish("anything", epoch) {
		t.Fatal("allow_responses must turn the implicit publish allow off")
	}
	k.NoteReply("_INBOX.abc.1", epoch)
	if !k.CanPublish("_INBOX.abc.1", epoch.Add(time.Second)) {
		t.Fatal("reply refused")
	}
	if k.CanPublish("_INBOX.abc.1", epoch.Add(2*time.Second)) {
		t.Fatal("second reply allowed with max 1")
	}
	if k.CanPublish("_INBOX.abc.2", epoch) {
		t.Fatal("reply never delivered was allowed")
	}
}

func TestAllowResponsesWithPublishAllow(t *testing.T) {
	k := NewChecker(&Permissions{
		Publish:  &SubjectPermission{Allow: []string{"status.>"}, Deny: []string{"_INBOX.>"}},
		Response: &ResponsePermission{MaxMsgs: 2},
	})
	if !k.CanPublish("status.up", epoch) || k.CanPublish("other", epoch) {
		t.Fatal("explicit allow lines must still apply")
	}
	// A reply is allowed even under a publish deny, as in nats-server.
	k.NoteReply("_INBOX.r", epoch)
	for i := 0; i < 2; i++ {
		if !k.CanPublish("_INBOX.r", epoch) {
			t.Fatalf("reply %d refused", i+1)
		}
	}
	if k.CanPublish("_INBOX.r", epoch) {
		t.Fatal("third reply allowed with max 2")
	}
}

func TestAllowResponsesWithOnlyDeny(t *testing.T) {
	k := NewChecker(&Permissions{
		Publish:  &SubjectPermission{Deny: []string{"x"}},
		Response: &ResponsePermission{MaxMsgs: 1, Expires: time.Minute},
	})
	if k.CanPublish("y", epoch) {
		t.Fatal("allow_responses with no allow list must allow only replies")
	}
}

func TestAllowResponsesExpiry(t *testing.T) {
	k := NewChecker(&Permissions{Response: &ResponsePermission{MaxMsgs: -1, Expires: time.Minute}})
	k.NoteReply("r", epoch)
	for _, d := range []time.Duration{0, 30 * time.Second, time.Minute} {
		if !k.CanPublish("r", epoch.Add(d)) {
			t.Fatalf("reply at +%v refused (unlimited count, 1m expiry)", d)
		}
	}
	if k.CanPublish("r", epoch.Add(time.Minute+time.Nanosecond)) {
		t.Fatal("reply after expiry allowed")
	}
	if k.CanPublish("r", epoch) {
		t.Fatal("expired grant must be gone")
	}
	// A new delivery renews the grant.
	k.NoteReply("r", epoch.Add(2*time.Minute))
	if !k.CanPublish("r", epoch.Add(2*time.Minute+time.Second)) {
		t.Fatal("renewed grant refused")
	}
}

func TestAllowResponsesDefaults(t *testing.T) {
	k := NewChecker(&Permissions{Response: &ResponsePermission{}})
	if k.responses.maxMsgs != DefaultResponseMaxMsgs || k.responses.expires != DefaultResponseExpires {
		t.Fatalf("defaults %d/%v, want %d/%v", k.responses.maxMsgs, k.responses.expires,
			DefaultResponseMaxMsgs, DefaultResponseExpires)
	}
	k.NoteReply("a", epoch)
	k.NoteReply("b", epoch)
	if !k.CanPublish("a", epoch.Add(DefaultResponseExpires)) {
		t.Fatal("reply at exactly the default expiry refused")
	}
	if k.CanPublish("b", epoch.Add(DefaultResponseExpires+time.Millisecond)) {
		t.Fatal("reply after the default 2m expiry allowed")
	}
	// Negative: no time limit at all.
	forever := NewChecker(&Permissions{Response: &ResponsePermission{Expires: -1}})
	forever.NoteReply("c", epoch)
	if !forever.CanPublish("c", epoch.Add(1000*time.Hour)) {
		t.Fatal("negative expiry must mean forever")
	}
}

func TestNoteReplyWithoutResponsesDoesNothing(t *testing.T) {
	k := NewChecker(&Permissions{Publish: &SubjectPermission{Allow: []string{"a"}}})
	k.NoteReply("b", epoch)
	if k.CanPublish("b", epoch) {
		t.Fatal("reply allowed without allow_responses")
	}
}

func TestTrackedRepliesAreBounded(t *testing.T) {
	k := NewChecker(&Permissions{Response: &ResponsePermission{MaxMsgs: 1, Expires: -1}})
	tracker := k.responses
	// Used-up grants go first.
	k.NoteReply("used", epoch)
	if !k.CanPublish("used", epoch) {
		t.Fatal("reply refused")
	}
	for i := 0; i < 3*maxTrackedReplies; i++ {
		k.NoteReply(fmt.Sprintf("r.%d", i), epoch.Add(time.Duration(i)))
		if len(tracker.grants) > maxTrackedReplies {
			t.Fatalf("tracking %d replies after %d notes", len(tracker.grants), i+1)
		}
	}
	if _, ok := tracker.grants["used"]; ok {
		t.Fatal("used-up grant survived pruning")
	}
	// The newest grants survive, the oldest were evicted.
	last := fmt.Sprintf("r.%d", 3*maxTrackedReplies-1)
	if !k.CanPublish(last, epoch) {
		t.Fatal("newest grant evicted")
	}
	if k.CanPublish("r.0", epoch) {
		t.Fatal("oldest grant kept past the bound")
	}
}

func TestReplyEvictionIsDeterministic(t *testing.T) {
	run := func() []string {
		k := NewChecker(&Permissions{Response: &ResponsePermission{Expires: -1}})
		k.responses.limit = 16
		for i := 0; i < 100; i++ {
			k.NoteReply(fmt.Sprintf("r.%d", i%37), epoch)
		}
		var kept []string
		for i := 0; i < 37; i++ {
			if _, ok := k.responses.grants[fmt.Sprintf("r.%d", i)]; ok {
				kept = append(kept, fmt.Sprintf("r.%d", i))
			}
		}
		return kept
	}
	first := fmt.Sprint(run())
	for i := 0; i < 20; i++ {
		if got := fmt.Sprint(run()); got != first {
			t.Fatalf("run %d kept %s, first kept %s", i, got, first)
		}
	}
}
