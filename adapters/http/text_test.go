package httpapi

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parc-hq/parc/domain"
)

func TestScanJSONNamesEveryBadValue(t *testing.T) {
	rule := textRule{maxText: 8, maxProblems: 1000}
	for name, tc := range map[string]struct {
		body string
		want string // PathString: type
	}{
		"NUL escape in a nested string":  {`{"data":{"e":[{"a":"x"},{"a":"a\u0000b"}]}}`, "data.e[1].a: string_unicode"},
		"lone high surrogate":            {`["ok","\ud800"]`, "[1]: string_unicode"},
		"lone low surrogate":             {`{"k":"\udc00x"}`, "k: string_unicode"},
		"raw invalid bytes":              {"{\"nom\":\"\xff\xfe\"}", "nom: string_unicode"},
		"bad key":                        {"{\"a\xff\":1}", `"a\xff": string_unicode`},
		"number beyond float64":          {`{"n":[1,-1e999999]}`, "n[1]: finite_number"},
		"string too long":                {`{"s":"123456789"}`, "s: string_too_long"},
		"top-level string":               {`"\u0000"`, "body: string_unicode"},
		"pair of surrogates is fine":     {`{"s":"\ud83d\ude00"}`, ""},
		"escaped quote and backslash":    {`{"s":"a\"\\"}`, ""},
		"tiny number is fine":            {`[1e-999999, 12345678901234567890123]`, ""},
		"malformed JSON is left to JSON": {`{"s":"\u0000`, ""},
	} {
		t.Run(name, func(t *testing.T) {
			err := rule.scanJSON([]byte(tc.body))
			if tc.want == "" {
				assert.NoError(t, err)
				return
			}
			var v *domain.ValidationError
			require.ErrorAs(t, err, &v)
			require.Len(t, v.Problems, 1, v.Detail())
			assert.Equal(t, tc.want, v.Problems[0].PathString()+": "+v.Problems[0].Type)
		})
	}
}

func TestScanJSONListsAtMostMaxProblems(t *testing.T) {
	body := "[" + strings.Repeat(`"\u0000",`, 5000) + `"\u0000"]`
	err := textRule{maxProblems: 10}.scanJSON([]byte(body))
	var v *domain.ValidationError
	require.ErrorAs(t, err, &v)
	require.Len(t, v.Problems, 11)
	assert.Equal(t, "5001 problems in all; only the first 10 are listed", plainWords(v.Problems[10]))
}

func TestScanJSONSurvivesDeepNesting(t *testing.T) {
	body := strings.Repeat("[", 1<<20) + `"\u0000"` + strings.Repeat("]", 1<<20)
	assert.NoError(t, textRule{}.scanJSON([]byte(body)), "past the nesting limit the decoder refuses the body")
}
