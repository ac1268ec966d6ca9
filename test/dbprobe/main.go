// Command dbprobe tells, before the tests run, which database servers answer,
// so that a skipped backend is said loudly rather than buried in test output.
// It exits non-zero when PARC_TEST_REQUIRE names a backend that does not answer.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"

	"github.com/parc-hq/parc/test/dbtest"
)

func main() {
	failed := false
	for _, b := range dbtest.ProbedBackends() {
		switch err := b.Probe(); {
		case err == nil:
			fmt.Printf("dbprobe: %-8s available\n", b.Name)
		case b.Required():
			fmt.Printf("dbprobe: %-8s REQUIRED BUT UNAVAILABLE: %v\n", b.Name, err)
			failed = true
		default:
			fmt.Printf("\n**********\n** dbprobe: %s UNAVAILABLE, ITS TESTS WILL BE SKIPPED: %v\n** (set PARC_TEST_REQUIRE=%s to make this a failure)\n**********\n\n", b.Name, err, b.Name)
		}
	}
	if !agentsPresent() {
		failed = true
	}
	if failed {
		os.Exit(1)
	}
}

// agentsPresent says whether the inventory agents that test/agents runs are
// installed; false only when they are missing and PARC_TEST_REQUIRE names
// "agents".
func agentsPresent() bool {
	for _, bin := range []string{"fusioninventory-agent", "ocsinventory-agent"} {
		if _, err := exec.LookPath(bin); err != nil {
			if slices.Contains(strings.Split(os.Getenv("PARC_TEST_REQUIRE"), ","), "agents") {
				fmt.Printf("dbprobe: %s REQUIRED BUT NOT INSTALLED\n", bin)
				return false
			}
			fmt.Printf("\n**********\n** dbprobe: %s NOT INSTALLED, THE REAL-AGENT TESTS (test/agents) WILL BE SKIPPED\n** (apt-get install ocsinventory-agent fusioninventory-agent; PARC_TEST_REQUIRE=agents makes this a failure)\n**********\n\n", bin)
			return true
		}
	}
	fmt.Printf("dbprobe: %-8s available\n", "agents")
	return true
}
