package inventory

import (
	"cmp"
	"slices"
	"time"
)

// EventKind says what happened to an installation.
type EventKind string

const (
	EventInstalled EventKind = "installed"
	EventUpdated   EventKind = "updated"
	EventRemoved   EventKind = "removed"
)

// Installation is one program on one computer (an equipment of the
// company), as stored. A removed installation is kept, marked, so that its
// history and last version stay known.
type Installation struct {
	ComputerID  string // the equipment's id
	Program     ProgramName
	Version     string
	Removed     bool
	InstalledAt time.Time // first installation
	ChangedAt   time.Time // last installation, update or removal
}

// Event is one change of an installation, kept as history.
type Event struct {
	ComputerID  string
	Program     ProgramName
	Kind        EventKind
	FromVersion string // "" for an installation
	ToVersion   string // "" for a removal
	At          time.Time
}

// Desired is a valid record of a push, its computer resolved to an equipment id.
type Desired struct {
	ComputerID string
	Program    ProgramName
	Version    string
}

// Plan is what a push changes: the rows to write, sorted by (computer,
// program key) so that concurrent writers lock in the same order, and the
// history events. Unchanged records write nothing.
type Plan struct {
	Installs []Installation // new keys: rows not stored yet
	// Reinstalls are removed programs installed again: stored rows, which
	// keep their first installation.
	Reinstalls []Installation
	Updates    []Installation // another version of a present program
	Removals   []Installation // full mode: present programs not re-sent
	Unchanged  int            // present programs re-sent with the same version
	Events     []Event
	// Digests are the computers' digests to store once the rows are written
	// (see Digest); the caller of Merge sets them.
	Digests []ComputerDigest
}

// Writes are every row the plan changes, sorted by key.
func (p Plan) Writes() []Installation {
	out := make([]Installation, 0, len(p.Installs)+len(p.Reinstalls)+len(p.Updates)+len(p.Removals))
	out = append(append(append(append(out, p.Installs...), p.Reinstalls...), p.Updates...), p.Removals...)
	slices.SortFunc(out, compareInstallations)
	return out
}

// Empty reports a plan that writes nothing.
func (p Plan) Empty() bool {
	return len(p.Installs)+len(p.Reinstalls)+len(p.Updates)+len(p.Removals)+len(p.Digests) == 0
}

// Trim says which pushed computers lose the programs a push does not name.
type Trim struct {
	// Full is the push's full mode: each pushed computer's records are its
	// complete software list.
	Full bool
	// Incomplete holds the ids of computers that a rejected record of the
	// push named. Their list is known to be partial, so nothing is inferred
	// from it: they are not trimmed, even in full mode.
	Incomplete map[string]bool
}

// Merge computes what pushing records changes in stored, at time at.
// stored holds the installations of the pushed computers (others are
// ignored). Of several records with the same computer and program key the
// last one wins, but a new program keeps the first spelling seen. In full
// mode, the stored programs that the push does not name are removed from
// each pushed computer that is not incomplete.
//
// Both lists are walked once in (computer, program key) order, so the plan
// comes out sorted and nothing is kept per record but its place in that
// order.
func Merge(stored []Installation, pushed []Desired, trim Trim, at time.Time) Plan {
	stored = slices.SortedFunc(slices.Values(stored), compareInstallations)
	order := pushOrder(pushed)
	var trimmed map[string]bool // the computers that lose the programs not named
	if trim.Full {
		trimmed = make(map[string]bool)
		for _, d := range pushed {
			trimmed[d.ComputerID] = !trim.Incomplete[d.ComputerID]
		}
	}
	var p Plan
	i := 0 // next stored installation
	for g := 0; g < len(order); {
		first := pushed[order[g]]
		key := first.Program.Key()
		last := g
		for last+1 < len(order) && sameKey(pushed[order[last+1]], first.ComputerID, key) {
			last++
		}
		d := pushed[order[last]]
		d.Program = first.Program // first spelling
		g = last + 1
		for ; i < len(stored) && compareKey(stored[i], d.ComputerID, key) < 0; i++ {
			p.remove(stored[i], trimmed, at)
		}
		if i < len(stored) && compareKey(stored[i], d.ComputerID, key) == 0 {
			p.change(stored[i], d, at)
			i++
			continue
		}
		p.Installs = append(p.Installs, Installation{ComputerID: d.ComputerID, Program: d.Program, Version: d.Version, InstalledAt: at, ChangedAt: at})
		p.Events = append(p.Events, Event{ComputerID: d.ComputerID, Program: d.Program, Kind: EventInstalled, ToVersion: d.Version, At: at})
	}
	for ; i < len(stored); i++ {
		p.remove(stored[i], trimmed, at)
	}
	return p
}

// pushOrder is the order of pushed by computer and program key, records of
// one key in their push order.
func pushOrder(pushed []Desired) []int32 {
	order := make([]int32, len(pushed))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		x, y := &pushed[a], &pushed[b]
		return cmp.Or(cmp.Compare(x.ComputerID, y.ComputerID), cmp.Compare(x.Program.Key(), y.Program.Key()), cmp.Compare(a, b))
	})
	return order
}

func sameKey(d Desired, computerID, key string) bool {
	return d.ComputerID == computerID && d.Program.Key() == key
}

func compareKey(s Installation, computerID, key string) int {
	return cmp.Or(cmp.Compare(s.ComputerID, computerID), cmp.Compare(s.Program.Key(), key))
}

// change adds to p what record d does to its stored installation s.
func (p *Plan) change(s Installation, d Desired, at time.Time) {
	switch {
	case s.Removed:
		s.Removed, s.Version, s.ChangedAt = false, d.Version, at
		p.Reinstalls = append(p.Reinstalls, s)
		p.Events = append(p.Events, Event{ComputerID: d.ComputerID, Program: s.Program, Kind: EventInstalled, ToVersion: d.Version, At: at})
	case s.Version != d.Version:
		from := s.Version
		s.Version, s.ChangedAt = d.Version, at
		p.Updates = append(p.Updates, s)
		p.Events = append(p.Events, Event{ComputerID: d.ComputerID, Program: s.Program, Kind: EventUpdated, FromVersion: from, ToVersion: d.Version, At: at})
	default:
		p.Unchanged++
	}
}

// remove adds to p the removal of s, a stored installation the push does
// not name, when its computer is trimmed and s is present.
func (p *Plan) remove(s Installation, trimmed map[string]bool, at time.Time) {
	if s.Removed || !trimmed[s.ComputerID] {
		return
	}
	s.Removed, s.ChangedAt = true, at
	p.Removals = append(p.Removals, s)
	p.Events = append(p.Events, Event{ComputerID: s.ComputerID, Program: s.Program, Kind: EventRemoved, FromVersion: s.Version, At: at})
}

func compareInstallations(a, b Installation) int {
	return cmp.Or(cmp.Compare(a.ComputerID, b.ComputerID), cmp.Compare(a.Program.Key(), b.Program.Key()))
}
