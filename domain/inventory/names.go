// Package inventory is the software inventory of a company's computers: the
// records its agents push, the installations they become, the history of
// every change, and the merge of a push into what is stored (a pure function).
package inventory

import (
	"strings"

	"github.com/parc-hq/parc/domain/client"
)

// Limits of the texts of a record, in characters (the sizes of their columns).
const (
	MaxComputerNameLen = client.MaxNameLen
	MaxProgramLen      = 255
	MaxVersionLen      = 128
)

// ComputerName is a computer's name as an agent spelt it (Display) and the
// key it is matched by (Key): the equipment name key of package client, so
// that the push finds the same equipment the clients area manages.
type ComputerName struct {
	display string
	key     string
}

// NewComputerName keeps s trimmed for display; it does not validate (see
// ValidateRecords).
func NewComputerName(s string) ComputerName {
	return ComputerName{display: strings.TrimSpace(s), key: client.NormaliseName(s)}
}

func (n ComputerName) Display() string { return n.display }
func (n ComputerName) Key() string     { return n.key }

// ProgramName is a program's name for display and its matching key: names
// match without regard to case or surrounding spaces, like computer names.
type ProgramName struct {
	display string
	key     string
}

// NewProgramName keeps s trimmed for display; it does not validate.
func NewProgramName(s string) ProgramName {
	return ProgramName{display: strings.TrimSpace(s), key: ProgramKey(s)}
}

// RestoreProgramName rebuilds a stored program name.
func RestoreProgramName(display, key string) ProgramName {
	return ProgramName{display: display, key: key}
}

// ProgramKey is the key program names are matched by.
func ProgramKey(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// ComputerKey is the key computer names are matched by (client.NormaliseName).
func ComputerKey(s string) string { return client.NormaliseName(s) }

func (n ProgramName) Display() string { return n.display }
func (n ProgramName) Key() string     { return n.key }
