package client

import (
	"strings"
)

// IDs of clients, sites and equipment are UUIDs kept as plain strings in
// their canonical form: lower-case, hyphenated (what ports.IDGenerator mints).
// Ids from the outside go through ParseID first, so that an upper-case or
// hyphenless spelling finds the same row and a malformed one is a 422, not a
// 404.

// ParseID validates s as a UUID and returns its canonical form. It accepts
// what pydantic accepts: 32 hex digits, the hyphenated 8-4-4-4-12 form, and
// that form in braces or after "urn:uuid:"; hex digits in either case.
// Otherwise the error is TypeUUIDParsing at path {field}, with s as
// Params["input"] (the HTTP adapter explains what is wrong with it).
func ParseID(field, s string) (string, error) {
	if id, ok := canonicalUUID(s); ok {
		return id, nil
	}
	return "", invalid(TypeUUIDParsing, map[string]any{"input": s}, field)
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
