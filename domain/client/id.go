package client

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// IDs of clients, sites and equipment are UUIDs kept as plain strings in
// their canonical form: lower-case, hyphenated (what ports.IDGenerator mints).
// Ids from the outside go through ParseID first, so that an upper-case or
// hyphenless spelling finds the same row and a malformed one is a 422, not a
// 404.

// ParseID validates s as a UUID and returns its canonical form. It accepts
// what pydantic accepts: 32 hex digits, the hyphenated 8-4-4-4-12 form, and
// that form in braces or after "urn:uuid:"; hex digits in either case.
// Otherwise the error is UUIDParsing(s) at path {field}.
func ParseID(field, s string) (string, error) {
	if id, ok := canonicalUUID(s); ok {
		return id, nil
	}
	return "", UUIDParsing(s).Invalid(field)
}

func canonicalUUID(s string) (string, bool) {
	switch {
	case len(s) == 38 && s[0] == '{' && s[37] == '}':
		s = s[1:37]
	case len(s) == 45 && strings.HasPrefix(s, urnPrefix):
		s = s[len(urnPrefix):]
	}
	var hex []byte
	switch len(s) {
	case 32:
		hex = []byte(s)
	case 36:
		for i := range 36 {
			if isHyphenPos(i) != (s[i] == '-') {
				return "", false
			}
		}
		hex = []byte(s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:36])
	default:
		return "", false
	}
	for i, c := range hex {
		if !isHex(rune(c)) {
			return "", false
		}
		if c >= 'A' && c <= 'F' {
			hex[i] = c + 'a' - 'A'
		}
	}
	h := string(hex)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32], true
}

func isHyphenPos(i int) bool { return i == 8 || i == 13 || i == 18 || i == 23 }

func isHex(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F'
}

const urnPrefix = "urn:uuid:"

// uuidCharError is the start of the message for a character that cannot be
// in a UUID. Recent pydantic-core releases (a newer Rust uuid crate) shorten
// it to "invalid character: found `x` at 1"; this follows the longer wording
// of the releases FastAPI services were deployed with.
const uuidCharError = "invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found"

// UUIDError explains why s is not a UUID, in the words of the Rust uuid crate
// that pydantic-core reports (the text after "Input should be a valid UUID, ").
// Its logic is the crate's, quirks included: positions are 1-based byte
// offsets; the first character that is neither a hex digit nor '-' wins;
// otherwise a string without hyphens has a bad length, then the hyphens are
// counted, then the groups measured left to right (the last group's length
// counts the braces or the "urn:uuid:" prefix too, as the crate does).
// The result is meaningless for a valid UUID.
func UUIDError(s string) string {
	if !utf8.ValidString(s) {
		return "non-UTF8 input"
	}
	body, offset, simple := s, 0, true
	switch {
	case len(s) >= 2 && s[0] == '{' && s[len(s)-1] == '}':
		body, offset, simple = s[1:len(s)-1], 1, false
	case strings.HasPrefix(s, urnPrefix):
		body, offset, simple = s[len(urnPrefix):], len(urnPrefix), false
	}
	hyphens := 0
	var bounds [4]int
	for i, r := range body {
		switch {
		case r == '-':
			if hyphens < 4 {
				bounds[hyphens] = i
			}
			hyphens++
		case !isHex(r):
			return fmt.Sprintf("%s `%c` at %d", uuidCharError, r, i+offset+1)
		}
	}
	switch {
	case hyphens == 0 && simple:
		return fmt.Sprintf("invalid length: expected length 32 for simple format, found %d", len(s))
	case hyphens != 4:
		return fmt.Sprintf("invalid group count: expected 5, found %d", hyphens+1)
	}
	starts := [5]int{0, 9, 14, 19, 24}
	lengths := [5]int{8, 4, 4, 4, 12}
	for g := range 4 {
		if bounds[g] != starts[g+1]-1 {
			return groupLengthError(g, lengths[g], bounds[g]-starts[g])
		}
	}
	return groupLengthError(4, lengths[4], len(s)-starts[4])
}

func groupLengthError(group, want, found int) string {
	return fmt.Sprintf("invalid group length in group %d: expected %d, found %d", group, want, found)
}
