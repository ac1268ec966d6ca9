package gormstore

import (
	"slices"

	"github.com/parc-hq/parc/domain/dataset"
	"github.com/parc-hq/parc/internal/jsonwrite"
)

// encodeFields writes the documents of a row's fields column and its
// field_names column: the values by case-folded key, and the display
// names that differ from their key, as json.Marshal writes the two maps
// (keys sorted, values compacted and HTML-escaped; TestEncodeFieldsMatches
// EncodingJSON). A map and json.Marshal per row were the largest cost of
// a batch write in Parc; the values were checked when the request was read.
func encodeFields(r dataset.Row) (doc, names []byte) {
	var buf [16]string
	keys := buf[:0]
	size, renamed := 2, false
	for k, f := range r.EachFieldByKey() {
		keys = append(keys, k)
		size += len(k) + len(f.Value) + 4
		renamed = renamed || f.Name != k
	}
	slices.Sort(keys)
	doc = make([]byte, 0, size)
	names = []byte("{}")
	if renamed {
		names = names[:1]
	}
	doc = append(doc, '{')
	for i, k := range keys {
		f, _ := r.Field(k)
		if i > 0 {
			doc = append(doc, ',')
		}
		doc = append(jsonwrite.AppendString(doc, k), ':')
		doc = jsonwrite.AppendCompact(doc, f.Value)
		if f.Name != k {
			if len(names) > 1 {
				names = append(names, ',')
			}
			names = append(jsonwrite.AppendString(names, k), ':')
			names = jsonwrite.AppendString(names, f.Name)
		}
	}
	if renamed {
		names = append(names, '}')
	}
	return append(doc, '}'), names
}
