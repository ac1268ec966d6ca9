// Package jsonview reads valid JSON in place: the members of an object and
// the elements of an array as sub-slices of the document, so that a large
// body or a stored document is read without a second copy of its values.
// The functions expect JSON that json.Valid accepted (a request checked
// first, or a document Parc stored); what they return for anything else is
// within the document but unspecified.
package jsonview

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// SkipValue returns the offset just past the value that starts at i.
func SkipValue(doc []byte, i int) int {
	depth := 0
	for ; i < len(doc); i++ {
		switch doc[i] {
		case '"':
			i = SkipString(doc, i)
			if depth == 0 {
				return i + 1
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i + 1
			}
		case ' ', '\t', '\n', '\r':
		case ',', ':':
		default:
			if depth == 0 { // a number or a literal
				j := i
				for j < len(doc) && !endsLiteral(doc[j]) {
					j++
				}
				return j
			}
		}
	}
	return len(doc)
}

// SkipString returns the offset of the closing quote of the string that
// starts at i.
func SkipString(doc []byte, i int) int {
	for i++; i < len(doc); i++ {
		switch doc[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return len(doc)
}

// SkipSpace returns the offset of the first byte at or after i that is not
// JSON whitespace.
func SkipSpace(doc []byte, i int) int {
	for i < len(doc) && (doc[i] == ' ' || doc[i] == '\t' || doc[i] == '\n' || doc[i] == '\r') {
		i++
	}
	return i
}

// EachMember calls fn with each member of the object doc, in order: its
// key, its value (sharing doc's memory) and the value's offset in doc; ok
// is false when doc is not an object.
func EachMember(doc []byte, fn func(key string, value []byte, start int)) (ok bool) {
	return EachRawMember(doc, func(quotedKey, value []byte, start int) bool {
		key, ok := Unquote(quotedKey)
		if ok {
			fn(key, value, start)
		}
		return ok
	})
}

// EachRawMember is EachMember with each key as written, quotes included
// and sharing doc's memory, for a reader that can do without a string per
// key; it stops, ok false, when fn returns false.
func EachRawMember(doc []byte, fn func(quotedKey, value []byte, start int) bool) (ok bool) {
	i := SkipSpace(doc, 0)
	if i >= len(doc) || doc[i] != '{' {
		return false
	}
	i = SkipSpace(doc, i+1)
	for i < len(doc) && doc[i] == '"' {
		end := SkipString(doc, i)
		if end >= len(doc) {
			return false
		}
		key := doc[i : end+1 : end+1]
		i = SkipSpace(doc, end+1) + 1 // past the colon
		i = SkipSpace(doc, i)
		if i >= len(doc) {
			return false // not JSON: the callers check it first
		}
		vend := SkipValue(doc, i)
		if !fn(key, doc[i:vend:vend], i) {
			return false
		}
		i = SkipSpace(doc, vend)
		if i < len(doc) && doc[i] == ',' {
			i = SkipSpace(doc, i+1)
		}
	}
	return true
}

// EachElement calls fn with each element of the array doc, sharing its
// memory; ok is false when doc is not an array.
func EachElement(doc []byte, fn func(item []byte)) (ok bool) {
	i := SkipSpace(doc, 0)
	if i >= len(doc) || doc[i] != '[' {
		return false
	}
	i = SkipSpace(doc, i+1)
	for i < len(doc) && doc[i] != ']' {
		end := SkipValue(doc, i)
		fn(doc[i:end:end])
		i = SkipSpace(doc, end)
		if i < len(doc) && doc[i] == ',' {
			i = SkipSpace(doc, i+1)
		}
	}
	return true
}

func endsLiteral(b byte) bool {
	switch b {
	case ' ', '\t', '\r', '\n', ',', ']', '}', ':':
		return true
	}
	return false
}

// Unquote decodes a JSON string, quotes included. Only strings with escapes
// (or bytes that are not UTF-8, which the decoder replaces) go through
// encoding/json: object keys seldom have either.
func Unquote(quoted []byte) (string, bool) {
	if len(quoted) >= 2 && quoted[0] == '"' && quoted[len(quoted)-1] == '"' && bytes.IndexByte(quoted, '\\') < 0 && utf8.Valid(quoted) {
		return string(quoted[1 : len(quoted)-1]), true
	}
	var s string
	err := json.Unmarshal(quoted, &s)
	return s, err == nil
}
