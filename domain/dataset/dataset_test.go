package dataset

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parc-hq/parc/domain"
)

func TestEntityNames(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"customer", true}, {"customerContact", true}, {"sw_data_1", true},
		{"", false}, {"bad-name", false}, {"a b", false}, {"select", false}, {"SrvExport", false}, {"RELATIONALDATASET", false},
		{string(make([]byte, 65)), false},
	} {
		e, err := ParseEntityName(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("ParseEntityName(%q): err = %v, want ok=%v", tc.in, err, tc.ok)
		}
		if err != nil && !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("ParseEntityName(%q): %v is not ErrInvalid", tc.in, err)
		}
		if tc.ok && (e.Display() != tc.in || e.IDField() != e.Key()+"_id") {
			t.Errorf("ParseEntityName(%q) = %+v", tc.in, e)
		}
	}
	a, _ := ParseEntityName("customerContact")
	b, _ := ParseEntityName("customercontact")
	if a.Key() != b.Key() {
		t.Error("entity names must match without regard to case")
	}
}

func TestNextSrvDate(t *testing.T) {
	now := time.Date(2025, 11, 6, 16, 55, 1, 544123999, time.FixedZone("CET", 3600))
	trunc := now.UTC().Truncate(time.Microsecond)
	for _, tc := range []struct {
		name       string
		prev, want time.Time
	}{
		{"new row: now, truncated to the microsecond, in UTC", time.Time{}, trunc},
		{"previous in the past: now", trunc.Add(-time.Hour), trunc},
		{"previous equal to now: one microsecond later", trunc, trunc.Add(time.Microsecond)},
		{"previous in the future (clock skew): one microsecond after it", trunc.Add(time.Second), trunc.Add(time.Second + time.Microsecond)},
	} {
		got := NextSrvDate(now, tc.prev)
		if !got.Equal(tc.want) || got.Location() != time.UTC {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
	if s := FormatSrvDate(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)); s != "2025-01-02T03:04:05.000000Z" {
		t.Errorf("FormatSrvDate = %s: want six fractional digits always", s)
	}
	back, err := ParseSrvDate(FormatSrvDate(now))
	if err != nil || !back.Equal(trunc) {
		t.Errorf("round trip: %v %v", back, err)
	}
	if _, err := ParseSrvDate("2025-01-02T03:04:05.0000001Z"); err == nil {
		t.Error("a date finer than a microsecond must be refused")
	}
}

func raw(s string) json.RawMessage { return json.RawMessage(s) }

// batchDoc builds the document of a BatchInput from the JSON of its parts.
type batchDoc struct{ doc []byte }

// json appends a part and returns its span.
func (d *batchDoc) json(s string) Span {
	start := len(d.doc)
	d.doc = append(append(d.doc, s...), '\n')
	return SpanOf(start, start+len(s))
}

// input is in with its document, once every part is in it.
func (d *batchDoc) input(in BatchInput) BatchInput {
	in.Doc = d.doc
	return in
}

func mustBatch(t *testing.T, in BatchInput) Batch {
	t.Helper()
	b, err := ParseBatch(in)
	if err != nil {
		t.Fatalf("ParseBatch: %v", err)
	}
	return b
}

func stored(entity, code string, fields map[string]string, at time.Time, attrib int) Row {
	e := RestoreEntityName(entity)
	f := Fields{e.IDField(): {Name: entity + "_ID", Value: raw(`"` + code + `"`)}}
	for k, v := range fields {
		fn, _ := ParseFieldName(k)
		f[fn.Key()] = Field{Name: k, Value: raw(v)}
	}
	return RestoreRow(RowRecord{Entity: e, Code: RestoreRowCode(code), Fields: f, SrvDate: at, SrvAttrib: attrib})
}

func TestPlanBatch(t *testing.T) {
	now := time.Date(2025, 11, 6, 12, 0, 0, 0, time.UTC)
	past := now.Add(-time.Hour)
	existing := []Row{
		stored("customer", "C1", map[string]string{"Name": `"one"`, "city": `"Lyon"`}, past, Live),
		stored("customer", "C2", map[string]string{"Name": `"two"`}, now, Live), // stored "in the future" of the batch
		stored("customer", "C3", nil, past, Deleted),
		stored("contact", "K1", nil, past, Live),
	}
	d := &batchDoc{}
	b := mustBatch(t, d.input(BatchInput{
		SrvExport: 2,
		Deletes:   d.json(`{"Customer": ["C2", "C9", "C1"]}`),
		Data: d.json(`{"customer": [
			{"customer_ID": "C1", "NAME": "again"},
			{"CUSTOMER_ID": "C3", "x": 1},
			{"customer_id": "C4", "srvAttrib": 1},
			{"customer_id": "C4", "y": 2}
		]}`),
		Relations: d.json(`[{"SourceEntityName": "customer", "SourceRowCode": "C4", "TargetEntityName": "CONTACT", "TargetFieldName": "customer_ID", "TargetRowCode": "K1"}]`),
	}))
	plan, err := PlanBatch(b, existing, now)
	if err != nil {
		t.Fatal(err)
	}
	want := []EntityResult{{Entity: "Customer", Created: 3, Deleted: 2}, {Entity: "CONTACT", Related: 1}}
	if len(plan.Results) != 2 || plan.Results[0] != want[0] || plan.Results[1] != want[1] {
		t.Errorf("results = %+v, want %+v", plan.Results, want)
	}
	byCode := map[string]Row{}
	if len(plan.Creates) != 1 || plan.Creates[0].Code().String() != "C4" {
		t.Errorf("creates = %+v, want C4 alone (C3 is stored, deleted)", plan.Creates)
	}
	for i, w := range plan.Updates {
		if i > 0 && !plan.Updates[i-1].Key().Less(w.Key()) {
			t.Errorf("updates not sorted by key at %d", i)
		}
	}
	for _, w := range writes(plan) {
		byCode[w.Code().String()] = w
		if w.SrvExport() != 2 {
			t.Errorf("%s: srvExport %d, want the batch's", w.Code(), w.SrvExport())
		}
	}
	if len(writes(plan)) != 5 {
		t.Fatalf("writes = %d, want C1 C2 C3 C4 K1", len(writes(plan)))
	}
	c1 := byCode["C1"]
	if !c1.IsLive() || c1.fields["city"].Value != nil || string(c1.fields["name"].Value) != `"again"` || c1.fields["name"].Name != "NAME" {
		t.Errorf("C1 deleted then written must be present with only the new fields: %+v", c1.fields)
	}
	if c2 := byCode["C2"]; c2.IsLive() || !c2.SrvDate().Equal(now.Add(time.Microsecond)) {
		t.Errorf("C2: deleted with srvDate after its stored one: %+v", c2)
	}
	if c3 := byCode["C3"]; !c3.IsLive() || c3.Entity().Display() != "customer" {
		t.Errorf("C3 revived: %+v", c3)
	}
	if c4 := byCode["C4"]; len(c4.fields) != 2 || string(c4.fields["y"].Value) != "2" {
		t.Errorf("C4 written twice merges, server fields dropped: %+v", c4.fields)
	}
	if k1 := byCode["K1"]; string(k1.fields["customer_id"].Value) != `"C4"` || k1.fields["customer_id"].Name != "customer_ID" {
		t.Errorf("K1 related: %+v", k1.fields)
	}
}

func TestPlanBatchUnchangedAndUpdated(t *testing.T) {
	now := time.Date(2025, 11, 6, 12, 0, 0, 0, time.UTC)
	existing := []Row{stored("item", "A", map[string]string{"v": `[1,{"a":2}]`}, now.Add(-time.Minute), Live),
		stored("item", "B", map[string]string{"v": `1`}, now.Add(-time.Minute), Live)}
	d := &batchDoc{}
	b := mustBatch(t, d.input(BatchInput{Data: d.json(`{"item": [
		{"item_ID": "A", "V": [ 1, { "a" : 2 } ]}, {"item_ID": "B", "v": 2}]}`)}))
	plan, err := PlanBatch(b, existing, now)
	if err != nil {
		t.Fatal(err)
	}
	if r := plan.Results[0]; r.Unchanged != 1 || r.Updated != 1 || len(plan.Updates) != 1 || plan.Updates[0].Code().String() != "B" || len(plan.Creates) != 0 {
		t.Errorf("results %+v, plan %+v", r, plan)
	}
}

func TestPlanBatchFailures(t *testing.T) {
	now := time.Now()
	for _, tc := range []struct {
		name string
		in   func(d *batchDoc) BatchInput
		path string
	}{
		{"a row without its code", func(d *batchDoc) BatchInput {
			return BatchInput{Data: d.json(`{"item": [{"item_ID": "A"}, {"x": 1}]}`)}
		}, "data.item[1]"},
		{"an empty code", func(d *batchDoc) BatchInput {
			return BatchInput{Data: d.json(`{"item": [{"item_ID": ""}]}`)}
		}, "data.item[0]"},
		{"a code that is an object", func(d *batchDoc) BatchInput {
			return BatchInput{Deletes: d.json(`{"item": [{}]}`)}
		}, "deletes.item[0]"},
		{"a reserved entity", func(d *batchDoc) BatchInput {
			return BatchInput{Data: d.json(`{"select": []}`)}
		}, "data.select"},
		{"a row that is not an object", func(d *batchDoc) BatchInput {
			return BatchInput{Data: d.json(`{"item": [{"item_ID": "A"}, ["B"]]}`)}
		}, "data.item[1]"},
		{"rows that are not an array", func(d *batchDoc) BatchInput {
			return BatchInput{Data: d.json(`{"item": {"item_ID": "A"}}`)}
		}, "data.item"},
		{"a relation to nothing", func(d *batchDoc) BatchInput {
			return BatchInput{Relations: d.json(`[{"SourceEntityName": "a", "SourceRowCode": "1", "TargetEntityName": "b", "TargetFieldName": "a_ID", "TargetRowCode": 2}]`)}
		}, "relations[0]"},
		{"a relation without a source code", func(d *batchDoc) BatchInput {
			return BatchInput{Relations: d.json(`[{"SourceEntityName": "a", "TargetEntityName": "b", "TargetFieldName": "a_ID", "TargetRowCode": "2"}]`)}
		}, "relations[0].SourceRowCode"},
		{"a relation overwriting the target's code", func(d *batchDoc) BatchInput {
			return BatchInput{Relations: d.json(`[{"sourceentityname": "a", "SourceRowCode": "1", "TargetEntityName": "b", "TargetFieldName": "B_id", "TargetRowCode": "2"}]`)}
		}, "relations[0].TargetFieldName"},
		{"a NUL in a value", func(d *batchDoc) BatchInput {
			return BatchInput{Data: d.json(`{"item": [{"item_ID": "A", "x": ["\u0000"]}]}`)}
		}, "data.item[0].x"},
		{"two spellings of a field", func(d *batchDoc) BatchInput {
			return BatchInput{Data: d.json(`{"item": [{"item_ID": "A", "x": 1, "X": 2}]}`)}
		}, "data.item[0].x"},
		{"a relation that is not an object", func(d *batchDoc) BatchInput {
			return BatchInput{Relations: d.json(`[{"SourceEntityName": 1}]`)}
		}, "relations[0]"},
		{"data that is not an object", func(d *batchDoc) BatchInput {
			return BatchInput{Data: d.json(`[]`)}
		}, "data"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := &batchDoc{}
			b, err := ParseBatch(d.input(tc.in(d)))
			if err == nil {
				_, err = PlanBatch(b, nil, now)
			}
			var v *domain.ValidationError
			if !errors.As(err, &v) || len(v.Problems) == 0 {
				t.Fatalf("err = %v, want a validation error", err)
			}
			if got := v.Problems[0].PathString(); got != tc.path {
				t.Errorf("path = %q, want %q (%v)", got, tc.path, err)
			}
		})
	}
}

func TestParseSelect(t *testing.T) {
	one, zero, big, most := 1, 0, 50000, MaxLimit
	q, err := ParseSelect(SelectInput{EntityName: "Item", Limit: &most, Filters: []FilterInput{
		{FieldName: "srvdateutc", Operator: "greaterthan", FilterValues: []json.RawMessage{raw(`"2025-01-01T00:00:00Z"`)}},
		{FieldName: "Qty", Operator: "Equal", FilterValues: []json.RawMessage{raw(`1`), raw(`2.5`)}},
		{FieldName: "label", Operator: "StartWith", FilterValues: []json.RawMessage{raw(`"ab"`)}},
	}, Sorts: []SortInput{{FieldName: "Label", Direction: "desc"}}})
	if err != nil {
		t.Fatal(err)
	}
	if q.Limit != MaxLimit || q.Entity.Key() != "item" || q.Filters[0].Server != SrvDateUTC || q.Filters[1].Kind != NumberValues || q.Filters[1].Field != "qty" || !q.Sorts[0].Desc {
		t.Errorf("query = %+v", q)
	}
	if q, _ := ParseSelect(SelectInput{EntityName: "x"}); q.Limit != DefaultLimit || q.SrvAttrib != nil {
		t.Errorf("defaults: %+v", q)
	}
	for _, in := range []SelectInput{
		{EntityName: "Select"},
		{EntityName: "x", Limit: &zero},
		{EntityName: "x", Limit: &big}, // over the maximum: refused, not capped
		{EntityName: "x", SrvAttrib: &big},
		{EntityName: "x", Filters: []FilterInput{{FieldName: "a", Operator: "Like", FilterValues: []json.RawMessage{raw(`1`)}}}},
		{EntityName: "x", Filters: []FilterInput{{FieldName: "a", Operator: "Equal"}}},
		{EntityName: "x", Filters: []FilterInput{{FieldName: "a", Operator: "LessThan", FilterValues: []json.RawMessage{raw(`1`), raw(`2`)}}}},
		{EntityName: "x", Filters: []FilterInput{{FieldName: "a", Operator: "Equal", FilterValues: []json.RawMessage{raw(`1`), raw(`"2"`)}}}},
		{EntityName: "x", Filters: []FilterInput{{FieldName: "a", Operator: "StartWith", FilterValues: []json.RawMessage{raw(`1`)}}}},
		{EntityName: "x", Filters: []FilterInput{{FieldName: "srvDateUTC", Operator: "Equal", FilterValues: []json.RawMessage{raw(`"yesterday"`)}}}},
		{EntityName: "x", Filters: []FilterInput{{FieldName: "a'; DROP TABLE x; --", Operator: "Equal", FilterValues: []json.RawMessage{raw(`1`)}}}},
		{EntityName: "x", Sorts: []SortInput{{FieldName: "a", Direction: "sideways"}}},
		{EntityName: "x", SrvExport: &one, Offset: new(int(-1))},
	} {
		if _, err := ParseSelect(in); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("ParseSelect(%+v) = %v, want invalid", in, err)
		}
	}
}

// A problem of a filter is typed "filter" and placed at the filter,
// whatever part of it broke a rule; the same name sorted is a field_name.
func TestParseSelectPlacesEachProblem(t *testing.T) {
	_, err := ParseSelect(SelectInput{EntityName: "x",
		Filters: []FilterInput{{FieldName: "bad name", Operator: "Equal", FilterValues: []json.RawMessage{raw(`1`)}},
			{FieldName: "srvDateUTC", Operator: "Equal", FilterValues: []json.RawMessage{raw(`"2025-01-01T00:00:00.1234567Z"`)}}},
		Sorts: []SortInput{{FieldName: "bad name"}}})
	var v *domain.ValidationError
	if !errors.As(err, &v) {
		t.Fatalf("ParseSelect: %v", err)
	}
	want := "filterFields[0]: filter (of=field, rule=name_chars, value=bad name); " +
		"filterFields[1]: filter (rule=date_precision, value=2025-01-01T00:00:00.1234567Z); " +
		"sortFields[0].fieldName: field_name (of=field, rule=name_chars, value=bad name)"
	if v.Detail() != want {
		t.Errorf("problems:\n%s\nwant\n%s", v.Detail(), want)
	}
}

func TestRowUpdateAndDelete(t *testing.T) {
	now := time.Date(2025, 11, 6, 12, 0, 0, 0, time.UTC)
	r := stored("item", "A", map[string]string{"Label": `"x"`}, now, Live)
	same, changed, err := r.Update(Fields{"label": {Name: "LABEL", Value: raw(`"x"`)}}, 0, now)
	if err != nil || changed || !same.SrvDate().Equal(now) {
		t.Errorf("an identical update changes nothing: %v %v", changed, err)
	}
	up, changed, err := r.Update(Fields{"label": {Name: "LABEL", Value: raw(`"y"`)}}, 0, now)
	if err != nil || !changed || up.fields["label"].Name != "Label" || !up.SrvDate().After(now) {
		t.Errorf("update: %+v %v %v", up, changed, err)
	}
	if _, _, err := r.Update(Fields{"item_id": {Name: "item_ID", Value: raw(`"B"`)}}, 0, now); !errors.Is(err, domain.ErrInvalid) {
		t.Errorf("changing the code: %v", err)
	}
	d := r.Delete(0, now)
	if d.IsLive() || !d.SrvDate().After(now) {
		t.Errorf("delete: %+v", d)
	}
	if _, err := NewRow(r.Entity(), r.Fields(), &r, 0, now); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("creating over a live row: %v", err)
	}
	if revived, err := NewRow(r.Entity(), r.Fields(), &d, 0, now); err != nil || !revived.IsLive() || !revived.SrvDate().After(d.SrvDate()) {
		t.Errorf("reviving: %+v %v", revived, err)
	}
}

func TestParseSelectLimitsAndServerFields(t *testing.T) {
	values := func(n int) []json.RawMessage {
		out := make([]json.RawMessage, n)
		for i := range out {
			out[i] = raw(`"v"`)
		}
		return out
	}
	eq := FilterInput{FieldName: "a", Operator: "Equal", FilterValues: values(1)}
	for _, tc := range []struct {
		name string
		in   SelectInput
		path string
	}{
		{"too many values", SelectInput{EntityName: "x", Filters: []FilterInput{eq, {FieldName: "a", Operator: "StartWith", FilterValues: values(MaxValues)}}}, "filterFields[1].filterValues"},
		{"too many filters", SelectInput{EntityName: "x", Filters: slices.Repeat([]FilterInput{eq}, MaxFilters+1)}, "filterFields"},
		{"too many sorts", SelectInput{EntityName: "x", Sorts: slices.Repeat([]SortInput{{FieldName: "a"}}, MaxSorts+1)}, "sortFields"},
		{"null value", SelectInput{EntityName: "x", Filters: []FilterInput{{FieldName: "a", Operator: "Equal", FilterValues: []json.RawMessage{raw(`1`), raw(` null`)}}}}, "filterFields[0].filterValues[1]"},
		{"companyCode is a parameter", SelectInput{EntityName: "x", Filters: []FilterInput{{FieldName: "CompanyCode", Operator: "Equal", FilterValues: values(1)}}}, "filterFields[0].fieldName"},
		{"srvExport takes whole numbers", SelectInput{EntityName: "x", Filters: []FilterInput{{FieldName: "srvExport", Operator: "Equal", FilterValues: values(1)}}}, "filterFields[0]"},
	} {
		_, err := ParseSelect(tc.in)
		var v *domain.ValidationError
		if !errors.As(err, &v) || len(v.Problems) != 1 || v.Problems[0].PathString() != tc.path {
			t.Errorf("%s: err = %v, want one problem at %s", tc.name, err, tc.path)
		}
	}
	q, err := ParseSelect(SelectInput{EntityName: "x",
		Filters: []FilterInput{eq, {FieldName: "SRVEXPORT", Operator: "Equal", FilterValues: []json.RawMessage{raw(`0`), raw(`1`)}}, {FieldName: "srvAttrib", Operator: "LessThan", FilterValues: []json.RawMessage{raw(`1`)}}},
		Sorts:   slices.Repeat([]SortInput{{FieldName: "srvExport"}}, MaxSorts)})
	if err != nil {
		t.Fatal(err)
	}
	if q.Filters[1].Server != SrvExport || q.Filters[1].Kind != NumberValues || q.Filters[2].Server != SrvAttrib || q.Sorts[0].Server != SrvExport {
		t.Errorf("server fields: %+v", q)
	}
	if _, err := ParseSelect(SelectInput{EntityName: "x", Filters: []FilterInput{{FieldName: "a", Operator: "Equal", FilterValues: values(MaxValues)}}}); err != nil {
		t.Errorf("%d values: %v", MaxValues, err)
	}
}

func TestRowCodes(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"MF01", true}, {"X ", true}, {"a.b-c d", true}, {"été", true},
		{"", false}, {"A/B", false}, {"/", false}, {"a\tb", false}, {string(make([]byte, MaxRowCodeLen+1)), false},
	} {
		c, err := ParseRowCode(tc.in)
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, domain.ErrInvalid)) {
			t.Errorf("ParseRowCode(%q) = %v, want ok=%v", tc.in, err, tc.ok)
		}
		want := RowCode{}
		if tc.ok {
			want = RestoreRowCode(tc.in)
		}
		if c != want || c.String() != want.String() {
			t.Errorf("ParseRowCode(%q) = %q, want %q (the zero code on a refusal)", tc.in, c, want)
		}
	}
}

func TestParseFieldsDepth(t *testing.T) {
	nested := func(levels int) json.RawMessage {
		return raw(strings.Repeat(`[`, levels-1) + `{"s":"[\"{"}` + strings.Repeat(`]`, levels-1))
	}
	if d := nestingDepth(nested(5)); d != 5 {
		t.Errorf("nestingDepth = %d, want 5 (brackets in strings do not count)", d)
	}
	if _, err := ParseFields(map[string]json.RawMessage{"deep": nested(MaxDepth - 1)}); err != nil {
		t.Errorf("a row of %d levels: %v", MaxDepth, err)
	}
	_, err := ParseFields(map[string]json.RawMessage{"deep": nested(MaxDepth)}, "data", "x", 0)
	var v *domain.ValidationError
	if !errors.As(err, &v) || v.Problems[0].PathString() != "data.x[0].deep" {
		t.Errorf("a row of %d levels: %v, want refused at data.x[0].deep", MaxDepth+1, err)
	}
}

// writes is every row a plan writes.
func writes(p Plan) []Row { return append(slices.Clone(p.Creates), p.Updates...) }

// AppendSrvDate writes what time.Time.AppendFormat writes with
// SrvDateLayout, after conversion to UTC and truncation to microseconds.
func TestAppendSrvDateMatchesAppendFormat(t *testing.T) {
	zone := time.FixedZone("", -7*3600-30*60)
	times := []time.Time{{}, time.Date(1, 1, 1, 0, 0, 0, 999, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-5, 3, 1, 0, 0, 0, 0, time.UTC), time.Now(), time.Now().In(zone)}
	for i := range 1000 {
		times = append(times, time.Unix(int64(i)*7919*86400+int64(i)*1237, int64(i)*999331).In(zone))
	}
	for _, tm := range times {
		want := tm.UTC().Truncate(time.Microsecond).Format(SrvDateLayout)
		if got := string(AppendSrvDate([]byte("x"), tm)); got != "x"+want {
			t.Fatalf("AppendSrvDate(%v) = %s, want x%s", tm, got, want)
		}
	}
}
