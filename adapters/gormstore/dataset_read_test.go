package gormstore

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The rows of a page take the display names of their own names document,
// whether it is the row before's (parsed once), another, or none.
func TestPageRowsTakeTheirOwnDisplayNames(t *testing.T) {
	page := pageReader{left: 8, keys: keyCache{}}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	doc := []byte(`{"a": 1, "b": "x"}`)
	for i, c := range []struct {
		names string
		want  map[string]string // key: display name
	}{
		{`{"a":"A"}`, map[string]string{"a": "A", "b": "b"}},
		{`{"a":"A"}`, map[string]string{"a": "A", "b": "b"}},
		{`{"b":"B","a":"Alpha"}`, map[string]string{"a": "Alpha", "b": "B"}},
		{``, map[string]string{"a": "a", "b": "b"}},
		{`{}`, map[string]string{"a": "a", "b": "b"}},
		{`{"a":"A"}`, map[string]string{"a": "A", "b": "b"}},
	} {
		row, err := page.restore("thing", "T1", doc, []byte(c.names), at, 0, 0)
		require.NoError(t, err, "row %d", i)
		got := map[string]string{}
		for key, f := range row.EachFieldByKey() {
			got[key] = f.Name
		}
		assert.Equal(t, c.want, got, "row %d, names %s", i, c.names)
	}

	_, err := page.restore("thing", "T2", doc, []byte(`{"a":`), at, 0, 0)
	require.ErrorIs(t, err, errNotObject)
	_, err = page.restore("thing", "T3", doc, []byte(`{"a":`), at, 0, 0)
	require.ErrorIs(t, err, errNotObject, "a broken document is not kept as parsed")
	row, err := page.restore("thing", "T4", doc, []byte(`{"a":"A"}`), at, 0, 0)
	require.NoError(t, err)
	f, ok := row.Field("a")
	require.True(t, ok)
	assert.Equal(t, "A", f.Name)
}
