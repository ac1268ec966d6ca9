package httpapi

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestHistoryComputerName(t *testing.T) {
	const prefix = "/client-data/computers/"
	cases := []struct {
		escaped, name string
		ok            bool
	}{
		{"/client-data/computers/PC-1/history", "PC-1", true},
		{"/client-data/computers/PC%2F7/history", "PC/7", true},
		{"/client-data/computers/Compta%2050%25/history", "Compta 50%", true},
		{"/client-data/computers/PC/7/history", "", false},
		{"/client-data/computers//history", "", false},
		{"/client-data/computers/PC-1/events", "", false},
		{"/client-data/computers/PC-1/history/", "", false},
		{"/client-data/computers/%zz/history", "", false},
		{"/other/computers/PC-1/history", "", false},
	}
	for _, c := range cases {
		name, ok := historyComputerName(c.escaped, prefix)
		assert.Equal(t, c.ok, ok, c.escaped)
		assert.Equal(t, c.name, name, c.escaped)
	}
}
