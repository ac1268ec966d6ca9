package dataset_test

import (
	"fmt"
	"maps"
	"testing"

	"github.com/parc-hq/parc/domain/dataset"
)

// A row read back with its fields in a slice answers as one restored from
// a map of the same fields: few or many, in key order or not, a key given
// twice keeping its last value.
func TestRestoreRowFromStoredFieldsMatchesMap(t *testing.T) {
	for _, n := range []int{0, 1, 5, 16, 17, 40} {
		for _, order := range []string{"sorted", "reversed", "repeated"} {
			t.Run(fmt.Sprintf("%d/%s", n, order), func(t *testing.T) {
				want := dataset.Fields{}
				var stored []dataset.StoredField
				for i := range n {
					key := fmt.Sprintf("f%03d", i)
					f := dataset.Field{Name: "F" + key, Value: []byte(fmt.Sprint(i))}
					want[key] = f
					stored = append(stored, dataset.StoredField{Key: key, Field: f})
				}
				switch order {
				case "reversed":
					for i, j := 0, len(stored)-1; i < j; i, j = i+1, j-1 {
						stored[i], stored[j] = stored[j], stored[i]
					}
				case "repeated":
					if n > 0 {
						stale := stored[n/2]
						stale.Value = []byte(`"stale"`)
						stored = append([]dataset.StoredField{stale}, stored...)
					}
				}
				got := dataset.RestoreRow(dataset.RowRecord{Stored: stored})
				if !maps.EqualFunc(got.Fields(), want, fieldsEqual) {
					t.Fatalf("Fields() = %v, want %v", got.Fields(), want)
				}
				if got.FieldCount() != n {
					t.Fatalf("FieldCount() = %d, want %d", got.FieldCount(), n)
				}
				seen := dataset.Fields{}
				for k, f := range got.EachFieldByKey() {
					seen[k] = f
				}
				if !maps.EqualFunc(seen, want, fieldsEqual) {
					t.Fatalf("EachFieldByKey yields %v, want %v", seen, want)
				}
				for k, f := range want {
					if g, ok := got.Field(k); !ok || !fieldsEqual(g, f) {
						t.Fatalf("Field(%q) = %v, %v; want %v", k, g, ok, f)
					}
				}
				if _, ok := got.Field("missing"); ok {
					t.Fatal("Field(missing) found a field")
				}
			})
		}
	}
}

func fieldsEqual(a, b dataset.Field) bool {
	return a.Name == b.Name && string(a.Value) == string(b.Value)
}
