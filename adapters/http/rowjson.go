package httpapi

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"

	"github.com/parc-hq/parc/app"
	"github.com/parc-hq/parc/domain/dataset"
	"github.com/parc-hq/parc/domain/tenant"
	"github.com/parc-hq/parc/internal/jsonwrite"
)

// A page of rows is most of what the data API sends, so rows are written
// straight into one buffer: each object's members sorted by name, values
// compacted and HTML-escaped as they are copied. The bytes are those
// encoding/json gives for a map[string]json.RawMessage of the same members
// (TestRowJSONMatchesEncodingJSON), without a map per row nor the
// re-validation of every stored value.

// jsonMember is one member of a row object, its value already JSON: a
// field, of case-folded key key, or the server field serverFieldNames[server-1].
type jsonMember struct {
	name   string
	key    string
	server int
	value  []byte
	// headEnd is where the member's name, written as JSON with its colon,
	// ends in the encoder's heads (the previous member's ends where it
	// starts): for the members of the layout only.
	headEnd int
}

// rowEncoder keeps what writing a row needs from one row to the next.
type rowEncoder struct {
	members []jsonMember
	scratch []byte // the server fields' values
	// layout is the members of the last row written, in order, without
	// their values; empty when that row had a field of a server field's
	// name. The rows of a page mostly have the same fields: such a row is
	// written in the layout's order, without collecting and sorting its
	// members, which took a third of the time of writing a page.
	layout []jsonMember
	heads  []byte
}

// appendRow appends the row as a flat object: its fields under their
// display spelling, then the server fields, which win over a field of the
// same name.
func (e *rowEncoder) appendRow(dst []byte, r dataset.Row, company tenant.Company) []byte {
	server := e.serverValues(r, company)
	if out, ok := e.appendInLayout(dst, r, server); ok {
		return out
	}
	e.members = e.members[:0]
	for key, f := range r.EachFieldByKey() {
		e.members = append(e.members, jsonMember{name: f.Name, key: key, value: f.Value})
	}
	shadowed := false
	for i, name := range serverFieldNames {
		shadowed = e.set(name, i+1, server[i]) || shadowed
	}
	slices.SortFunc(e.members, func(a, b jsonMember) int { return strings.Compare(a.name, b.name) })
	e.layout, e.heads = e.layout[:0], e.heads[:0]
	if !shadowed {
		for _, m := range e.members {
			e.heads = append(jsonwrite.AppendString(e.heads, m.name), ':')
			e.layout = append(e.layout, jsonMember{name: m.name, key: m.key, server: m.server, headEnd: len(e.heads)})
		}
	}
	dst = append(dst, '{')
	for i, m := range e.members {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = jsonwrite.AppendString(dst, m.name)
		dst = append(dst, ':')
		dst = jsonwrite.AppendCompact(dst, m.value)
	}
	return append(dst, '}')
}

// serverFieldNames are the server fields in the order of serverValues.
var serverFieldNames = [4]string{dataset.SrvDateUTC, dataset.SrvExport, dataset.SrvAttrib, dataset.CompanyCode}

// serverValues writes the values of the server fields of r into the
// encoder's scratch buffer.
func (e *rowEncoder) serverValues(r dataset.Row, company tenant.Company) [4][]byte {
	b := append(e.scratch[:0], '"')
	b = append(dataset.AppendSrvDate(b, r.SrvDate()), '"')
	date := len(b)
	b = strconv.AppendInt(b, int64(r.SrvExport()), 10)
	export := len(b)
	b = strconv.AppendInt(b, int64(r.SrvAttrib()), 10)
	attrib := len(b)
	b = jsonwrite.AppendString(b, company.Code().String())
	e.scratch = b
	return [4][]byte{b[:date], b[date:export], b[export:attrib], b[attrib:]}
}

// appendInLayout appends the row in the previous row's order if it has
// the same fields under the same names (same keys, as many): then its
// members sort the same. It reports false, having appended nothing, if not.
func (e *rowEncoder) appendInLayout(dst []byte, r dataset.Row, server [4][]byte) ([]byte, bool) {
	if len(e.layout) != r.FieldCount()+len(server) {
		return dst, false
	}
	start, head := len(dst), 0
	dst = append(dst, '{')
	for i, m := range e.layout {
		if i > 0 {
			dst = append(dst, ',')
		}
		var value []byte
		if m.server > 0 {
			value = server[m.server-1]
		} else {
			f, ok := r.Field(m.key)
			if !ok || f.Name != m.name {
				return dst[:start], false
			}
			value = f.Value
		}
		dst = append(dst, e.heads[head:m.headEnd]...)
		head = m.headEnd
		dst = jsonwrite.AppendCompact(dst, value)
	}
	return append(dst, '}'), true
}

// set gives the member of that name the value of server field server,
// adding it if there is none; it reports whether there was one.
func (e *rowEncoder) set(name string, server int, value []byte) bool {
	for i := range e.members {
		if e.members[i].name == name {
			e.members[i].value = value
			return true
		}
	}
	e.members = append(e.members, jsonMember{name: name, server: server, value: value})
	return false
}

// writeRow answers one row.
func writeRow(c *gin.Context, status int, r dataset.Row, company tenant.Company) {
	var e rowEncoder
	c.Data(status, jsonContentType, e.appendRow(nil, r, company))
}

// writeRows answers a page of rows, with the number of rows that match in
// all in X-Total-Count.
func writeRows(c *gin.Context, page app.RowsPage) {
	buf := pageBuffers.Get().(*[]byte)
	defer putPageBuffer(buf)
	out := slices.Grow((*buf)[:0], 256*len(page.Rows)+2)
	var e rowEncoder
	out = append(out, '[')
	for i, r := range page.Rows {
		if i > 0 {
			out = append(out, ',')
		}
		out = e.appendRow(out, r, page.Company)
	}
	out = append(out, ']')
	*buf = out
	c.Header("X-Total-Count", strconv.Itoa(page.Total))
	c.Data(http.StatusOK, jsonContentType, out)
}

// pageBuffers keeps the buffers pages were written in: a page of a
// thousand rows allocated a fifth of its request's memory for its answer,
// which is copied out (or compressed) before writeRows returns.
var pageBuffers = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledPage is the largest buffer kept for another page, so that a
// rare large page does not stay in memory.
const maxPooledPage = 4 << 20

func putPageBuffer(buf *[]byte) {
	if cap(*buf) <= maxPooledPage {
		*buf = (*buf)[:0]
		pageBuffers.Put(buf)
	}
}

const jsonContentType = "application/json; charset=utf-8"
