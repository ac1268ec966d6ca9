package client

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Limits of the facts an inventory agent reports, in characters (the sizes
// of their columns).
const (
	MaxFactLen     = 128 // manufacturer, model, OS name and version, tag
	MaxDeviceIDLen = 255
	MaxAgentLen    = 32
)

// Agent kinds: which inventory agent reported an equipment.
const (
	AgentOCS             = "ocsinventory"
	AgentFusionInventory = "fusioninventory"
	AgentGLPI            = "glpi-agent"
)

// Facts are what an inventory agent reports about the machine it runs on,
// beyond its name, address and software. The zero value reports nothing.
type Facts struct {
	Serial       string // the machine's serial number (BIOS)
	Manufacturer string
	Model        string
	OSName       string
	OSVersion    string
	DeviceID     string // the agent's id of its installation
	Agent        string // AgentOCS, AgentFusionInventory or AgentGLPI
	Tag          string // the agent's --tag, as given
}

// Clean makes every fact fit its column: control characters and
// surrounding spaces removed, texts cut at their length. An agent's report is
// taken as it is, never refused for a long model name.
func (f Facts) Clean() Facts {
	return Facts{
		Serial: Fit(f.Serial, MaxSerialLen), Manufacturer: Fit(f.Manufacturer, MaxFactLen), Model: Fit(f.Model, MaxFactLen),
		OSName: Fit(f.OSName, MaxFactLen), OSVersion: Fit(f.OSVersion, MaxFactLen), DeviceID: Fit(f.DeviceID, MaxDeviceIDLen),
		Agent: Fit(f.Agent, MaxAgentLen), Tag: Fit(f.Tag, MaxFactLen),
	}
}

// Fit removes C0 control characters and surrounding spaces from s, makes it
// valid UTF-8 and cuts it at max characters.
func Fit(s string, max int) string {
	if fits(s, max) {
		return s // most texts: nothing to remove, no copy
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.TrimSpace(strings.Map(func(r rune) rune {
		if r < 0x20 {
			return -1
		}
		return r
	}, s))
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	n := 0
	for i := range s {
		if n == max {
			return strings.TrimSpace(s[:i])
		}
		n++
	}
	return s
}

// RecordInventory keeps what an agent reported at time at: its facts (a
// serial it gives replaces the stored one; an empty one keeps it) and the
// time of the inventory. An inventory older than the last one changes
// nothing, as MarkSeen does for the address.
func (e *Equipment) RecordInventory(f Facts, at time.Time) {
	at = stamp(at)
	if at.Before(e.lastInventory) {
		return
	}
	f = f.Clean()
	if f.Serial != "" {
		e.serial = f.Serial
	}
	f.Serial = e.serial
	e.facts = f
	e.lastInventory = at
}

// Facts are the agent's last report; Serial is the equipment's serial.
func (e Equipment) Facts() Facts {
	f := e.facts
	f.Serial = e.serial
	return f
}

// LastInventory is the time of the agent's last inventory; zero when no
// agent ever sent one.
func (e Equipment) LastInventory() time.Time { return e.lastInventory }

// SiteByTag picks the site an agent's tag names, among the company's sites
// named so (see SameName): the only active one. Several active sites of that
// name leave the choice to a person, as does none.
func SiteByTag(candidates []Site) (Site, bool) {
	var found []Site
	for _, s := range candidates {
		if s.Active() {
			found = append(found, s)
		}
	}
	if len(found) != 1 {
		return Site{}, false
	}
	return found[0], true
}

// SameName reports whether a site name and an agent's tag are the same
// name: compared as equipment names are (NormaliseName).
func SameName(nom, tag string) bool { return NormaliseName(nom) == NormaliseName(tag) }

// fits reports a text Fit leaves as it is: valid UTF-8, at most max
// characters, no control character, no surrounding space.
func fits(s string, max int) bool {
	ascii := true
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20:
			return false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	if strings.TrimSpace(s) != s {
		return false
	}
	if ascii {
		return len(s) <= max
	}
	return utf8.ValidString(s) && utf8.RuneCountInString(s) <= max
}
