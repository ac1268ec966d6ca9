package inventory

import (
	"testing"
	"time"
)

// A computer's digest is the same whether computed from a push or from the
// stored rows a plan leaves, and it changes with any key or version.
func TestDigestsOfAPushAndOfTheStoredRowsAgree(t *testing.T) {
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	pushed := []Desired{
		{ComputerID: "b", Program: NewProgramName("Zip"), Version: "1"},
		{ComputerID: "a", Program: NewProgramName("Vim"), Version: "8"},
		{ComputerID: "a", Program: NewProgramName("vim"), Version: "9"}, // the last one wins
		{ComputerID: "a", Program: NewProgramName("Git"), Version: "2"},
	}
	ids := []string{"a", "b", "c"}
	push, counts := PushDigests(ids, pushed)
	if counts["a"] != 2 || counts["b"] != 1 || counts["c"] != 0 {
		t.Fatalf("counts %v", counts)
	}
	stored := []Installation{
		{ComputerID: "a", Program: NewProgramName("Old"), Version: "1", InstalledAt: at, ChangedAt: at},
		{ComputerID: "a", Program: NewProgramName("Vim"), Version: "8", InstalledAt: at, ChangedAt: at},
		{ComputerID: "b", Program: NewProgramName("Gone"), Version: "3", Removed: true, InstalledAt: at, ChangedAt: at},
	}
	plan := Merge(stored, pushed, Trim{Full: true, Incomplete: map[string]bool{}}, at.Add(time.Hour))
	after := StoredDigests(ids, stored, plan)
	for _, d := range after {
		if d.Digest != push[d.ComputerID] {
			t.Errorf("computer %s: stored digest differs from the push's", d.ComputerID)
		}
	}
	if push["a"] == push["b"] || push["c"] != digestOf(nil) {
		t.Error("digests of different lists are equal")
	}
	other, _ := PushDigests(ids, []Desired{{ComputerID: "b", Program: NewProgramName("Zip"), Version: "2"}})
	if other["b"] == push["b"] {
		t.Error("another version gives the same digest")
	}
	// Without full mode the programs not named stay: the digests differ.
	partial := Merge(stored, pushed, Trim{Incomplete: map[string]bool{}}, at.Add(time.Hour))
	if StoredDigests([]string{"a"}, stored, partial)[0].Digest == push["a"] {
		t.Error("a kept program is left out of the digest")
	}
}
