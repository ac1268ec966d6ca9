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
	Installs  []Installation // new keys, and removed programs installed again
	Updates   []Installation // another version of a present program
	Removals  []Installation // full mode: present programs not re-sent
	Unchanged int            // present programs re-sent with the same version
	Events    []Event
	// Digests are the computers' digests to store once the rows are written
	// (see Digest); the caller of Merge sets them.
	Digests []ComputerDigest
}

// Writes are every row the plan changes, sorted by key.
func (p Plan) Writes() []Installation {
	out := make([]Installation, 0, len(p.Installs)+len(p.Updates)+len(p.Removals))
	out = append(append(append(out, p.Installs...), p.Updates...), p.Removals...)
	slices.SortFunc(out, compareInstallations)
	return out
}

// Empty reports a plan that writes nothing.
func (p Plan) Empty() bool {
	return len(p.Installs)+len(p.Updates)+len(p.Removals)+len(p.Digests) == 0
}

type installKey struct{ computer, program string }

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
func Merge(stored []Installation, pushed []Desired, trim Trim, at time.Time) Plan {
	current := make(map[installKey]Installation, len(stored))
	for _, s := range stored {
		current[installKey{s.ComputerID, s.Program.Key()}] = s
	}

	wanted := make(map[installKey]Desired, len(pushed))
	var order []installKey
	for _, d := range pushed {
		k := installKey{d.ComputerID, d.Program.Key()}
		prev, seen := wanted[k]
		if !seen {
			order = append(order, k)
		} else {
			d.Program = prev.Program // first spelling
		}
		wanted[k] = d
	}

	var p Plan
	for _, k := range order {
		d := wanted[k]
		s, known := current[k]
		switch {
		case !known:
			p.Installs = append(p.Installs, Installation{ComputerID: d.ComputerID, Program: d.Program, Version: d.Version, InstalledAt: at, ChangedAt: at})
			p.Events = append(p.Events, Event{ComputerID: d.ComputerID, Program: d.Program, Kind: EventInstalled, ToVersion: d.Version, At: at})
		case s.Removed:
			s.Removed, s.Version, s.ChangedAt = false, d.Version, at
			p.Installs = append(p.Installs, s)
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

	if trim.Full {
		trimmed := make(map[string]bool)
		for _, d := range pushed {
			trimmed[d.ComputerID] = !trim.Incomplete[d.ComputerID]
		}
		for _, s := range stored {
			k := installKey{s.ComputerID, s.Program.Key()}
			if _, named := wanted[k]; named || s.Removed || !trimmed[s.ComputerID] {
				continue
			}
			s.Removed, s.ChangedAt = true, at
			p.Removals = append(p.Removals, s)
			p.Events = append(p.Events, Event{ComputerID: s.ComputerID, Program: s.Program, Kind: EventRemoved, FromVersion: s.Version, At: at})
		}
	}

	slices.SortFunc(p.Installs, compareInstallations)
	slices.SortFunc(p.Updates, compareInstallations)
	slices.SortFunc(p.Removals, compareInstallations)
	slices.SortFunc(p.Events, func(a, b Event) int {
		return cmp.Or(cmp.Compare(a.ComputerID, b.ComputerID), cmp.Compare(a.Program.Key(), b.Program.Key()))
	})
	return p
}

func compareInstallations(a, b Installation) int {
	return cmp.Or(cmp.Compare(a.ComputerID, b.ComputerID), cmp.Compare(a.Program.Key(), b.Program.Key()))
}
