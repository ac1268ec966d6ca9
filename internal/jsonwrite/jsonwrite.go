// Package jsonwrite writes JSON straight into a byte slice, as
// encoding/json writes the same values: strings, and values already JSON
// (a json.RawMessage) compacted and HTML-escaped. The data API writes
// pages of rows and stores row documents with it, without a map per row
// nor the re-validation of values already checked.
package jsonwrite

import "encoding/json"

// AppendString appends s as encoding/json writes a string: plain ASCII
// as it is, anything else through the encoder itself.
func AppendString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, _ := json.Marshal(s)
			return append(dst, b...)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

// AppendCompact appends a valid JSON value without the whitespace
// between its tokens, escaping <, >, &, U+2028 and U+2029 in strings, as
// encoding/json does with a json.RawMessage. A value of no bytes is null.
// The bytes kept as they are go in runs, not one by one, found by table:
// writing a page of rows spent a twentieth of its time here.
func AppendCompact(dst, src []byte) []byte {
	if len(src) == 0 {
		return append(dst, "null"...)
	}
	start := 0 // the first byte not yet appended
	for i := 0; i < len(src); {
		for i < len(src) && !outsideString[src[i]] {
			i++
		}
		switch {
		case i == len(src):
		case src[i] == '"':
			dst, i, start = appendStringRest(dst, src, i+1, start)
		default: // whitespace between tokens
			dst = append(dst, src[start:i]...)
			i++
			start = i
		}
	}
	return append(dst, src[min(start, len(src)):]...)
}

// appendStringRest goes through a string of src from i, after its opening
// quote, to after its closing quote, appending what comes before each byte
// it escapes. It returns dst, the index after the string and the first
// byte not yet appended.
func appendStringRest(dst, src []byte, i, start int) ([]byte, int, int) {
	const hex = "0123456789abcdef"
	for i < len(src) {
		for i < len(src) && !inString[src[i]] {
			i++
		}
		if i == len(src) {
			break
		}
		switch c := src[i]; {
		case c == '"':
			return dst, i + 1, start
		case c == '\\':
			i += 2 // the escaped byte is kept as it is
		case c == 0xE2 && i+2 < len(src) && src[i+1] == 0x80 && src[i+2]&^1 == 0xA8:
			dst = append(dst, src[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[src[i+2]&0xF])
			i += 3
			start = i
		case c == 0xE2:
			i++
		default: // <, > or &
			dst = append(dst, src[start:i]...)
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			i++
			start = i
		}
	}
	return dst, i, start
}

// outsideString and inString mark the bytes AppendCompact looks at:
// between tokens, whitespace and the quote that opens a string; in a
// string, its closing quote, a backslash, the bytes escaped and the lead
// byte of U+2028 and U+2029.
var outsideString, inString = byteSet(" \t\n\r\""), byteSet("\"\\<>&\xE2")

func byteSet(bytes string) (set [256]bool) {
	for i := 0; i < len(bytes); i++ {
		set[bytes[i]] = true
	}
	return set
}
