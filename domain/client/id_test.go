package client_test

import (
	"testing"

	"github.com/parc-hq/parc/domain/client"
)

func TestParseIDAcceptsPydanticForms(t *testing.T) {
	const want = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
	for _, in := range []string{
		"3fa85f64-5717-4562-b3fc-2c963f66afa6",
		"3FA85F64-5717-4562-B3FC-2C963F66AFA6",
		"3fa85f6457174562b3fc2c963f66afa6",
		"{3fa85f64-5717-4562-b3fc-2c963f66afa6}",
		"urn:uuid:3fa85f64-5717-4562-b3fc-2c963f66afa6",
	} {
		if got, err := client.ParseID("client_id", in); err != nil || got != want {
			t.Errorf("ParseID(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

// The expected texts follow the Rust uuid crate's parser that pydantic-core
// reports, case by case.
func TestParseIDWordsErrorsLikePydantic(t *testing.T) {
	const char = "invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found "
	tests := []struct{ in, want string }{
		{"x", char + "`x` at 1"},
		{"nope", char + "`n` at 1"},
		{"", "invalid length: expected length 32 for simple format, found 0"},
		{"3fa85f6457174562b3fc2c963f66afa", "invalid length: expected length 32 for simple format, found 31"},
		{"3fa85f6457174562b3fc2c963f66afa66", "invalid length: expected length 32 for simple format, found 33"},
		{"3fa85f64-5717-4562-b3fc-2c963f66afa", "invalid group length in group 4: expected 12, found 11"},
		{"3fa85f64-5717-4562-b3fc-2c963f66afa6a", "invalid group length in group 4: expected 12, found 13"},
		{"1-1-1-1-1", "invalid group length in group 0: expected 8, found 1"},
		{"F9168C5E-CEB-24fa-eB6BFF32-BF39FA1E4", "invalid group length in group 1: expected 4, found 3"},
		{"F9168C5E-CEB2-4faa-B6BF1-02BF39FA1E4", "invalid group length in group 3: expected 4, found 5"},
		{"F9168C5E-CEB2-4faa-BGBF-329BF39FA1E4", char + "`G` at 21"},
		{"F9168C5E-CEB2F4faaFB6BFF329BF39FA1E4", "invalid group count: expected 5, found 2"},
		{"3fa85f64-5717-4562-b3fc-2c96-3f66afa6", "invalid group count: expected 5, found 6"},
		{"{", char + "`{` at 1"},
		{"{}", "invalid group count: expected 5, found 1"},
		{"urn:uuid:{}", char + "`{` at 10"},
		// The crate measures the last group on the whole input, braces included.
		{"{3fa85f64-5717-4562-b3fc-2c963f66afa}", "invalid group length in group 4: expected 12, found 13"},
		{"urn:uuid:3fa85f6457174562b3fc2c963f66afa6", "invalid group count: expected 5, found 1"},
		{"aébc", char + "`é` at 2"},
		{"ab\xffc", "non-UTF8 input"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := client.ParseID("client_id", tt.in)
			checkProblems(t, err, []string{"client_id|uuid_parsing|Input should be a valid UUID, " + tt.want})
		})
	}
}
