package httpapi

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/parc-hq/parc/app"
	"github.com/parc-hq/parc/domain/dataset"
	"github.com/parc-hq/parc/domain/tenant"
)

// A page of rows is most of what the data API sends, so rows are written
// straight into one buffer: each object's members sorted by name, values
// compacted and HTML-escaped as they are copied. The bytes are those
// encoding/json gives for a map[string]json.RawMessage of the same members
// (TestRowJSONMatchesEncodingJSON), without a map per row nor the
// re-validation of every stored value.

// jsonMember is one member of a row object, its value already JSON.
type jsonMember struct {
	name  string
	value []byte
}

// rowEncoder keeps what writing a row needs from one row to the next.
type rowEncoder struct {
	members []jsonMember
	scratch []byte // the server fields' values
}

// appendRow appends the row as a flat object: its fields under their
// display spelling, then the server fields, which win over a field of the
// same name.
func (e *rowEncoder) appendRow(dst []byte, r dataset.Row, company tenant.Company) []byte {
	e.members = e.members[:0]
	for f := range r.EachField() {
		e.members = append(e.members, jsonMember{f.Name, f.Value})
	}
	b := append(e.scratch[:0], '"')
	b = append(dataset.AppendSrvDate(b, r.SrvDate()), '"')
	date := len(b)
	b = strconv.AppendInt(b, int64(r.SrvExport()), 10)
	export := len(b)
	b = strconv.AppendInt(b, int64(r.SrvAttrib()), 10)
	attrib := len(b)
	b = appendJSONString(b, company.Code().String())
	e.scratch = b
	e.set(dataset.SrvDateUTC, b[:date])
	e.set(dataset.SrvExport, b[date:export])
	e.set(dataset.SrvAttrib, b[export:attrib])
	e.set(dataset.CompanyCode, b[attrib:])
	slices.SortFunc(e.members, func(a, b jsonMember) int { return strings.Compare(a.name, b.name) })
	dst = append(dst, '{')
	for i, m := range e.members {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, m.name)
		dst = append(dst, ':')
		dst = appendCompactJSON(dst, m.value)
	}
	return append(dst, '}')
}

func (e *rowEncoder) set(name string, value []byte) {
	for i := range e.members {
		if e.members[i].name == name {
			e.members[i].value = value
			return
		}
	}
	e.members = append(e.members, jsonMember{name, value})
}

// writeRow answers one row.
func writeRow(c *gin.Context, status int, r dataset.Row, company tenant.Company) {
	var e rowEncoder
	c.Data(status, jsonContentType, e.appendRow(nil, r, company))
}

// writeRows answers a page of rows, with the number of rows that match in
// all in X-Total-Count.
func writeRows(c *gin.Context, page app.RowsPage) {
	out := make([]byte, 0, 256*len(page.Rows)+2)
	var e rowEncoder
	out = append(out, '[')
	for i, r := range page.Rows {
		if i > 0 {
			out = append(out, ',')
		}
		out = e.appendRow(out, r, page.Company)
	}
	out = append(out, ']')
	c.Header("X-Total-Count", strconv.Itoa(page.Total))
	c.Data(http.StatusOK, jsonContentType, out)
}

const jsonContentType = "application/json; charset=utf-8"

// appendJSONString appends s as encoding/json writes a string: plain ASCII
// as it is, anything else through the encoder itself.
func appendJSONString(dst []byte, s string) []byte {
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

// appendCompactJSON appends a valid JSON value without the whitespace
// between its tokens, escaping <, >, &, U+2028 and U+2029 in strings, as
// encoding/json does with a json.RawMessage. A value of no bytes is null.
func appendCompactJSON(dst, src []byte) []byte {
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
