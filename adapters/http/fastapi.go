package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/parc-hq/parc/domain"
	"github.com/parc-hq/parc/domain/client"
)

// The clients area answers errors as the FastAPI service of seed 001 does:
// 422 {"detail": [{"loc": [...], "msg": "...", "type": "..."}]} with pydantic
// v2's words, every other error {"detail": "message"}. Its request decoding
// reports problems the way pydantic does: one per field, each typed.

// fastAPIIssue is one entry of a FastAPI 422 body.
type fastAPIIssue struct {
	Loc  []any  `json:"loc"`
	Msg  string `json:"msg"`
	Type string `json:"type"`
}

type fastAPIValidationBody struct {
	Detail []fastAPIIssue `json:"detail"`
}

type fastAPIErrorBody struct {
	Detail string `json:"detail"`
}

// writeFastAPIError answers err in FastAPI's shape; statuses come from Classify.
func writeFastAPIError(c *gin.Context, err error) {
	p := classifyRequest(c, err)
	noteProblem(c, p)
	if p.Status == http.StatusUnprocessableEntity && len(p.Details) > 0 {
		body := fastAPIValidationBody{Detail: make([]fastAPIIssue, len(p.Details))}
		for i, d := range p.Details {
			body.Detail[i] = fastAPIIssue{Loc: located(d.Path), Msg: pydanticMessage(d), Type: d.Type}
		}
		c.AbortWithStatusJSON(p.Status, body)
		return
	}
	c.AbortWithStatusJSON(p.Status, fastAPIErrorBody{Detail: p.Message})
}

// located gives a problem path its FastAPI location: problems found in the
// path or the query string already start with "path" or "query"; the others
// are about the body.
func located(path []any) []any {
	if len(path) > 0 {
		if s, ok := path[0].(string); ok && (s == "body" || s == "path" || s == "query") {
			return path
		}
	}
	return append([]any{"body"}, path...)
}

// problems collects the validation problems of one request, with their full
// location, in the order pydantic reports them: path, query, then body.
type problems struct{ v domain.ValidationError }

func (ps *problems) add(p pyProblem, loc ...any) {
	ps.v.Problems = append(ps.v.Problems, p.at(loc...))
}

// merge adds err's problems under the location prefix; an error that is not
// a validation error is returned as it is.
func (ps *problems) merge(err error, prefix ...any) error {
	var v *domain.ValidationError
	if err == nil {
		return nil
	}
	if !errors.As(err, &v) {
		return err
	}
	for _, f := range v.Problems {
		f.Path = append(append([]any{}, prefix...), f.Path...)
		ps.v.Problems = append(ps.v.Problems, f)
	}
	return nil
}

func (ps *problems) err() error {
	if len(ps.v.Problems) == 0 {
		return nil
	}
	return &ps.v
}

// pathID parses the path parameter name as a UUID.
func (ps *problems) pathID(c *gin.Context, name string) string {
	id, err := client.ParseID(name, c.Param(name))
	_ = ps.merge(err, "path")
	return id
}

// queryInt parses an optional integer query parameter within [min, max].
func (ps *problems) queryInt(c *gin.Context, name string, minimum, maximum int64) (int, bool) {
	raw, ok := c.GetQuery(name)
	if !ok {
		return 0, false
	}
	n, problem := parseIntText(raw)
	switch {
	case problem != nil:
		ps.add(*problem, "query", name)
		return 0, false
	case n < minimum:
		ps.add(pyGreaterThanEqual(minimum), "query", name)
		return 0, false
	case n > maximum:
		ps.add(pyLessThanEqual(maximum), "query", name)
		return 0, false
	}
	return int(n), true
}

// queryLimit parses the limit query parameter under the area's paging.
func (ps *problems) queryLimit(c *gin.Context, paging domain.PageSize) int {
	n, ok := ps.queryInt(c, "limit", math.MinInt64, math.MaxInt64)
	if !ok {
		return paging.Default
	}
	limit, err := paging.Limit(&n, "limit")
	_ = ps.merge(err, "query")
	return limit
}

// queryStatus parses an optional status query parameter.
func (ps *problems) queryStatus(c *gin.Context) *client.Status {
	raw, ok := c.GetQuery("status")
	if !ok {
		return nil
	}
	s, err := client.ParseStatus(raw)
	if err != nil {
		_ = ps.merge(err, "query")
		return nil
	}
	return &s
}

// queryBool parses an optional boolean query parameter with pydantic's words.
func (ps *problems) queryBool(c *gin.Context, name string) bool {
	raw, ok := c.GetQuery(name)
	if !ok {
		return false
	}
	switch strings.ToLower(strings.TrimSpace(raw)) {
	case "1", "true", "t", "yes", "y", "on":
		return true
	case "0", "false", "f", "no", "n", "off":
		return false
	}
	ps.add(pyBoolParsing, "query", name)
	return false
}

// jsonObject is a request body decoded as a JSON object, field by field.
type jsonObject struct {
	fields map[string]json.RawMessage
	ps     *problems
}

// decodeObject reads the body as a JSON object. A body that cannot be read
// (too large) is returned as an error; one that is empty, not JSON or not an
// object is a problem of ps and the result is nil. As FastAPI: only a body
// of no bytes at all, or the JSON null, is missing; blanks alone are not JSON.
func (ps *problems) decodeObject(c *gin.Context) (*jsonObject, error) {
	body, err := readBody(c)
	if err != nil {
		return nil, err
	}
	if len(body) == 0 {
		ps.add(pyMissing, "body")
		return nil, nil
	}
	if pos, bad := jsonErrorPosition(body); bad {
		ps.add(pyJSONInvalid, "body", pos)
		return nil, nil
	}
	if string(bytes.TrimSpace(body)) == "null" {
		ps.add(pyMissing, "body")
		return nil, nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		ps.add(pyModelAttributesType, "body")
		return nil, nil
	}
	return &jsonObject{fields: fields, ps: ps}, nil
}

// jsonErrorPosition tells whether body is not JSON and, if so, the
// character (not byte) offset of the error, as Python's json module counts.
func jsonErrorPosition(body []byte) (int, bool) {
	var v any
	err := json.Unmarshal(body, &v)
	if err == nil {
		return 0, false
	}
	offset := int64(len(body)) // where Python places the end of a truncated body
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) && !strings.Contains(syntax.Error(), "unexpected end") {
		offset = syntaxErrorOffset(body, syntax)
	}
	return utf8.RuneCount(body[:offset]), true
}

// str reads a required string field. ok is false when it is missing or not
// a string (the problem is recorded).
func (o *jsonObject) str(name string) (string, bool) {
	raw, present := o.fields[name]
	if !present {
		o.ps.add(pyMissing, "body", name)
		return "", false
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil || isNull(raw) {
		o.ps.add(pyStringType, "body", name)
		return "", false
	}
	return s, true
}

// optStr reads an optional string field: nil when absent; null reads as ""
// when nullable, else it is a problem.
func (o *jsonObject) optStr(name string, nullable bool) *string {
	raw, present := o.fields[name]
	if !present {
		return nil
	}
	if isNull(raw) && nullable {
		empty := ""
		return &empty
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil || isNull(raw) {
		o.ps.add(pyStringType, "body", name)
		return nil
	}
	return &s
}

// integer reads a required integer field as pydantic's lax mode does:
// integral numbers, numeric strings and booleans are integers.
func (o *jsonObject) integer(name string) (int64, bool) {
	raw, present := o.fields[name]
	if !present {
		o.ps.add(pyMissing, "body", name)
		return 0, false
	}
	n, problem := parseIntJSON(raw)
	if problem != nil {
		o.ps.add(*problem, "body", name)
		return 0, false
	}
	return n, true
}

// uuid reads a UUID field; nullable fields read null as "".
func (o *jsonObject) uuid(name string, required, nullable bool) (*string, bool) {
	raw, present := o.fields[name]
	if !present {
		if required {
			o.ps.add(pyMissing, "body", name)
			return nil, false
		}
		return nil, true
	}
	if isNull(raw) && nullable {
		empty := ""
		return &empty, true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil || isNull(raw) {
		o.ps.add(pyUUIDType, "body", name)
		return nil, false
	}
	id, err := client.ParseID(name, s)
	if err != nil {
		_ = o.ps.merge(err, "body")
		return nil, false
	}
	return &id, true
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

func parseIntJSON(raw json.RawMessage) (int64, *pyProblem) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0:
		return 0, &pyIntType
	case raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, &pyIntParsing
		}
		return parseIntText(s)
	case string(raw) == "true":
		return 1, nil
	case string(raw) == "false":
		return 0, nil
	case raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9'):
		return parseNumber(string(raw))
	}
	return 0, &pyIntType
}

// parseIntText parses an integer given as text (a JSON string, a query
// parameter): surrounding spaces are ignored, "12.0" is 12, "1.5" is not.
func parseIntText(s string) (int64, *pyProblem) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == math.Trunc(f) && !strings.ContainsAny(s, "eEnN") {
		return boundedInt(f)
	}
	return 0, &pyIntParsing
}

// parseNumber parses a JSON number: an integral one is an integer, one with
// a fractional part is int_from_float.
func parseNumber(s string) (int64, *pyProblem) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, &pyIntParsing
	}
	if f != math.Trunc(f) {
		return 0, &pyIntFromFloat
	}
	return boundedInt(f)
}

// boundedInt refuses integers that do not fit the int64 columns.
func boundedInt(f float64) (int64, *pyProblem) {
	switch {
	case f >= math.MaxInt64:
		p := pyLessThanEqual(math.MaxInt64)
		return 0, &p
	case f < math.MinInt64:
		p := pyGreaterThanEqual(math.MinInt64)
		return 0, &p
	}
	return int64(f), nil
}

// byField orders body problems by the fields' order in the request model,
// as pydantic reports them; path and query problems stay first.
func (ps *problems) byField(order ...string) {
	rank := func(f domain.FieldError) int {
		if len(f.Path) < 2 || f.Path[0] != "body" {
			return -1
		}
		if name, ok := f.Path[1].(string); ok && slices.Contains(order, name) {
			return slices.Index(order, name)
		}
		return len(order)
	}
	slices.SortStableFunc(ps.v.Problems, func(a, b domain.FieldError) int { return rank(a) - rank(b) })
}
