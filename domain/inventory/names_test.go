package inventory_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/parc-hq/parc/domain/client"
	"github.com/parc-hq/parc/domain/inventory"
)

func TestNamesMatchWithoutCaseOrSurroundingSpaces(t *testing.T) {
	for _, s := range []string{"PC-Compta", "  pc-compta ", "PC-COMPTA\t"} {
		n := inventory.NewComputerName(s)
		assert.Equal(t, "pc-compta", n.Key())
		assert.Equal(t, client.NormaliseName(s), n.Key(), "the equipment key of the clients area")
		assert.Equal(t, n.Key(), inventory.ComputerKey(s))
	}
	p := inventory.NewProgramName("  Google Chrome ")
	assert.Equal(t, "Google Chrome", p.Display())
	assert.Equal(t, "google chrome", p.Key())
	assert.Equal(t, p.Key(), inventory.ProgramKey("GOOGLE CHROME"))
}
