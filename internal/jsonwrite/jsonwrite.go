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
func AppendCompact(dst, src []byte) []byte {
	if len(src) == 0 {
		return append(dst, "null"...)
	}
	const hex = "0123456789abcdef"
	inString, escaped := false, false
	for i := 0; i < len(src); i++ {
		c := src[i]
		if !inString {
			switch c {
			case ' ', '\t', '\n', '\r':
				continue
			case '"':
				inString = true
			}
			dst = append(dst, c)
			continue
		}
		switch {
		case escaped:
			escaped = false
		case c == '\\':
			escaped = true
		case c == '"':
			inString = false
		case c == '<' || c == '>' || c == '&':
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			continue
		case c == 0xE2 && i+2 < len(src) && src[i+1] == 0x80 && src[i+2]&^1 == 0xA8:
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[src[i+2]&0xF])
			i += 2
			continue
		}
		dst = append(dst, c)
	}
	return dst
}
