package jsonview

import (
	"encoding/json"
	"maps"
	"testing"
)

// EachMember must read every object as json.Unmarshal does, in the
// spellings the three engines give stored documents back (jsonb adds
// spaces, MySQL may reorder).
func TestEachMemberMatchesUnmarshal(t *testing.T) {
	for _, doc := range eachMemberSeeds {
		checkEachMember(t, []byte(doc))
	}
}

var eachMemberSeeds = []string{
	`{}`, ` { } `, `{"a":1}`, `{"a": 1, "b": "x y", "c": [1, {"d": "}]"}], "e": {"f": null}}`,
	`{"q\"uote":"\\\"","u":"\u00e9\u2028","n":-1.5e+10,"t":true,"f":false,"z":null}`,
	"{\n\t\"a\" :\n [ ] ,\"b\":{}\r\n}", `{"a":"x","a":"y"}`, `{"é":"中","<":">"}`,
}

func checkEachMember(t *testing.T, doc []byte) {
	t.Helper()
	var want map[string]json.RawMessage
	wantErr := json.Unmarshal(doc, &want)
	got := map[string]json.RawMessage{}
	ok := EachMember(doc, func(k string, v []byte, _ int) { got[k] = v })
	if wantErr != nil {
		return // only valid JSON must agree
	}
	if !ok {
		t.Fatalf("%s: not read as an object", doc)
	}
	if !maps.EqualFunc(got, want, func(a, b json.RawMessage) bool { return string(a) == string(b) }) {
		t.Fatalf("%s:\n got %q\nwant %q", doc, got, want)
	}
}

func FuzzEachMember(f *testing.F) {
	for _, s := range eachMemberSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		var v any
		if json.Unmarshal(doc, &v) != nil {
			return
		}
		if _, ok := v.(map[string]any); ok {
			checkEachMember(t, doc)
		}
	})
}

func TestUnquote(t *testing.T) {
	for _, q := range []string{`""`, `"a"`, `"\"x\""`, `"\u00e9"`, "\"\xce\"", `12`, `null`, `"`, `{}`} {
		var want string
		wantErr := json.Unmarshal([]byte(q), &want)
		got, ok := Unquote([]byte(q))
		if ok != (wantErr == nil) || got != want {
			t.Errorf("Unquote(%s) = %q, %v; want %q, %v", q, got, ok, want, wantErr)
		}
	}
}
