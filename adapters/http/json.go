package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/gin-gonic/gin"

	"github.com/parc-hq/parc/domain"
	"github.com/parc-hq/parc/internal/jsonview"
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

// objectView returns the members of the object doc, in order, their
// values sharing doc's memory; ok is false when doc is not an object.
func objectView(doc []byte) (members []objectMember, ok bool) {
	ok = jsonview.EachMember(doc, func(key string, value []byte, start int) {
		members = append(members, objectMember{key: key, value: value, start: start})
	})
	return members, ok
}

// arrayView returns the elements of the array doc, sharing its memory; ok
// is false when doc is not an array.
func arrayView(doc []byte) (items []json.RawMessage, ok bool) {
	items = []json.RawMessage{}
	ok = jsonview.EachElement(doc, func(item []byte) { items = append(items, item) })
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
