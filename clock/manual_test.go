package clock

import (
	"fmt"
	"testing"
	"time"
)

func TestManualFiresInOrder(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m := NewManual(start)
	var got []string
	m.AfterFunc(3*time.Second, func() { got = append(got, "c") })
	m.AfterFunc(time.Second, func() {
		got = append(got, "a")
		// A timer created by a callback and due inside the window runs too.
		m.AfterFunc(time.Second, func() { got = append(got, "b@"+m.Now().Sub(start).String()) })
	})
	stopped := m.AfterFunc(2*time.Second, func() { got = append(got, "never") })
	if !stopped.Stop() {
		t.Fatal("Stop of a pending timer returned false")
	}
	if stopped.Stop() {
		t.Fatal("second Stop returned true")
	}
	m.Advance(2500 * time.Millisecond)
	if want := []string{"a", "b@2s"}; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("after 2.5s got %v, want %v", got, want)
	}
	if m.Pending() != 1 {
		t.Fatalf("Pending = %d, want 1", m.Pending())
	}
	m.Advance(time.Second)
	if len(got) != 3 || got[2] != "c" {
		t.Fatalf("after 3.5s got %v", got)
	}
	if d := m.Now().Sub(start); d != 3500*time.Millisecond {
		t.Fatalf("Now advanced by %v, want 3.5s", d)
	}
}

func TestManualStepRunsOneDueTimer(t *testing.T) {
	m := NewManual(time.Unix(0, 0))
	var ran []int
	m.AfterFunc(0, func() {
		ran = append(ran, 1)
		m.AfterFunc(0, func() { ran = append(ran, 3) })
	})
	m.AfterFunc(0, func() { ran = append(ran, 2) })
	m.AfterFunc(time.Second, func() { ran = append(ran, 4) })
	for i := 0; m.Step(); i++ {
		if len(ran) != i+1 {
			t.Fatalf("step %d ran %v", i, ran)
		}
	}
	if fmt.Sprint(ran) != "[1 2 3]" {
		t.Fatalf("ran %v, want [1 2 3] (the timer due later waits)", ran)
	}
}
