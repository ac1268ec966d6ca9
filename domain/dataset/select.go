package dataset

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/parc-hq/parc/domain"
)

// Limits of a Select or a list. The caps on filters, values and sort fields
// keep every query within what each backend can compile (placeholders,
// expression depth); past them a request is refused, never cut.
const (
	DefaultLimit = 1000
	MaxLimit     = 10000
	MaxFilters   = 50
	MaxValues    = 1000 // values of all filters together
	MaxSorts     = 10
)

// PageSize is the paging of Select and of the row listings.
var PageSize = domain.PageSize{Default: DefaultLimit, Max: MaxLimit}

// Operator compares a field with the filter's values.
type Operator string

// The operators of filterFields, spelled as weavy spells them.
const (
	Equal              Operator = "Equal"
	StartWith          Operator = "StartWith"
	GreaterThan        Operator = "GreaterThan"
	GreaterThanOrEqual Operator = "GreaterThanOrEqual"
	LessThan           Operator = "LessThan"
	LessThanOrEqual    Operator = "LessThanOrEqual"
)

var operators = []Operator{Equal, StartWith, GreaterThan, GreaterThanOrEqual, LessThan, LessThanOrEqual}

// ValueKind says how a filter compares: as text, as numbers, or as dates
// (srvDateUTC).
type ValueKind int

const (
	TextValues ValueKind = iota
	NumberValues
	DateValues
)

// Filter is one validated item of filterFields. Equal and StartWith match any
// of their values; the order operators take exactly one.
type Filter struct {
	Field   string // case-folded field name; "" on a server field
	Server  string // SrvDateUTC, SrvExport or SrvAttrib; "" on a row field
	Op      Operator
	Kind    ValueKind
	Texts   []string
	Numbers []float64
	Dates   []time.Time // on srvDateUTC
}

// Sort is one validated item of sortFields.
type Sort struct {
	Field  string // case-folded field name; "" on a server field
	Server string // SrvDateUTC, SrvExport or SrvAttrib; "" on a row field
	Desc   bool
}

// sortedServerFields are the server fields filters and sorts may name, with
// the column each compares.
var sortedServerFields = []string{SrvDateUTC, SrvExport, SrvAttrib}

func serverFieldOf(name string) string {
	for _, s := range sortedServerFields {
		if strings.EqualFold(name, s) {
			return s
		}
	}
	return ""
}

// FilterInput is a filterFields item as sent.
type FilterInput struct {
	FieldName    string
	Operator     string
	FilterValues []json.RawMessage
}

// SortInput is a sortFields item as sent; Direction is ASC (default) or DESC.
type SortInput struct {
	FieldName string
	Direction string
}

// SelectInput is a Select request (or a list's query string) as sent.
type SelectInput struct {
	EntityName string
	Limit      *int
	Offset     *int
	SrvExport  *int
	SrvAttrib  *int
	Filters    []FilterInput
	Sorts      []SortInput
}

// Query is a validated read of one entity's rows. Rows come in the sort
// fields' order, then by srvDateUTC and row code, so that pages are stable.
type Query struct {
	Entity    EntityName
	Limit     int
	Offset    int
	SrvExport *int
	SrvAttrib *int // nil: live and deleted rows
	Filters   []Filter
	Sorts     []Sort
}

// ParseSelect validates a query; every problem is reported with its path.
func ParseSelect(in SelectInput) (Query, error) {
	problems := &domain.ValidationError{}
	q := Query{SrvExport: in.SrvExport, SrvAttrib: in.SrvAttrib}
	entity, err := ParseEntityName(in.EntityName)
	if err != nil {
		problems.AddAt(err, "entity_name", "entityName")
	}
	q.Entity = entity
	q.Limit, err = PageSize.Limit(in.Limit, "limit")
	problems.Collect(err)
	q.Offset, err = domain.Offset(in.Offset, "offset")
	problems.Collect(err)
	if in.SrvAttrib != nil && *in.SrvAttrib != Live && *in.SrvAttrib != Deleted {
		problems.Add("enum", domain.Params{domain.RuleParam: "live_or_deleted"}, "srvAttrib")
	}
	if len(in.Filters) > MaxFilters {
		problems.Add("too_long", domain.Params{domain.RuleParam: "max_filters", "max_length": MaxFilters}, "filterFields")
	}
	if len(in.Sorts) > MaxSorts {
		problems.Add("too_long", domain.Params{domain.RuleParam: "max_sorts", "max_length": MaxSorts}, "sortFields")
	}
	if err := problems.OrNil(); err != nil {
		return Query{}, err
	}
	values := 0
	for i, f := range in.Filters {
		if values += len(f.FilterValues); values > MaxValues {
			problems.Add("too_long", domain.Params{domain.RuleParam: "max_values", "max_length": MaxValues}, "filterFields", i, "filterValues")
			break
		}
		if j := slices.IndexFunc(f.FilterValues, isNull); j >= 0 {
			problems.Add("type", domain.Params{domain.RuleParam: "null_value"}, "filterFields", i, "filterValues", j)
			continue
		}
		if strings.EqualFold(f.FieldName, CompanyCode) {
			problems.Add("field_name", domain.Params{domain.RuleParam: "company_code_filter"}, "filterFields", i, "fieldName")
			continue
		}
		filter, err := parseFilter(f)
		if err != nil {
			problems.AddAt(err, "filter", "filterFields", i)
			continue
		}
		q.Filters = append(q.Filters, filter)
	}
	for i, s := range in.Sorts {
		var sort Sort
		if server := serverFieldOf(s.FieldName); server != "" {
			sort.Server = server
		} else if fn, err := ParseFieldName(s.FieldName); err != nil {
			problems.AddAt(err, "field_name", "sortFields", i, "fieldName")
			continue
		} else {
			sort.Field = fn.Key()
		}
		switch strings.ToUpper(s.Direction) {
		case "", "ASC", "ASCENDING":
		case "DESC", "DESCENDING":
			sort.Desc = true
		default:
			problems.Add("enum", domain.Params{domain.RuleParam: "direction"}, "sortFields", i, "direction")
			continue
		}
		q.Sorts = append(q.Sorts, sort)
	}
	if err := problems.OrNil(); err != nil {
		return Query{}, err
	}
	return q, nil
}

// parseFilter reads a filter: its operator and number of values, then its
// values by the kind of field compared (a numeric server field, srvDateUTC,
// or a field of the rows). Its problems are domain.Refused: the caller
// places them at the filter.
func parseFilter(in FilterInput) (Filter, error) {
	f, err := parseOperator(in)
	if err != nil {
		return Filter{}, err
	}
	if server := serverFieldOf(in.FieldName); server == SrvExport || server == SrvAttrib {
		return numberServerFilter(f, server, in.FilterValues)
	}
	if strings.EqualFold(in.FieldName, SrvDateUTC) {
		return dateFilter(f, in.FilterValues)
	}
	fn, err := ParseFieldName(in.FieldName)
	if err != nil {
		return Filter{}, err
	}
	f.Field = fn.Key()
	return fieldFilter(f, in.FilterValues)
}

// parseOperator reads the operator and checks how many values it takes.
func parseOperator(in FilterInput) (Filter, error) {
	var f Filter
	for _, op := range operators {
		if strings.EqualFold(in.Operator, string(op)) {
			f.Op = op
		}
	}
	if f.Op == "" {
		expected := make([]string, len(operators))
		for i, op := range operators {
			expected[i] = string(op)
		}
		return Filter{}, domain.Refused("operator", domain.Params{"value": in.Operator, "expected": expected})
	}
	switch n := len(in.FilterValues); {
	case n == 0:
		return Filter{}, domain.Refused("no_values", nil)
	case n > 1 && f.Op != Equal && f.Op != StartWith:
		return Filter{}, domain.Refused("one_value", domain.Params{"operator": string(f.Op)})
	}
	return f, nil
}

// numberServerFilter compares srvExport or srvAttrib with whole numbers.
func numberServerFilter(f Filter, server string, values []json.RawMessage) (Filter, error) {
	if f.Op == StartWith {
		return Filter{}, domain.Refused("no_start_with", domain.Params{"compared": server})
	}
	f.Server, f.Kind = server, NumberValues
	for _, raw := range values {
		var n int64
		if json.Unmarshal(raw, &n) != nil {
			return Filter{}, domain.Refused("whole_numbers", domain.Params{"compared": server})
		}
		f.Numbers = append(f.Numbers, float64(n))
	}
	return f, nil
}

// dateFilter compares srvDateUTC with dates given as strings.
func dateFilter(f Filter, values []json.RawMessage) (Filter, error) {
	f.Server = SrvDateUTC
	if f.Op == StartWith {
		return Filter{}, domain.Refused("no_start_with", domain.Params{"compared": SrvDateUTC})
	}
	f.Kind = DateValues
	for _, raw := range values {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return Filter{}, domain.Refused("date_strings", domain.Params{"compared": SrvDateUTC})
		}
		t, err := ParseSrvDate(s)
		if err != nil {
			return Filter{}, err
		}
		f.Dates = append(f.Dates, t)
	}
	return f, nil
}

// fieldFilter compares a row field with texts (strings and booleans) or
// numbers, not both; StartWith compares text only.
func fieldFilter(f Filter, values []json.RawMessage) (Filter, error) {
	for i, raw := range values {
		kind, err := f.addValue(i, bytes.TrimSpace(raw))
		if err != nil {
			return Filter{}, err
		}
		if i > 0 && kind != f.Kind {
			return Filter{}, domain.Refused("mixed_values", nil)
		}
		f.Kind = kind
	}
	if f.Kind == NumberValues && f.Op == StartWith {
		return Filter{}, domain.Refused("start_with_text", nil)
	}
	return f, nil
}

// addValue appends the value at index i of a field filter and tells its
// kind; a value that is none of text, number or boolean (or is not JSON) is
// refused by the rule "value_kind" {"index"}.
func (f *Filter) addValue(i int, raw json.RawMessage) (ValueKind, error) {
	switch {
	case len(raw) > 0 && raw[0] == '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return TextValues, valueKind(i)
		}
		f.Texts = append(f.Texts, s)
	case string(raw) == "true" || string(raw) == "false":
		f.Texts = append(f.Texts, string(raw))
	default:
		var n float64
		if json.Unmarshal(raw, &n) != nil {
			return TextValues, valueKind(i)
		}
		f.Numbers = append(f.Numbers, n)
		return NumberValues, nil
	}
	return TextValues, nil
}

func valueKind(i int) error { return domain.Refused("value_kind", domain.Params{"index": i}) }

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }
