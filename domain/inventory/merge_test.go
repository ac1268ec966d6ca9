package inventory_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/parc-hq/parc/domain/inventory"
)

var (
	t0 = time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	t1 = t0.Add(24 * time.Hour)
)

func prog(s string) inventory.ProgramName { return inventory.NewProgramName(s) }

func stored(computer, program, version string, removed bool) inventory.Installation {
	return inventory.Installation{ComputerID: computer, Program: prog(program), Version: version, Removed: removed, InstalledAt: t0, ChangedAt: t0}
}

func want(computer, program, version string) inventory.Desired {
	return inventory.Desired{ComputerID: computer, Program: prog(program), Version: version}
}

func TestMerge(t *testing.T) {
	cases := []struct {
		name      string
		stored    []inventory.Installation
		pushed    []inventory.Desired
		trim      inventory.Trim
		installs  []inventory.Installation
		reinstall []inventory.Installation
		updates   []inventory.Installation
		removals  []inventory.Installation
		unchanged int
		events    []inventory.Event
	}{
		{
			name:     "first push installs",
			pushed:   []inventory.Desired{want("b", "Zip", "1"), want("a", "Chrome", "119")},
			installs: []inventory.Installation{{ComputerID: "a", Program: prog("Chrome"), Version: "119", InstalledAt: t1, ChangedAt: t1}, {ComputerID: "b", Program: prog("Zip"), Version: "1", InstalledAt: t1, ChangedAt: t1}},
			events: []inventory.Event{
				{ComputerID: "a", Program: prog("Chrome"), Kind: inventory.EventInstalled, ToVersion: "119", At: t1},
				{ComputerID: "b", Program: prog("Zip"), Kind: inventory.EventInstalled, ToVersion: "1", At: t1},
			},
		},
		{
			name:      "same version is unchanged whatever the spelling",
			stored:    []inventory.Installation{stored("a", "Chrome", "119", false)},
			pushed:    []inventory.Desired{want("a", "  CHROME ", "119")},
			unchanged: 1,
		},
		{
			name:    "another version is an update keeping the stored spelling",
			stored:  []inventory.Installation{stored("a", "Chrome", "119", false)},
			pushed:  []inventory.Desired{want("a", "chrome", "120")},
			updates: []inventory.Installation{{ComputerID: "a", Program: prog("Chrome"), Version: "120", InstalledAt: t0, ChangedAt: t1}},
			events:  []inventory.Event{{ComputerID: "a", Program: prog("Chrome"), Kind: inventory.EventUpdated, FromVersion: "119", ToVersion: "120", At: t1}},
		},
		{
			name:     "last duplicate wins, first spelling kept",
			pushed:   []inventory.Desired{want("a", "Chrome", "1"), want("a", "chrome", "2")},
			installs: []inventory.Installation{{ComputerID: "a", Program: prog("Chrome"), Version: "2", InstalledAt: t1, ChangedAt: t1}},
			events:   []inventory.Event{{ComputerID: "a", Program: prog("Chrome"), Kind: inventory.EventInstalled, ToVersion: "2", At: t1}},
		},
		{
			name:      "without full mode, programs not re-sent stay",
			stored:    []inventory.Installation{stored("a", "Chrome", "119", false), stored("a", "Zip", "1", false)},
			pushed:    []inventory.Desired{want("a", "Chrome", "119")},
			unchanged: 1,
		},
		{
			name:      "full mode removes programs not re-sent of pushed computers only",
			stored:    []inventory.Installation{stored("a", "Chrome", "119", false), stored("a", "Zip", "1", false), stored("a", "Old", "1", true), stored("b", "Zip", "1", false)},
			pushed:    []inventory.Desired{want("a", "Chrome", "119")},
			trim:      inventory.Trim{Full: true},
			unchanged: 1,
			removals:  []inventory.Installation{{ComputerID: "a", Program: prog("Zip"), Version: "1", Removed: true, InstalledAt: t0, ChangedAt: t1}},
			events:    []inventory.Event{{ComputerID: "a", Program: prog("Zip"), Kind: inventory.EventRemoved, FromVersion: "1", At: t1}},
		},
		{
			name:     "full mode leaves an incomplete computer untrimmed, still writing its valid records",
			stored:   []inventory.Installation{stored("a", "Chrome", "1", false), stored("a", "Firefox", "120", false), stored("a", "Office", "16", false), stored("b", "Zip", "1", false)},
			pushed:   []inventory.Desired{want("a", "Chrome", "2"), want("b", "Tar", "1")},
			trim:     inventory.Trim{Full: true, Incomplete: map[string]bool{"a": true}},
			installs: []inventory.Installation{{ComputerID: "b", Program: prog("Tar"), Version: "1", InstalledAt: t1, ChangedAt: t1}},
			updates:  []inventory.Installation{{ComputerID: "a", Program: prog("Chrome"), Version: "2", InstalledAt: t0, ChangedAt: t1}},
			removals: []inventory.Installation{{ComputerID: "b", Program: prog("Zip"), Version: "1", Removed: true, InstalledAt: t0, ChangedAt: t1}},
			events: []inventory.Event{
				{ComputerID: "a", Program: prog("Chrome"), Kind: inventory.EventUpdated, FromVersion: "1", ToVersion: "2", At: t1},
				{ComputerID: "b", Program: prog("Tar"), Kind: inventory.EventInstalled, ToVersion: "1", At: t1},
				{ComputerID: "b", Program: prog("Zip"), Kind: inventory.EventRemoved, FromVersion: "1", At: t1},
			},
		},
		{
			name:      "without full mode, an incomplete computer is merged as usual",
			stored:    []inventory.Installation{stored("a", "Chrome", "1", false), stored("a", "Zip", "1", false)},
			pushed:    []inventory.Desired{want("a", "Chrome", "1")},
			trim:      inventory.Trim{Incomplete: map[string]bool{"a": true}},
			unchanged: 1,
		},
		{
			name:      "a removed program sent again is installed again",
			stored:    []inventory.Installation{stored("a", "Zip", "1", true)},
			pushed:    []inventory.Desired{want("a", "zip", "2")},
			reinstall: []inventory.Installation{{ComputerID: "a", Program: prog("Zip"), Version: "2", InstalledAt: t0, ChangedAt: t1}},
			events:    []inventory.Event{{ComputerID: "a", Program: prog("Zip"), Kind: inventory.EventInstalled, ToVersion: "2", At: t1}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := inventory.Merge(c.stored, c.pushed, c.trim, t1)
			assert.Equal(t, c.installs, p.Installs, "installs")
			assert.Equal(t, c.reinstall, p.Reinstalls, "reinstalls")
			assert.Equal(t, c.updates, p.Updates, "updates")
			assert.Equal(t, c.removals, p.Removals, "removals")
			assert.Equal(t, c.unchanged, p.Unchanged, "unchanged")
			assert.Equal(t, c.events, p.Events, "events")
			assert.Equal(t, len(c.installs)+len(c.reinstall)+len(c.updates)+len(c.removals), len(p.Writes()))
		})
	}
}
