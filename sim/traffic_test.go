package sim

import (
	"strings"
	"testing"
	"time"
)

func TestSeqPayloadRoundTrip(t *testing.T) {
	p := seqPayload(3, 17, 12)
	if string(p) != "3 17 xxxxxxx" {
		t.Fatalf("payload %q", p)
	}
	d, err := decodeSeq(p, 4)
	if err != nil || d.pub != 3 || d.seq != 17 || d.pubField != "3" {
		t.Fatalf("decodeSeq = %+v, %v", d, err)
	}
	if string(seqPayload(1, 2, 0)) != "1 2 " {
		t.Fatal("a short size must not cut the numbers")
	}
	for _, c := range []struct {
		data string
		want error
	}{{"7", errMalformed}, {"", errMalformed}, {"4 1 x", errBadSeq}, {"-1 1", errBadSeq}, {"a 1", errBadSeq}, {"1 b", errBadSeq}} {
		if _, err := decodeSeq([]byte(c.data), 4); err != c.want {
			t.Errorf("decodeSeq(%q) = %v, want %v", c.data, err, c.want)
		}
	}
}

func TestStreamLostNamesNodeOnlyWhenTracked(t *testing.T) {
	p := &stream{idx: 2, sent: []sentMsg{{at: time.Second, node: "n2"}}}
	if got := p.lost("exactly-once-per-sub", 1, "").Error(); !strings.HasSuffix(got, "lost seq 1 from publisher 2 (published at 1s)") {
		t.Errorf("untracked: %s", got)
	}
	p.onNodes = true
	if got := p.lost("cluster-once-per-sub", 1, ", cross-node true").Error(); !strings.HasSuffix(got, "lost seq 1 from publisher 2 on n2 (published at 1s, cross-node true)") {
		t.Errorf("tracked: %s", got)
	}
}

func TestCheckOrderAndGroup(t *testing.T) {
	if err := checkOrder(nil, []int{1, 2, 2}, 3, "exactly-once-per-sub"); err == nil || !strings.Contains(err.Error(), "seq 2 arrived twice") {
		t.Errorf("duplicate: %v", err)
	}
	if err := checkOrder(nil, []int{2, 1}, 3, "exactly-once-per-sub"); err == nil || !strings.Contains(err.Error(), "seq 1 arrived after seq 2") {
		t.Errorf("reorder: %v", err)
	}
	if err := checkOrder(nil, []int{1, 3}, 3, "exactly-once-per-sub"); err != nil {
		t.Errorf("a gap is not an order violation: %v", err)
	}
	p := &stream{idx: 0, sent: make([]sentMsg, 3)}
	count := make([]int, 4)
	groupCount(count, []arrival{{seq: 1, gen: 1}, {seq: 3, gen: 1}})
	groupCount(count, []arrival{{seq: 3, gen: 2}})
	stats := map[string]int{}
	all := func(int) bool { return true }
	err := checkGroup(nil, "exactly-once-per-queue-group", p, count, all, stats, "queue-required")
	if err == nil || !strings.Contains(err.Error(), "lost seq 2") || stats["queue-required"] != 2 {
		t.Errorf("lost seq 2 not reported first: %v, %v", err, stats)
	}
	odd := func(seq int) bool { return seq%2 == 1 }
	err = checkGroup(nil, "exactly-once-per-queue-group", p, count, odd, stats, "queue-required")
	if err == nil || !strings.Contains(err.Error(), "seq 3 from publisher 0 delivered to 2 members") {
		t.Errorf("double delivery: %v", err)
	}
}

func TestCheckOnceAllowsAnotherSessionOnly(t *testing.T) {
	got := []arrival{{seq: 1, gen: 1}, {seq: 2, gen: 1}, {seq: 2, gen: 3}}
	seqs, err := checkOnce(nil, got, 3, "cluster-once-per-sub")
	if err != nil || len(seqs) != 2 || seqs[0] != 1 || seqs[1] != 2 {
		t.Fatalf("checkOnce = %v, %v", seqs, err)
	}
	if _, err := checkOnce(nil, append(got, arrival{seq: 1, gen: 1}), 3, "cluster-once-per-sub"); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Fatalf("a duplicate on one session passed: %v", err)
	}
	if _, err := checkOnce(nil, []arrival{{seq: 4, gen: 1}}, 3, "cluster-once-per-sub"); err == nil {
		t.Fatal("an unpublished seq passed")
	}
}
