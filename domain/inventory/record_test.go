package inventory_test

import (
	"fmt"
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
	assert.Equal(t, 3, v.Accepted)
	assert.Equal(t, 4, v.Rejected)
	assert.Equal(t, 8, v.ProblemCount)
	require.Len(t, v.Computers, 3)
	assert.Equal(t, "PC-1", v.Computers[0].Name.Display())
	assert.Equal(t, "pc-1", v.Computers[0].Name.Key())
	assert.Equal(t, netip.MustParseAddr("10.0.0.1"), v.Computers[0].IP)
	assert.False(t, v.Computers[1].IP.IsValid())
	assert.Equal(t, []inventory.Install{{Computer: "pc-1", Program: inventory.NewProgramName("Chrome"), Version: "119"},
		{Computer: "pc-2", Program: inventory.NewProgramName("Zip"), Version: "1"}, {Computer: "pc-3", Program: inventory.NewProgramName("p"), Version: "v"}}, installs(v, 10))
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
			require.Equal(t, 1, v.Accepted, "the other record stays valid")
			assert.Equal(t, 1, v.Rejected)
			require.Len(t, v.Problems, 1)
			assert.Equal(t, inventory.Problem{Index: 0, Field: c.field, Type: inventory.ProblemControl}, v.Problems[0])
		})
	}
	valid := inventory.ValidateRecords([]inventory.RawRecord{{ComputerName: "PC é", Program: "p\u007f", Version: "1 ✓"}})
	assert.Equal(t, 1, valid.Accepted, "DEL and non-ASCII text are fine")
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
	cs := v.Computers
	require.Len(t, cs, 2)
	assert.Equal(t, "PC-A", cs[0].Name.Display())
	assert.False(t, cs[0].IP.IsValid())
	assert.Equal(t, "PC-B", cs[1].Name.Display())
	assert.Equal(t, netip.MustParseAddr("10.0.0.2"), cs[1].IP)
}

func TestValidatorMergesDuplicatesAndBoundsItsProblems(t *testing.T) {
	v := inventory.NewValidator(2)
	for _, r := range []inventory.RawRecord{
		{ComputerName: "PC-1", Program: "Zip", Version: "1"},
		{ComputerName: "pc-1", Program: "zip ", Version: "2"},
		{NotObject: true}, {NotObject: true}, {NotObject: true},
		{ComputerName: "PC-1", Program: "ZIP", Version: "3"},
	} {
		v.Add(r)
	}
	got := v.Validation()
	assert.Equal(t, 3, got.Accepted)
	assert.Equal(t, 3, got.Rejected)
	assert.Equal(t, 3, got.ProblemCount)
	assert.Len(t, got.Problems, 2, "at most the maximum is listed")
	assert.Equal(t, []inventory.Install{{Computer: "pc-1", Program: inventory.NewProgramName("Zip"), Version: "3"}}, installs(got, 10),
		"one installation per computer and program: the last version, the first spelling")
}

// installs are every installation of v, checking that each chunk holds
// whole computers, those of its installations.
func installs(v inventory.Validation, n int) []inventory.Install {
	var out []inventory.Install
	seen := 0
	for computers, chunk := range v.Installs(n) {
		if computers[0].Name.Key() != chunk[0].Computer || computers[len(computers)-1].Name.Key() != chunk[len(chunk)-1].Computer {
			panic("a chunk's computers are not those of its installations")
		}
		seen += len(computers)
		out = append(out, chunk...)
	}
	if seen != len(v.Computers) {
		panic("computers left out of the chunks")
	}
	return out
}

func TestInstallsComeInChunksOfWholeComputers(t *testing.T) {
	var raw []inventory.RawRecord
	for c := range 5 {
		for p := range c + 1 {
			raw = append(raw, inventory.RawRecord{ComputerName: fmt.Sprintf("PC-%d", 4-c), Program: fmt.Sprintf("P%d", p), Version: "1"})
		}
	}
	v := inventory.ValidateRecords(raw)
	var sizes []int
	for computers, chunk := range v.Installs(3) {
		sizes = append(sizes, len(chunk))
		for _, in := range chunk {
			assert.Contains(t, []string{computers[0].Name.Key(), computers[len(computers)-1].Name.Key(), in.Computer}, in.Computer)
		}
	}
	assert.Equal(t, []int{5, 4, 3, 3}, sizes, "PC-0 has 5, PC-1 4, PC-2 3, PC-3 and PC-4 2 and 1")
	assert.Len(t, installs(v, 1), 15)
}

func TestValidatorMergesAsItGoes(t *testing.T) {
	v := inventory.NewValidator(0)
	n := 3*(1<<16) + 5 // past a few merges
	for i := range n {
		program := fmt.Sprintf("Program %d", i%100)
		if i >= 700 { // every installation has had its first record
			program = strings.ToUpper(program) // later spellings do not replace the first
		}
		v.Add(inventory.RawRecord{ComputerName: fmt.Sprintf("PC-%d", i%7), Program: program, Version: fmt.Sprint(i)})
	}
	got := v.Validation()
	all := installs(got, 50)
	require.Len(t, all, 700)
	assert.Equal(t, n, got.Accepted)
	last := map[string]string{}
	for i := range n {
		last[fmt.Sprintf("pc-%d/program %d", i%7, i%100)] = fmt.Sprint(i)
	}
	for _, in := range all {
		assert.Equal(t, last[in.Computer+"/"+in.Program.Key()], in.Version)
		assert.True(t, strings.HasPrefix(in.Program.Display(), "Program "), in.Program.Display())
	}
}
