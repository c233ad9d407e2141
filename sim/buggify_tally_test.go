package sim

import (
	"strings"
	"testing"

	"jsnode/node/server"
)

func TestBuggifyTallyCountsRunsPerSite(t *testing.T) {
	var tally BuggifyTally
	tally.Add(Result{Buggify: map[string]int{"server.write.split-msg": 5, "other.site": 1}})
	tally.Add(Result{Buggify: map[string]int{"server.write.split-msg": 2}})
	tally.Add(Result{})
	lines := tally.Lines()
	if want := "buggify sites: runs in which each fired (of 3 runs), times fired"; lines[0] != want {
		t.Fatalf("header %q, want %q", lines[0], want)
	}
	rows := map[string]string{}
	var order []string
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) != 5 || f[2] != "runs" || f[4] != "times" {
			t.Fatalf("malformed row %q", l)
		}
		rows[f[0]] = f[1] + "/" + f[3]
		order = append(order, f[0])
	}
	if len(rows) != len(server.BuggifySites())+1 {
		t.Fatalf("%d rows, want every server site plus other.site: %q", len(rows), lines)
	}
	for site, want := range map[string]string{
		"server.write.split-msg": "2/7", "other.site": "1/1", "server.ping.late": "0/0",
	} {
		if rows[site] != want {
			t.Errorf("%s: runs/times %q, want %q", site, rows[site], want)
		}
	}
	for i := 1; i < len(order); i++ {
		if order[i-1] >= order[i] {
			t.Fatalf("rows not sorted by site: %q", order)
		}
	}
}
