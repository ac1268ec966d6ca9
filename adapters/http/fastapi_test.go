package httpapi

import (
	"testing"
)

func TestJSONErrorPositionCountsCharacters(t *testing.T) {
	for _, tt := range []struct {
		body string
		pos  int
		bad  bool
	}{
		{`{"nom": "a"}`, 0, false},
		{`{"nom": }`, 8, true},
		{`{"nom": "é", }`, 13, true},
		{`{"nom": "abc"`, 13, true},
		{`nope`, 1, true},
	} {
		pos, bad := jsonErrorPosition([]byte(tt.body))
		if pos != tt.pos || bad != tt.bad {
			t.Errorf("%s: got (%d, %v), want (%d, %v)", tt.body, pos, bad, tt.pos, tt.bad)
		}
	}
}

func TestParseIntJSONIsPydanticLax(t *testing.T) {
	for _, tt := range []struct {
		raw  string
		want int64
		typ  string
	}{
		{`12`, 12, ""},
		{`-3`, -3, ""},
		{`12.0`, 12, ""},
		{`1e3`, 1000, ""},
		{`"42"`, 42, ""},
		{`" 42 "`, 42, ""},
		{`"4.0"`, 4, ""},
		{`true`, 1, ""},
		{`"abc"`, 0, pyIntParsing.Type},
		{`"4.5"`, 0, pyIntParsing.Type},
		{`1.5`, 0, pyIntFromFloat.Type},
		{`null`, 0, pyIntType.Type},
		{`[1]`, 0, pyIntType.Type},
		{`{}`, 0, pyIntType.Type},
		{`99999999999999999999`, 0, "less_than_equal"},
	} {
		n, p := parseIntJSON([]byte(tt.raw))
		typ := ""
		if p != nil {
			typ = p.Type
		}
		if n != tt.want || typ != tt.typ {
			t.Errorf("%s: got (%d, %q), want (%d, %q)", tt.raw, n, typ, tt.want, tt.typ)
		}
	}
}
