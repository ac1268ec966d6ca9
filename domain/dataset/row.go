package dataset

import (
	"bytes"
	"encoding/json"
	"iter"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/parc-hq/parc/domain"
)

// Field is one field of a row: its display spelling and its JSON value.
type Field struct {
	Name  string
	Value json.RawMessage
}

// Fields are a row's fields by case-folded name.
type Fields map[string]Field

// Clone copies the map (values are never mutated in place).
func (f Fields) Clone() Fields { return maps.Clone(f) }

// Get returns the field of a case-folded or display name.
func (f Fields) Get(name string) (Field, bool) {
	v, ok := f[strings.ToLower(name)]
	return v, ok
}

// merge returns f with the given fields set: a field already present keeps
// its display spelling and takes the new value; a new one comes with its own
// spelling. changed tells whether any value differs.
func (f Fields) merge(given Fields) (out Fields, changed bool) {
	out = f.Clone()
	if out == nil {
		out = Fields{}
	}
	for k, g := range given {
		cur, ok := out[k]
		if !ok {
			out[k] = g
			changed = true
			continue
		}
		if !jsonEqual(cur.Value, g.Value) {
			out[k] = Field{Name: cur.Name, Value: g.Value}
			changed = true
		}
	}
	return out, changed
}

func jsonEqual(a, b json.RawMessage) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var x, y bytes.Buffer
	if json.Compact(&x, a) != nil || json.Compact(&y, b) != nil {
		return false
	}
	return bytes.Equal(x.Bytes(), y.Bytes())
}

// ParseFields validates one row object as sent: field names are identifiers,
// two spellings of one name are refused, server fields are dropped. path
// locates the object in the request for error messages.
func ParseFields(obj map[string]json.RawMessage, path ...any) (Fields, error) {
	names := slices.Sorted(maps.Keys(obj))
	out := make(Fields, len(obj))
	problems := &domain.ValidationError{}
	for _, name := range names {
		addField(out, problems, name, obj[name], path)
	}
	return out, problems.OrNil()
}

// addField adds the member name of a row to out, after the checks of
// ParseFields, or records why it cannot be. Members come in the order of
// their names, so that the problems come in the same order every time.
func addField(out Fields, problems *domain.ValidationError, name string, value json.RawMessage, path []any) {
	if IsServerField(name) {
		return
	}
	at := func() []any { return append(slices.Clip(path), name) }
	fn, err := ParseFieldName(name)
	if err != nil {
		problems.AddAt(err, "field_name", at()...)
		return
	}
	if nestingDepth(value) >= MaxDepth {
		// MariaDB refuses deeper JSON documents; refused everywhere alike.
		problems.Add("too_deep", domain.Params{"max_depth": MaxDepth}, at()...)
		return
	}
	if hasNUL(value) {
		// PostgreSQL's JSONB cannot hold it; refused everywhere alike.
		problems.Add("value_error", domain.Params{domain.RuleParam: "nul"}, at()...)
		return
	}
	if prev, dup := out[fn.Key()]; dup {
		problems.Add("duplicate", domain.Params{domain.RuleParam: "same_field", "first": prev.Name, "second": name}, at()...)
		return
	}
	out[fn.Key()] = Field{Name: name, Value: value}
}

// rowFields reads the fields of the row object s of doc into out (which it
// clears first) as ParseFields does, the values left in doc. ms is scratch
// space for the members, returned for the next row. ok is false when s is
// not an object.
func rowFields(out Fields, ms []member, doc []byte, s Span, problems *domain.ValidationError, path []any) (_ []member, ok bool) {
	clear(out)
	ms, ok = appendMembers(ms[:0], doc, s)
	if !ok {
		return ms, false
	}
	// Sorted by name, each name once: the last of a name given twice wins,
	// as when the object is decoded into a map.
	slices.SortStableFunc(ms, func(a, b member) int { return strings.Compare(a.name, b.name) })
	for i, m := range ms {
		if i+1 < len(ms) && ms[i+1].name == m.name {
			continue
		}
		addField(out, problems, m.name, m.value.in(doc), path)
	}
	return ms, true
}

// MaxDepth is how many levels of objects and arrays a row may nest, the row
// object itself being the first: MariaDB's JSON_DEPTH, which also counts
// the innermost scalar, stops at 32.
const MaxDepth = 31

// nestingDepth is how many levels of objects and arrays raw nests (0 for a
// scalar), read from its brackets outside strings.
func nestingDepth(raw json.RawMessage) int {
	depth, deepest := 0, 0
	inString, escaped := false, false
	for _, c := range raw {
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case inString:
		case c == '[' || c == '{':
			if depth++; depth > deepest {
				deepest = depth
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return deepest
}

// hasNUL reports a NUL character in any string of a JSON value.
func hasNUL(raw json.RawMessage) bool {
	if !bytes.Contains(raw, []byte(`\u0000`)) {
		return false // the cheap test settles nearly every value
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return false
	}
	var walk func(any) bool
	walk = func(v any) bool {
		switch x := v.(type) {
		case string:
			return strings.ContainsRune(x, 0)
		case []any:
			for _, e := range x {
				if walk(e) {
					return true
				}
			}
		case map[string]any:
			for k, e := range x {
				if strings.ContainsRune(k, 0) || walk(e) {
					return true
				}
			}
		}
		return false
	}
	return walk(v)
}

// codeOf reads the row code from the entity's <entity>_ID field: a non-empty
// string, or a number taken as written. Without that field, the problem is
// domain.Refused of rule "no_row_code" {"entity"}.
func codeOf(e EntityName, f Fields) (RowCode, error) {
	field, ok := f[e.IDField()]
	if !ok {
		return RowCode{}, noCode(e)
	}
	return CodeFromJSON(field.Value)
}

func noCode(e EntityName) error {
	return domain.Refused("no_row_code", domain.Params{"entity": e.Display()})
}

// CodeFromJSON reads a row code given as a JSON string or number: the
// problems of ParseRowCode, or domain.Refused of rule "row_code_json"
// {"value": the JSON given, abbreviated}.
func CodeFromJSON(raw json.RawMessage) (RowCode, error) {
	text, _, err := codeText(raw)
	if err != nil {
		return RowCode{}, err
	}
	return ParseRowCode(text)
}

// codeText is the text of a row code given as a JSON string or number (a
// number is taken as written; null is the empty text), not yet checked by
// ParseRowCode. at is where raw holds that text as it is — a string
// without escapes, or a number —, or -1 when it does not.
func codeText(raw []byte) (text string, at int, err error) {
	start := skipSpace(raw, 0)
	end := len(bytes.TrimRight(raw, " \t\r\n"))
	v := raw[start:max(start, end)]
	switch {
	case len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' && bytes.IndexByte(v, '\\') < 0:
		return string(v[1 : len(v)-1]), start + 1, nil
	case len(v) > 0 && v[0] == '"':
		var s string
		if json.Unmarshal(v, &s) == nil {
			return s, -1, nil
		}
	case string(v) == "null":
		return "", -1, nil
	case isNumber(v):
		return string(v), start, nil
	}
	return "", -1, domain.Refused("row_code_json", domain.Params{"value": abbreviate(raw)})
}

// isNumber reports a JSON number literal: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func isNumber(v []byte) bool {
	i := 0
	digits := func() int {
		n := 0
		for i < len(v) && v[i] >= '0' && v[i] <= '9' {
			i, n = i+1, n+1
		}
		return n
	}
	if i < len(v) && v[i] == '-' {
		i++
	}
	if i < len(v) && v[i] == '0' {
		i++
	} else if digits() == 0 {
		return false
	}
	if i < len(v) && v[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(v) && (v[i] == 'e' || v[i] == 'E') {
		i++
		if i < len(v) && (v[i] == '+' || v[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(v)
}

func abbreviate(raw json.RawMessage) string {
	s := string(raw)
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return s
}

// Row is one record of an entity in a (project, company) scope.
type Row struct {
	entity EntityName
	code   RowCode
	// The fields are in one of two forms: fields, by case-folded key, for a
	// row built or changed here; stored, each key once and sorted by key
	// when there are more than fewFields, for a row read back and not
	// changed. A page of a thousand rows read back spent more than a
	// quarter of its memory on a map per row.
	fields    Fields
	stored    []StoredField
	srvDate   time.Time
	srvExport int
	srvAttrib int
}

// StoredField is a field of a row read back, under its case-folded key.
type StoredField struct {
	Key string
	Field
}

// Values of srvAttrib.
const (
	Live    = 0
	Deleted = 1
)

// RowRecord is a row as stored, for RestoreRow: its fields either in
// Fields, or in Stored (each key once; RestoreRow sorts them by key if
// they are not), which a reader of many rows fills without a map per row.
// Stored is kept, not copied: it must not change afterwards.
// Documents come in the order of their backend (by key, or by length then
// key for PostgreSQL's JSONB): two rows of the same keys keep one order.
type RowRecord struct {
	Entity    EntityName
	Code      RowCode
	Fields    Fields
	Stored    []StoredField
	SrvDate   time.Time
	SrvExport int
	SrvAttrib int // Live or Deleted
}

// RestoreRow rebuilds a stored row without validating it again.
func RestoreRow(r RowRecord) Row {
	row := Row{entity: r.Entity, code: r.Code, fields: r.Fields, srvDate: r.SrvDate.UTC(), srvExport: r.SrvExport, srvAttrib: r.SrvAttrib}
	if r.Fields == nil && r.Stored != nil {
		row.stored = sortedFields(r.Stored)
	}
	return row
}

// fewFields is how many fields are looked for one by one rather than by
// binary search: sorting each row of a page read from PostgreSQL, whose
// documents are not in key order, took a twentieth of the page's time.
const fewFields = 16

// sortedFields sorts fs by key in place if it has more than fewFields and
// is not sorted already (the documents Parc writes are, but JSONB's are
// not), and keeps the last field of a key given twice, as a map would.
func sortedFields(fs []StoredField) []StoredField {
	if strictlyIncreasing(fs) || len(fs) <= fewFields && !repeatsKey(fs) {
		return fs
	}
	slices.SortStableFunc(fs, func(a, b StoredField) int { return strings.Compare(a.Key, b.Key) })
	out := fs[:0]
	for i, f := range fs {
		if i+1 < len(fs) && fs[i+1].Key == f.Key {
			continue
		}
		out = append(out, f)
	}
	return out
}

func repeatsKey(fs []StoredField) bool {
	for i := range fs {
		for j := i + 1; j < len(fs); j++ {
			if fs[i].Key == fs[j].Key {
				return true
			}
		}
	}
	return false
}

func strictlyIncreasing(fs []StoredField) bool {
	for i := 1; i < len(fs); i++ {
		if fs[i-1].Key >= fs[i].Key {
			return false
		}
	}
	return true
}

func (r Row) Entity() EntityName { return r.entity }
func (r Row) Code() RowCode      { return r.code }
func (r Row) Key() RowKey        { return RowKey{Entity: r.entity.Key(), Code: r.code} }

// Fields returns a copy of the row's fields.
func (r Row) Fields() Fields {
	if r.stored == nil {
		return r.fields.Clone()
	}
	out := make(Fields, len(r.stored))
	for _, f := range r.stored {
		out[f.Key] = f.Field
	}
	return out
}

// fieldMap returns the row's fields as a map, not to be changed in place.
func (r Row) fieldMap() Fields {
	if r.stored == nil {
		return r.fields
	}
	return r.Fields()
}

// setFields gives the row new fields.
func (r *Row) setFields(f Fields) { r.fields, r.stored = f, nil }

// EachField yields the row's fields, in no order, without copying them:
// for readers of many rows, such as a page being written out.
func (r Row) EachField() iter.Seq[Field] {
	return func(yield func(Field) bool) {
		for _, f := range r.EachFieldByKey() {
			if !yield(f) {
				return
			}
		}
	}
}
func (r Row) SrvDate() time.Time { return r.srvDate }
func (r Row) SrvExport() int     { return r.srvExport }
func (r Row) SrvAttrib() int     { return r.srvAttrib }
func (r Row) IsLive() bool       { return r.srvAttrib == Live }

// EachFieldByKey yields the row's fields by case-folded key without
// copying them: in no particular order, but in the same order for two
// rows read back with the same keys.
func (r Row) EachFieldByKey() iter.Seq2[string, Field] {
	if r.stored == nil {
		return maps.All(r.fields)
	}
	return func(yield func(string, Field) bool) {
		for _, f := range r.stored {
			if !yield(f.Key, f.Field) {
				return
			}
		}
	}
}

// Field returns the field of a case-folded key, without copying the row's
// fields.
func (r Row) Field(key string) (Field, bool) {
	if r.stored == nil {
		f, ok := r.fields[key]
		return f, ok
	}
	if len(r.stored) <= fewFields {
		for _, f := range r.stored {
			if f.Key == key {
				return f.Field, true
			}
		}
		return Field{}, false
	}
	i, ok := slices.BinarySearchFunc(r.stored, key, func(f StoredField, key string) int { return strings.Compare(f.Key, key) })
	if !ok {
		return Field{}, false
	}
	return r.stored[i].Field, true
}

// FieldCount is the number of the row's fields.
func (r Row) FieldCount() int {
	if r.stored == nil {
		return len(r.fields)
	}
	return len(r.stored)
}

// NextSrvDate is the srvDateUTC of a row written at now whose previous
// srvDateUTC was prev (zero for a new row): max(now, prev + 1µs), in UTC and
// truncated to microseconds, so that it is strictly increasing for the row
// and survives every backend exactly.
func NextSrvDate(now, prev time.Time) time.Time {
	next := now.UTC().Truncate(time.Microsecond)
	if !prev.IsZero() {
		if floor := prev.UTC().Truncate(time.Microsecond).Add(time.Microsecond); next.Before(floor) {
			next = floor
		}
	}
	return next
}

// SrvDateLayout is how srvDateUTC is written: RFC 3339 in UTC with exactly
// six fractional digits, so that two dates compare as strings.
const SrvDateLayout = "2006-01-02T15:04:05.000000Z"

// FormatSrvDate writes a srvDateUTC.
func FormatSrvDate(t time.Time) string { return string(AppendSrvDate(nil, t)) }

// AppendSrvDate appends a srvDateUTC to dst, as FormatSrvDate writes it.
// It writes the digits itself: a page of a thousand rows spent a tenth of
// its encoding in time.Time.AppendFormat.
func AppendSrvDate(dst []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.Truncate(time.Microsecond).AppendFormat(dst, SrvDateLayout)
	}
	hour, minute, sec := t.Clock()
	dst = appendDigits(dst, year, 4)
	dst = appendDigits(append(dst, '-'), int(month), 2)
	dst = appendDigits(append(dst, '-'), day, 2)
	dst = appendDigits(append(dst, 'T'), hour, 2)
	dst = appendDigits(append(dst, ':'), minute, 2)
	dst = appendDigits(append(dst, ':'), sec, 2)
	dst = appendDigits(append(dst, '.'), t.Nanosecond()/1000, 6)
	return append(dst, 'Z')
}

// appendDigits appends n, not negative, in exactly width digits.
func appendDigits(dst []byte, n, width int) []byte {
	start := len(dst)
	for range width {
		dst = append(dst, '0')
	}
	for i := len(dst) - 1; i >= start; i-- {
		dst[i] = byte('0' + n%10)
		n /= 10
	}
	return dst
}

// ParseSrvDate reads a srvDateUTC: RFC 3339 with up to nine fractional
// digits (any offset, converted to UTC). Digits past the microsecond make
// it invalid rather than silently truncated, since it is compared exactly.
// Its problems are domain.Refused, of rule "date_format" or
// "date_precision" {"value"}.
func ParseSrvDate(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, domain.Refused("date_format", domain.Params{"value": s})
	}
	if t.Nanosecond()%1000 != 0 {
		return time.Time{}, domain.Refused("date_precision", domain.Params{"value": s})
	}
	return t.UTC(), nil
}
