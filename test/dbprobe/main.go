// Command dbprobe tells, before the tests run, which database servers answer,
// so that a skipped backend is said loudly rather than buried in test output.
// It exits non-zero when PARC_TEST_REQUIRE names a backend that does not answer.
package main

import (
	"fmt"
	"os"

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
	if failed {
		os.Exit(1)
	}
}
