package inventory_test

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parc-hq/parc/domain/inventory"
)

func TestValidateRecords(t *testing.T) {
	raw := []inventory.RawRecord{
		{ComputerName: " PC-1 ", Program: "Chrome", Version: "119", IPAddress: "10.0.0.1"},
		{ComputerName: "pc-2", Program: "Zip", Version: "1", IPAddress: ""},
		{ComputerName: nil, Program: 5, Version: " ", IPAddress: "999.1.1.1"},
		{NotObject: true},
		{ComputerName: strings.Repeat("x", 256), Program: "p", Version: "v", IPAddress: "fe80::1%eth0"},
		{ComputerName: "pc", Program: "p", Version: "v", IPAddress: 7},
		{ComputerName: "pc-3", Program: "p", Version: "v", IPAddress: "::1"},
	}
	v := inventory.ValidateRecords(raw)
	require.Len(t, v.Valid, 3)
	assert.Equal(t, 4, v.Rejected)
	assert.Equal(t, "PC-1", v.Valid[0].Computer.Display())
	assert.Equal(t, "pc-1", v.Valid[0].Computer.Key())
	assert.Equal(t, netip.MustParseAddr("10.0.0.1"), v.Valid[0].IP)
	assert.False(t, v.Valid[1].IP.IsValid())
	assert.Equal(t, []inventory.Problem{
		{Index: 2, Field: "computer_name", Type: inventory.ProblemMissing},
		{Index: 2, Field: "program", Type: inventory.ProblemType},
		{Index: 2, Field: "version", Type: inventory.ProblemBlank},
		{Index: 2, Field: "ip_address", Type: inventory.ProblemIP},
		{Index: 3, Type: inventory.ProblemNotObject},
		{Index: 4, Field: "computer_name", Type: inventory.ProblemTooLong, Params: map[string]any{"max_length": 255}},
		{Index: 4, Field: "ip_address", Type: inventory.ProblemIP},
		{Index: 5, Field: "ip_address", Type: inventory.ProblemType},
	}, v.Problems)
}

func TestValidateRecordsRejectsControlCharacters(t *testing.T) {
	cases := []struct {
		name  string
		raw   inventory.RawRecord
		field string
	}{
		{"NUL in a computer name", inventory.RawRecord{ComputerName: "PC\x001", Program: "p", Version: "1"}, "computer_name"},
		{"NUL alone in a program", inventory.RawRecord{ComputerName: "PC", Program: "\x00", Version: "1"}, "program"},
		{"a tab inside a version", inventory.RawRecord{ComputerName: "PC", Program: "p", Version: "1\t2"}, "version"},
		{"a trailing newline", inventory.RawRecord{ComputerName: "PC\n", Program: "p", Version: "1"}, "computer_name"},
		{"unit separator", inventory.RawRecord{ComputerName: "PC", Program: "p\x1f", Version: "1"}, "program"},
		{"NUL in an address", inventory.RawRecord{ComputerName: "PC", Program: "p", Version: "1", IPAddress: "10.0.0.1\x00"}, "ip_address"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := inventory.ValidateRecords([]inventory.RawRecord{c.raw, {ComputerName: "PC", Program: "ok", Version: "1"}})
			require.Len(t, v.Valid, 1, "the other record stays valid")
			assert.Equal(t, 1, v.Rejected)
			require.Len(t, v.Problems, 1)
			assert.Equal(t, inventory.Problem{Index: 0, Field: c.field, Type: inventory.ProblemControl}, v.Problems[0])
		})
	}
	valid := inventory.ValidateRecords([]inventory.RawRecord{{ComputerName: "PC é", Program: "p\u007f", Version: "1 ✓"}})
	assert.Len(t, valid.Valid, 1, "DEL and non-ASCII text are fine")
}

func TestValidateRecordsNamesIncompleteComputers(t *testing.T) {
	v := inventory.ValidateRecords([]inventory.RawRecord{
		{ComputerName: "PC-F", Program: "Chrome", Version: "1"},
		{ComputerName: " pc-f ", Program: "Firefox", Version: ""},
		{ComputerName: "PC-G", Program: "Zip", Version: "1"},
		{ComputerName: 7, Program: "Zip", Version: ""},
		{NotObject: true},
	})
	assert.Equal(t, map[string]bool{"pc-f": true}, v.Incomplete)
}

func TestComputersTakesFirstSpellingAndLastAddress(t *testing.T) {
	v := inventory.ValidateRecords([]inventory.RawRecord{
		{ComputerName: "PC-B", Program: "a", Version: "1", IPAddress: "10.0.0.1"},
		{ComputerName: "pc-b", Program: "b", Version: "1", IPAddress: "10.0.0.2"},
		{ComputerName: "pc-b", Program: "c", Version: "1"},
		{ComputerName: "PC-A", Program: "a", Version: "1"},
	})
	cs := inventory.Computers(v.Valid)
	require.Len(t, cs, 2)
	assert.Equal(t, "PC-A", cs[0].Name.Display())
	assert.False(t, cs[0].IP.IsValid())
	assert.Equal(t, "PC-B", cs[1].Name.Display())
	assert.Equal(t, netip.MustParseAddr("10.0.0.2"), cs[1].IP)
}
