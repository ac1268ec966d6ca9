package jsonwrite

import (
	"encoding/json"
	"testing"
)

// AppendCompact must write any valid value as encoding/json writes a
// json.RawMessage.
func FuzzAppendCompact(f *testing.F) {
	for _, s := range []string{`1`, `"a <b> & c"`, "{\"a\": [1, 2]}", "\"\u2028\u2029\"", `"\"\\"`, `{"é" : "中"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, v []byte) {
		if !json.Valid(v) {
			return
		}
		want, err := json.Marshal(json.RawMessage(v))
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendCompact(nil, v); string(got) != string(want) {
			t.Fatalf("%q:\n got %q\nwant %q", v, got, want)
		}
	})
}
