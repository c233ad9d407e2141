package server

import (
	"fmt"
	"strings"
	"testing"
)

// subscribeFan connects a client holding n subscriptions on "fan".
func subscribeFan(w *world, n int) *peer {
	fan := w.connect("")
	var subs strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&subs, "SUB fan %d\r\n", i)
	}
	fan.send(subs.String() + "PING\r\n")
	fan.expect("PONG\r\n")
	return fan
}

// fanoutOrder counts the MSG lines carrying "m1" and "m2" in out and
// checks that every sid saw "m1" before "m2".
func fanoutOrder(t *testing.T, out string) (m1, m2 int) {
	t.Helper()
	seen := map[string]string{}
	lines := strings.Split(out, "\r\n")
	for i := 0; i+1 < len(lines); i++ {
		f := strings.Fields(lines[i])
		if len(f) != 4 || f[0] != "MSG" {
			continue
		}
		payload := lines[i+1]
		switch payload {
		case "m1":
			m1++
		case "m2":
			m2++
			if seen[f[2]] != "m1" {
				t.Fatalf("sid %s got m2 before m1", f[2])
			}
		}
		seen[f[2]] = payload
	}
	return m1, m2
}

// One publish buffer that fans out to three budgets' worth of
// subscriptions does not hold up another client: its PING is answered
// after the first slice, and the rest of the fan-out follows in later
// events, in order per subscription.
func TestFanOutIsSlicedAndOthersAreServedBetween(t *testing.T) {
	w := newWorld(t, nil)
	n := 3 * turnDeliveries
	fan := subscribeFan(w, n)
	pub := w.connect("")
	probe := w.connect("")

	pub.c.fromPeer("PUB fan 2\r\nm1\r\nPUB fan 2\r\nm2\r\nPING\r\n")
	probe.c.fromPeer("PING\r\n")
	w.pump()
	probe.expect("PONG\r\n")
	var out strings.Builder
	out.WriteString(fan.output())
	m1, m2 := fanoutOrder(t, out.String())
	if m1 != turnDeliveries || m2 != 0 {
		t.Fatalf("after the first event: %d m1, %d m2; want %d m1 (one budget) and no m2", m1, m2, turnDeliveries)
	}
	if got := pub.output(); got != "" {
		t.Fatalf("publisher got %q before its fan-out was done", got)
	}
	slices := 1
	for w.clock.Step() {
		w.pump()
		slices++
		out.WriteString(fan.output())
		if slices == 2 {
			// Between two slices a PING is answered at once.
			probe.c.fromPeer("PING\r\n")
			w.pump()
			probe.expect("PONG\r\n")
		}
	}
	m1, m2 = fanoutOrder(t, out.String())
	if m1 != n || m2 != n {
		t.Fatalf("after %d slices: %d m1, %d m2; want %d of each", slices, m1, m2, n)
	}
	if want := 2 * n / turnDeliveries; slices != want {
		t.Fatalf("fan-out took %d slices, want %d", slices, want)
	}
	pub.expect("PONG\r\n")
}

// A publisher whose connection breaks in the middle of a sliced fan-out
// still has its accepted message delivered to every subscription; what it
// sent after that message and was never parsed is lost with the connection.
func TestFanOutFinishesAfterPublisherCloses(t *testing.T) {
	w := newWorld(t, nil)
	n := 2 * turnDeliveries
	fan := subscribeFan(w, n)
	pub := w.connect("")
	pub.c.fromPeer("PUB fan 2\r\nm1\r\nPUB fan 2\r\nm2\r\n")
	w.pump()
	pub.hangUp()
	for i := 0; i < 10; i++ {
		w.advance(0)
	}
	m1, m2 := fanoutOrder(t, fan.output())
	if m1 != n || m2 != 0 {
		t.Fatalf("%d m1, %d m2; want all %d m1 and no m2 (it was never parsed)", m1, m2, n)
	}
}
