package inventory

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/parc-hq/parc/domain"
)

func TestAgentProgram(t *testing.T) {
	for _, c := range []struct{ name, arch, want string }{
		{"libc6:amd64", "amd64", "libc6:amd64"}, // OCS, multi-arch
		{"libc6", "amd64", "libc6:amd64"},       // FusionInventory
		{"libc6:i386", "i386", "libc6:i386"},    // the other architecture stays another program
		{"bash", "amd64", "bash:amd64"},
		{"tzdata", "all", "tzdata:all"},
		{"7-Zip 23.01 (x64)", "", "7-Zip 23.01 (x64)"},
		{"  pkg\x00 ", " amd64 ", "pkg:amd64"},
		{"", "amd64", ":amd64"},
	} {
		if got := AgentProgram(c.name, c.arch); got != c.want {
			t.Errorf("AgentProgram(%q, %q) = %q, want %q", c.name, c.arch, got, c.want)
		}
	}
	long := AgentProgram(strings.Repeat("é", 400), "amd64")
	if n := len([]rune(long)); n != MaxProgramLen || !strings.HasSuffix(long, ":amd64") {
		t.Errorf("a long name keeps its architecture within %d characters: %d %q", MaxProgramLen, n, long[len(long)-8:])
	}
}

func TestReportRecords(t *testing.T) {
	ip := netip.MustParseAddr("10.0.0.5")
	recs, err := ReportRecords(Report{Computer: " PC-01 ", IP: ip, Software: []Software{
		{Name: "bash", Version: "5.2", Arch: "amd64"}, {Name: "Notepad"}, {Name: "", Version: "1"}, {Name: "x", Version: strings.Repeat("9", 200)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[0].Computer.Key() != "pc-01" || recs[0].IP != ip || recs[1].Version != "" || len(recs[2].Version) != MaxVersionLen {
		t.Fatalf("records %+v", recs)
	}
	for name, r := range map[string]Report{
		"no name":   {Computer: " \t"},
		"long name": {Computer: strings.Repeat("n", MaxComputerNameLen+1)},
		"too many":  {Computer: "pc", Software: make([]Software, MaxReportSoftware+1)},
	} {
		if _, err := ReportRecords(r); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
}
