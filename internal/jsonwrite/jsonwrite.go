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
// The bytes kept as they are go in runs, not one by one: writing a page of
// rows spent a twentieth of its time here.
func AppendCompact(dst, src []byte) []byte {
	if len(src) == 0 {
		return append(dst, "null"...)
	}
	const hex = "0123456789abcdef"
	inString, start := false, 0 // start: the first byte not yet appended
	for i := 0; i < len(src); i++ {
		c := src[i]
		if !inString {
			switch c {
			case ' ', '\t', '\n', '\r':
				dst = append(dst, src[start:i]...)
				start = i + 1
			case '"':
				inString = true
			}
			continue
		}
		switch {
		case c == '\\':
			i++ // the escaped byte is kept as it is
		case c == '"':
			inString = false
		case c == '<' || c == '>' || c == '&':
			dst = append(dst, src[start:i]...)
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			start = i + 1
		case c == 0xE2 && i+2 < len(src) && src[i+1] == 0x80 && src[i+2]&^1 == 0xA8:
			dst = append(dst, src[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[src[i+2]&0xF])
			i += 2
			start = i + 1
		}
	}
	return append(dst, src[min(start, len(src)):]...)
}
