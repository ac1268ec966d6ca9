package dataset

import (
	"bytes"
	"encoding/json"
)

// A RelationalDataSet may carry a million rows. They are read in place, in
// the request's document, rather than decoded into a map each: the batch
// keeps, per row, where its object and its code are (see Span and key), and
// decodes a row's fields only when its chunk is planned.

// Span locates a JSON value in a batch's document: Doc[Start:End]. Offsets
// are 32-bit (a document is at most MaxDocSize bytes) to keep the batch's
// per-row index small.
type Span struct{ Start, End uint32 }

// MaxDocSize is the largest document a BatchInput may refer into.
const MaxDocSize = 1<<32 - 1

// SpanOf is the Span of doc[start:end].
func SpanOf(start, end int) Span { return Span{Start: uint32(start), End: uint32(end)} }

func (s Span) len() int { return int(s.End) - int(s.Start) }

// in returns the bytes of s in doc, or nil when s is not within doc.
func (s Span) in(doc []byte) []byte {
	if s.Start > s.End || int(s.End) > len(doc) {
		return nil
	}
	return doc[s.Start:s.End:s.End]
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(doc []byte, i int) int {
	for i < len(doc) && isSpace(doc[i]) {
		i++
	}
	return i
}

// skipString returns the offset just past the string that starts at i (its
// opening quote), or len(doc) when it does not end.
func skipString(doc []byte, i int) int {
	for i++; i < len(doc); i++ {
		switch doc[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(doc)
}

// skipValue returns the offset just past the value that starts at i. It
// expects valid JSON (what it returns for anything else is within doc but
// unspecified; the walkers below then report the shape as wrong).
func skipValue(doc []byte, i int) int {
	if i >= len(doc) {
		return len(doc)
	}
	switch doc[i] {
	case '"':
		return skipString(doc, i)
	case '{', '[':
		depth := 0
		for ; i < len(doc); i++ {
			switch doc[i] {
			case '"':
				i = skipString(doc, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return len(doc)
	}
	for i < len(doc) && !isSpace(doc[i]) && doc[i] != ',' && doc[i] != ']' && doc[i] != '}' && doc[i] != ':' {
		i++
	}
	return i
}

// elements calls fn with each element of the JSON array s of doc, in order,
// until fn returns false; it returns false when s is not an array.
func elements(doc []byte, s Span, fn func(e Span) bool) bool {
	raw := s.in(doc)
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '[' {
		return false
	}
	if i = skipSpace(raw, i+1); i < len(raw) && raw[i] == ']' {
		return true
	}
	for i < len(raw) {
		end := skipValue(raw, i)
		if end == i {
			return false
		}
		if !fn(SpanOf(int(s.Start)+i, int(s.Start)+end)) {
			return true
		}
		i = skipSpace(raw, end)
		switch {
		case i < len(raw) && raw[i] == ',':
			i = skipSpace(raw, i+1)
		case i < len(raw) && raw[i] == ']':
			return true
		default:
			return false
		}
	}
	return false
}

// member is one member of a row object: its name (escapes decoded) and its
// value, where the document holds it.
type member struct {
	name  string
	value Span
}

// members calls fn with each member of the JSON object s of doc, in order,
// until fn returns false; it returns false when s is not an object.
func members(doc []byte, s Span, fn func(name string, value Span) bool) bool {
	raw := s.in(doc)
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return false
	}
	if i = skipSpace(raw, i+1); i < len(raw) && raw[i] == '}' {
		return true
	}
	for i < len(raw) && raw[i] == '"' {
		end := skipString(raw, i)
		name, ok := jsonString(raw[i:end])
		if !ok {
			return false
		}
		if i = skipSpace(raw, end); i >= len(raw) || raw[i] != ':' {
			return false
		}
		i = skipSpace(raw, i+1)
		vend := skipValue(raw, i)
		if vend == i {
			return false
		}
		if !fn(name, SpanOf(int(s.Start)+i, int(s.Start)+vend)) {
			return true
		}
		i = skipSpace(raw, vend)
		switch {
		case i < len(raw) && raw[i] == ',':
			i = skipSpace(raw, i+1)
		case i < len(raw) && raw[i] == '}':
			return true
		default:
			return false
		}
	}
	return false
}

// appendMembers appends the members of the JSON object s of doc to ms, in
// order; ok is false when s is not an object.
func appendMembers(ms []member, doc []byte, s Span) (_ []member, ok bool) {
	ok = members(doc, s, func(name string, value Span) bool {
		ms = append(ms, member{name: name, value: value})
		return true
	})
	return ms, ok
}

// jsonString decodes a JSON string (quotes included).
func jsonString(raw []byte) (string, bool) {
	if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' && bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1]), true
	}
	var s string
	return s, json.Unmarshal(raw, &s) == nil
}
