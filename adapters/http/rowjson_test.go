package httpapi

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/parc-hq/parc/domain/dataset"
	"github.com/parc-hq/parc/domain/tenant"
)

// The hand-written row encoder must give the bytes encoding/json gives for
// the same members in a map, whatever the stored JSON looks like
// (PostgreSQL's jsonb adds spaces; values may hold characters encoding/json
// escapes).
func TestRowJSONMatchesEncodingJSON(t *testing.T) {
	for _, stored := range []bool{false, true} {
		t.Run(fmt.Sprint("stored=", stored), func(t *testing.T) { rowJSONMatchesEncodingJSON(t, stored) })
	}
}

func rowJSONMatchesEncodingJSON(t *testing.T, stored bool) {
	values := []string{
		`1`, `-2.5e10`, `true`, `null`, `"plain"`, `"with space"`, `"<b>&amp;</b>"`, `"quote \" and \\ backslash"`,
		`"line\u2028sep"`, "\"raw\u2028sep\u2029\"", `"é ü 中 🙂"`, `"\u00e9\n\t"`, `{"a": 1, "b": [1, 2, {"c": "x y"}]}`,
		"[ 1 ,\n\t2 ]", `{}`, `[]`, `{"nested": {"deep": "<&>"}}`, `""`,
	}
	names := []string{"name", "Name2", "zip", "a<b", "é", "srvExport", "x\"y", "CITY", "aa", "a"}
	company := tenant.RestoreCompany(tenant.CompanyRecord{ID: "c1", Code: tenant.RestoreCode("ACME<&>"), Name: "Acme"})
	var e rowEncoder
	for i := range 200 {
		fields := dataset.Fields{}
		for j := range 1 + i%len(names) {
			name := names[(i+j)%len(names)]
			fields[fmt.Sprintf("k%d", j)] = dataset.Field{Name: name, Value: json.RawMessage(values[(i*7+j)%len(values)])}
		}
		row := testRow(i, fields, stored)

		want := map[string]json.RawMessage{}
		for _, f := range row.Fields() {
			want[f.Name] = f.Value
		}
		date, _ := json.Marshal(dataset.FormatSrvDate(row.SrvDate()))
		code, _ := json.Marshal(company.Code().String())
		want[dataset.SrvDateUTC], want[dataset.SrvExport] = date, json.RawMessage(fmt.Sprint(row.SrvExport()))
		want[dataset.SrvAttrib], want[dataset.CompanyCode] = json.RawMessage(fmt.Sprint(row.SrvAttrib())), code
		wantBytes, err := json.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		got := e.appendRow(nil, row, company)
		if string(got) != string(wantBytes) {
			t.Fatalf("row %d:\n got %s\nwant %s", i, got, wantBytes)
		}
	}
}

// Rows that share their fields are written in the order of the previous
// row; a row whose fields differ in any way (another key, another display
// spelling, one more or fewer, a field shadowed by a server field) must
// still come out as encoding/json writes it.
func TestRowJSONOfConsecutiveRowsMatchesEncodingJSON(t *testing.T) {
	company := tenant.RestoreCompany(tenant.CompanyRecord{ID: "c1", Code: tenant.RestoreCode("ACME"), Name: "Acme"})
	shapes := []dataset.Fields{
		{"name": {Name: "name", Value: json.RawMessage(`"a"`)}, "zip": {Name: "zip", Value: json.RawMessage(`1`)}},
		{"name": {Name: "name", Value: json.RawMessage(`"b"`)}, "zip": {Name: "zip", Value: json.RawMessage(`2`)}},
		{"name": {Name: "Name", Value: json.RawMessage(`"c"`)}, "zip": {Name: "zip", Value: json.RawMessage(`3`)}},
		{"name": {Name: "Name", Value: json.RawMessage(`"d"`)}, "city": {Name: "city", Value: json.RawMessage(`"x"`)}},
		{"name": {Name: "Name", Value: json.RawMessage(`"e"`)}},
		{"name": {Name: "Name", Value: json.RawMessage(`"f"`)}, "srvexport": {Name: "srvExport", Value: json.RawMessage(`7`)}},
		{"name": {Name: "Name", Value: json.RawMessage(`"g"`)}, "srvexport": {Name: "srvExport", Value: json.RawMessage(`8`)}},
		{"name": {Name: "Name", Value: json.RawMessage(`"h"`)}, "srvexport": {Name: "SrvExport", Value: json.RawMessage(`9`)}},
		{"name": {Name: "Name", Value: json.RawMessage(`"i"`)}, "zip": {Name: "zip", Value: json.RawMessage(`4`)}},
		{},
		{},
		{"name": {Name: "Name", Value: json.RawMessage(`"j"`)}, "zip": {Name: "zip", Value: json.RawMessage(`5`)}},
		{"a<b\"é": {Name: "a<B\"é", Value: json.RawMessage(`1`)}, "zip": {Name: "zip", Value: json.RawMessage(`6`)}},
		{"a<b\"é": {Name: "a<B\"é", Value: json.RawMessage(`2`)}, "zip": {Name: "zip", Value: json.RawMessage(`7`)}},
	}
	for _, stored := range []bool{false, true} {
		var e rowEncoder
		for i, fields := range shapes {
			consecutiveRowMatches(t, &e, company, testRow(i, fields, stored), fields)
		}
	}
}

func consecutiveRowMatches(t *testing.T, e *rowEncoder, company tenant.Company, row dataset.Row, fields dataset.Fields) {
	t.Helper()
	want := map[string]json.RawMessage{}
	for _, f := range fields {
		want[f.Name] = f.Value
	}
	date, _ := json.Marshal(dataset.FormatSrvDate(row.SrvDate()))
	want[dataset.SrvDateUTC], want[dataset.SrvExport] = date, json.RawMessage(fmt.Sprint(row.SrvExport()))
	want[dataset.SrvAttrib], want[dataset.CompanyCode] = json.RawMessage(fmt.Sprint(row.SrvAttrib())), json.RawMessage(`"ACME"`)
	wantBytes, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if got := e.appendRow([]byte("[x,"), row, company); string(got) != "[x,"+string(wantBytes) {
		t.Fatalf("row %s:\n got %s\nwant %s", row.Code(), got, wantBytes)
	}
}

// testRow is row i of the given fields, restored from a map, or from a
// slice in reverse key order as a reader of stored documents may give.
func testRow(i int, fields dataset.Fields, stored bool) dataset.Row {
	rec := dataset.RowRecord{Entity: dataset.RestoreEntityName("contact"), Code: dataset.RestoreRowCode(fmt.Sprint("r", i)),
		Fields: fields, SrvDate: time.Date(2026, 1, 2, 3, 4, 5, i*1000, time.UTC), SrvExport: i % 3, SrvAttrib: i % 2}
	if stored {
		rec.Fields, rec.Stored = nil, []dataset.StoredField{}
		for _, k := range slices.Backward(slices.Sorted(maps.Keys(fields))) {
			rec.Stored = append(rec.Stored, dataset.StoredField{Key: k, Field: fields[k]})
		}
	}
	return dataset.RestoreRow(rec)
}
