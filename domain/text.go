package domain

import (
	"strings"
	"unicode/utf8"
)

// MaxNameLen bounds every display name (companies, projects, accounts,
// clients, sites), in characters.
const MaxNameLen = 200

// Types of the text problems, with their Params.
const (
	TypeStringTooShort = "string_too_short" // Params "min_length"
	TypeStringTooLong  = "string_too_long"  // Params "max_length"
)

// Text is the one rule of the free texts of every area: surrounding white
// space is trimmed, then the text keeps at most maxLen characters (as
// Unicode code points, which is how pydantic counts), and at least one when
// required. It returns the trimmed text and adds any problem to v at path.
func Text(v *ValidationError, s string, required bool, maxLen int, path ...any) string {
	s = strings.TrimSpace(s)
	switch n := utf8.RuneCountInString(s); {
	case required && n == 0:
		v.Add(TypeStringTooShort, Params{"min_length": 1}, path...)
	case n > maxLen:
		v.Add(TypeStringTooLong, Params{"max_length": maxLen}, path...)
	}
	return s
}

// Name is Text for a required display name of 1 to MaxNameLen characters.
func Name(v *ValidationError, s string, path ...any) string {
	return Text(v, s, true, MaxNameLen, path...)
}
