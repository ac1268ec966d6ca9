package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/gin-gonic/gin"

	"github.com/parc-hq/parc/domain"
)

// MalformedJSONError says where a request body stops being JSON. Line is 0
// when the body is JSON of the wrong shape: there is no position to give.
type MalformedJSONError struct {
	Offset       int64
	Line, Column int
	Reason       string
}

func (e *MalformedJSONError) Error() string {
	if e.Line == 0 {
		return e.Reason
	}
	return fmt.Sprintf("malformed JSON at line %d, column %d (byte %d): %s", e.Line, e.Column, e.Offset, e.Reason)
}

// readBody reads the whole body and checks its text (see textRule); past
// the size limit it fails with *http.MaxBytesError (see bodyGuard).
func readBody(c *gin.Context) ([]byte, error) {
	body, err := readRawBody(c)
	if err != nil {
		return nil, err
	}
	if err := textRuleOf(c).scanJSON(body); err != nil {
		return nil, err
	}
	return body, nil
}

// readRawBody reads the whole body, leaving the text rule to the caller.
// A body whose length was declared, and admitted by the body guard, is read
// into a buffer of that size: growing one as it arrives would copy it over
// and over, and hold up to twice its size at the end.
func readRawBody(c *gin.Context) ([]byte, error) {
	var body []byte
	var err error
	if g, ok := c.Request.Body.(*guardedBody); ok && g.declared && c.Request.ContentLength > 0 {
		body, err = readSized(g, c.Request.ContentLength)
	} else {
		body, err = io.ReadAll(c.Request.Body)
	}
	if err != nil {
		return nil, fmt.Errorf("read request body: %w", err)
	}
	return body, nil
}

// readSized reads r to its end into a buffer of size bytes, and one more
// so that the end is seen without growing it; it grows only when r holds
// more than size.
func readSized(r io.Reader, size int64) ([]byte, error) {
	b := make([]byte, 0, size+1)
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}

// DecodeJSON reads the body into dst. Unknown fields are ignored; malformed
// JSON is a *MalformedJSONError with its position; a value of the wrong type
// is a *domain.ValidationError naming the field.
func DecodeJSON(c *gin.Context, dst any) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	return UnmarshalJSON(body, dst)
}

// UnmarshalJSON is DecodeJSON on bytes already read.
func UnmarshalJSON(body []byte, dst any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return &MalformedJSONError{Line: 1, Column: 1, Reason: "the body is empty"}
	}
	err := json.Unmarshal(body, dst)
	var (
		syntax   *json.SyntaxError
		typeErr  *json.UnmarshalTypeError
		valueErr *json.InvalidUnmarshalError
	)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &syntax):
		return malformedAt(body, syntaxErrorOffset(body, syntax), syntax.Error())
	case errors.Is(err, io.ErrUnexpectedEOF):
		return malformedAt(body, int64(len(body)), "unexpected end of input")
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "body"
		}
		return domain.Invalid("type", domain.Params{domain.RuleParam: "json_type", "expected": jsonKind(typeErr.Type.Kind().String()), "got": typeErr.Value}, field)
	case errors.As(err, &valueErr):
		return fmt.Errorf("decode request body: %w", err)
	}
	return malformedAt(body, 0, err.Error())
}

// syntaxErrorOffset is the offset of the byte at which body stops being
// JSON: a SyntaxError's Offset counts the bytes read, that one included.
func syntaxErrorOffset(body []byte, syntax *json.SyntaxError) int64 {
	return min(max(syntax.Offset-1, 0), int64(len(body)))
}

func malformedAt(body []byte, offset int64, reason string) *MalformedJSONError {
	if offset > int64(len(body)) {
		offset = int64(len(body))
	}
	line, col := 1, 1
	for _, b := range body[:offset] {
		if b == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return &MalformedJSONError{Offset: offset, Line: line, Column: col, Reason: reason}
}

// jsonKind is the JSON kind a Go kind decodes: string, array, object,
// boolean or number.
func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "slice", "array":
		return "array"
	case "map", "struct":
		return "object"
	case "bool":
		return "boolean"
	}
	return "number"
}

// Zero-copy views of valid JSON: the members of an object and the
// elements of an array as sub-slices of the document, so that a large body
// is decoded without a second copy of its rows. They expect JSON that
// json.Valid accepted.

// skipValue returns the offset just past the value that starts at i.
func skipValue(doc []byte, i int) int {
	depth := 0
	for ; i < len(doc); i++ {
		switch doc[i] {
		case '"':
			i = skipString(doc, i)
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

// skipString returns the offset of the closing quote of the string that
// starts at i.
func skipString(doc []byte, i int) int {
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

func skipSpace(doc []byte, i int) int {
	for i < len(doc) && (doc[i] == ' ' || doc[i] == '\t' || doc[i] == '\n' || doc[i] == '\r') {
		i++
	}
	return i
}

// eachMember calls fn with each member of the object doc, in order: its
// key, its value (sharing doc's memory) and the value's offset in doc; ok
// is false when doc is not an object.
func eachMember(doc []byte, fn func(key string, value []byte, start int)) (ok bool) {
	i := skipSpace(doc, 0)
	if i >= len(doc) || doc[i] != '{' {
		return false
	}
	i = skipSpace(doc, i+1)
	for i < len(doc) && doc[i] == '"' {
		end := skipString(doc, i)
		var key string
		if json.Unmarshal(doc[i:end+1], &key) != nil {
			return false
		}
		i = skipSpace(doc, end+1) + 1 // past the colon
		i = skipSpace(doc, i)
		if i >= len(doc) {
			return false // not JSON: the callers check it first
		}
		vend := skipValue(doc, i)
		fn(key, doc[i:vend:vend], i)
		i = skipSpace(doc, vend)
		if i < len(doc) && doc[i] == ',' {
			i = skipSpace(doc, i+1)
		}
	}
	return true
}

// eachElement calls fn with each element of the array doc, sharing its
// memory; ok is false when doc is not an array.
func eachElement(doc []byte, fn func(item []byte)) (ok bool) {
	i := skipSpace(doc, 0)
	if i >= len(doc) || doc[i] != '[' {
		return false
	}
	i = skipSpace(doc, i+1)
	for i < len(doc) && doc[i] != ']' {
		end := skipValue(doc, i)
		fn(doc[i:end:end])
		i = skipSpace(doc, end)
		if i < len(doc) && doc[i] == ',' {
			i = skipSpace(doc, i+1)
		}
	}
	return true
}

// objectView returns the members of the object doc, in order, their
// values sharing doc's memory; ok is false when doc is not an object.
func objectView(doc []byte) (members []objectMember, ok bool) {
	ok = eachMember(doc, func(key string, value []byte, start int) {
		members = append(members, objectMember{key: key, value: value, start: start})
	})
	return members, ok
}

// arrayView returns the elements of the array doc, sharing its memory; ok
// is false when doc is not an array.
func arrayView(doc []byte) (items []json.RawMessage, ok bool) {
	items = []json.RawMessage{}
	ok = eachElement(doc, func(item []byte) { items = append(items, item) })
	if !ok {
		return nil, false
	}
	return items, true
}

// mapView is objectView as a map (the last of duplicate keys wins, as
// with encoding/json); nil when doc is not an object.
func mapView(doc []byte) map[string]json.RawMessage {
	members, ok := objectView(doc)
	if !ok {
		return nil
	}
	out := make(map[string]json.RawMessage, len(members))
	for _, m := range members {
		out[m.key] = m.value
	}
	return out
}

func endsLiteral(b byte) bool {
	switch b {
	case ' ', '\t', '\r', '\n', ',', ']', '}', ':':
		return true
	}
	return false
}
