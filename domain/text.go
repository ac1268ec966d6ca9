package domain

import (
	"fmt"
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
// required. It returns the trimmed text and adds any problem to v at path,
// worded after the path's last name ("name is required").
func Text(v *ValidationError, s string, required bool, maxLen int, path ...any) string {
	s = strings.TrimSpace(s)
	field := "the text"
	if len(path) > 0 {
		if name, ok := path[len(path)-1].(string); ok {
			field = name
		}
	}
	switch n := utf8.RuneCountInString(s); {
	case required && n == 0:
		v.Problems = append(v.Problems, FieldError{Path: path, Type: TypeStringTooShort, Params: map[string]any{"min_length": 1},
			Message: field + " is required"})
	case n > maxLen:
		v.Problems = append(v.Problems, FieldError{Path: path, Type: TypeStringTooLong, Params: map[string]any{"max_length": maxLen},
			Message: fmt.Sprintf("%s must be at most %d characters", field, maxLen)})
	}
	return s
}

// Name is Text for a required display name of 1 to MaxNameLen characters.
func Name(v *ValidationError, s string, path ...any) string {
	return Text(v, s, true, MaxNameLen, path...)
}
