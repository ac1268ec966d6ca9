package gormstore

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/parc-hq/parc/domain/dataset"
)

// The documents a row is stored as are those json.Marshal gives for a map
// of its values by key and one of its display names that differ from the
// key, whatever the values hold (spaces, characters encoding/json escapes).
func TestEncodeFieldsMatchesEncodingJSON(t *testing.T) {
	values := []string{
		`1`, `-2.5e10`, `true`, `null`, `"plain"`, `"with space"`, `"<b>&amp;</b>"`, `"quote \" and \\ backslash"`,
		`"line\u2028sep"`, "\"raw\u2028sep\u2029\"", `"é ü 中 🙂"`, `"\u00e9\n\t"`, `{"a": 1, "b": [1, 2, {"c": "x y"}]}`,
		"[ 1 ,\n\t2 ]", `{}`, `[]`, `""`,
	}
	names := []string{"name", "Name2", "zip", "a<b", "é", "srvExport", "x\"y", "CITY", "aa", "a", "Zip&"}
	for i := range 300 {
		fields := dataset.Fields{}
		for j := range i % (len(names) + 1) {
			name := names[(i+j)%len(names)]
			key := fmt.Sprintf("k%d", j)
			if i%3 == 0 {
				key = name // the display name is the key
			}
			fields[key] = dataset.Field{Name: name, Value: json.RawMessage(values[(i*7+j)%len(values)])}
		}
		row := dataset.RestoreRow(dataset.RowRecord{Entity: dataset.RestoreEntityName("contact"), Code: dataset.RestoreRowCode(fmt.Sprint("r", i)), Fields: fields})
		wantValues, wantNames := map[string]json.RawMessage{}, map[string]string{}
		for k, f := range fields {
			wantValues[k] = f.Value
			if f.Name != k {
				wantNames[k] = f.Name
			}
		}
		want, err := json.Marshal(wantValues)
		if err != nil {
			t.Fatal(err)
		}
		wantNameDoc, _ := json.Marshal(wantNames)
		doc, nameDoc := encodeFields(row)
		if string(doc) != string(want) || string(nameDoc) != string(wantNameDoc) {
			t.Fatalf("row %d:\n got %s %s\nwant %s %s", i, doc, nameDoc, want, wantNameDoc)
		}
	}
}
