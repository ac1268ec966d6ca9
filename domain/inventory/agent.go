package inventory

import (
	"net/netip"
	"strings"
	"unicode/utf8"

	"github.com/parc-hq/parc/domain"
	"github.com/parc-hq/parc/domain/client"
)

// MaxReportSoftware bounds the software list of one agent inventory: a
// computer lists a few thousand packages at most.
const MaxReportSoftware = 50_000

// maxArchLen bounds an architecture ("amd64", "x86_64", "noarch").
const maxArchLen = 32

// Software is one package as an inventory agent lists it.
type Software struct {
	Name    string
	Version string // "" when the agent gave none (common on Windows)
	Arch    string // "" when the agent gave none
}

// Report is an inventory agent's report of one computer. Its software list
// is complete: what it does not list is no longer installed.
type Report struct {
	Computer string     // the computer's name (HARDWARE/NAME)
	IP       netip.Addr // zero when the agent gave none
	Software []Software
	Facts    client.Facts
}

// AgentProgram is the program name under which an agent's package is kept,
// whichever agent sent it: the package name, then ":" and its architecture
// when the agent gave one (dpkg's notation, "libc6:amd64"). The OCS agent
// already writes some names so ("libc6:amd64" with ARCHITECTURE amd64),
// FusionInventory never ("libc6" with ARCH amd64): both become
// "libc6:amd64", and two packages differing only by architecture stay two
// programs.
func AgentProgram(name, arch string) string {
	arch = client.Fit(arch, maxArchLen)
	name = strings.TrimSpace(name)
	if arch == "" {
		return client.Fit(name, MaxProgramLen)
	}
	suffix := ":" + arch
	if len(name) > len(suffix) && strings.EqualFold(name[len(name)-len(suffix):], suffix) {
		name = name[:len(name)-len(suffix)]
	}
	return client.Fit(name, MaxProgramLen-utf8.RuneCountInString(suffix)) + suffix
}

// ReportRecords turns a report into the records of a push: one per package
// with a name (a nameless entry names nothing and is skipped), texts made to
// fit their columns rather than refused, a missing version kept as "". A
// report without a usable computer name, or with more than
// MaxReportSoftware packages, is refused (domain.ErrInvalid).
func ReportRecords(r Report) ([]Record, error) {
	name := client.Fit(r.Computer, MaxComputerNameLen+1)
	switch {
	case name == "":
		return nil, domain.Rejected("the inventory names no computer (HARDWARE/NAME is empty or missing)")
	case utf8.RuneCountInString(name) > MaxComputerNameLen:
		return nil, domain.Rejected("the computer name is longer than %d characters", MaxComputerNameLen)
	case len(r.Software) > MaxReportSoftware:
		return nil, domain.Rejected("the inventory lists %d packages, more than %d", len(r.Software), MaxReportSoftware)
	}
	computer := NewComputerName(name)
	out := make([]Record, 0, len(r.Software))
	for _, s := range r.Software {
		program := AgentProgram(s.Name, s.Arch)
		if program == "" || strings.HasPrefix(program, ":") {
			continue
		}
		out = append(out, Record{Computer: computer, IP: r.IP, Program: NewProgramName(program), Version: client.Fit(s.Version, MaxVersionLen)})
	}
	return out, nil
}
