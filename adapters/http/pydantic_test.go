package httpapi

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parc-hq/parc/domain"
	"github.com/parc-hq/parc/domain/client"
)

// words renders the problems of a validation error as pydantic words them,
// "path|type|msg".
func checkWords(t *testing.T, err error, want []string) {
	t.Helper()
	var v *domain.ValidationError
	if !errors.As(err, &v) {
		t.Fatalf("want a *domain.ValidationError, got %T %v", err, err)
	}
	var got []string
	for _, p := range v.Problems {
		got = append(got, p.PathString()+"|"+p.Type+"|"+pydanticMessage(p))
	}
	if !slices.Equal(got, want) {
		t.Fatalf("problems\n got %q\nwant %q", got, want)
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
			checkWords(t, err, []string{"client_id|uuid_parsing|Input should be a valid UUID, " + tt.want})
		})
	}
}

// The domain's client problems read as the FastAPI service words them.
func TestClientProblemsWording(t *testing.T) {
	const tooShort = "string_too_short|String should have at least 1 character"
	nom, code := " ", int64(-5)
	checkWords(t, client.CheckClient(client.ClientInput{Nom: &nom, Code: &code}), []string{"nom|" + tooShort,
		"code|greater_than_equal|Input should be greater than or equal to 0"})
	_, err := client.New("id", "co", strings.Repeat("é", 201), 1, time.Time{})
	checkWords(t, err, []string{"nom|string_too_long|String should have at most 200 characters"})
	_, err = client.ParseStatus("Active")
	checkWords(t, err, []string{"status|enum|Input should be 'active' or 'inactive'"})
	name, typ, serial, ip := "", strings.Repeat("t", 65), strings.Repeat("s", 129), "10.0.0.256"
	checkWords(t, client.CheckEquipment(client.EquipmentChange{Name: &name, Type: &typ, Serial: &serial, IPAddress: &ip}), []string{
		"name|" + tooShort,
		"type|string_too_long|String should have at most 64 characters",
		"serial|string_too_long|String should have at most 128 characters",
		"ip_address|ip_any_address|value is not a valid IPv4 or IPv6 address",
	})
	name = strings.Repeat("n", 256)
	checkWords(t, client.CheckEquipment(client.EquipmentChange{Name: &name}), []string{"name|string_too_long|String should have at most 255 characters"})
}

func TestProblemWording(t *testing.T) {
	tests := []struct {
		p    pyProblem
		want string
	}{
		{pyMissing, "missing|Field required"},
		{pyStringType, "string_type|Input should be a valid string"},
		{pyIntParsing, "int_parsing|Input should be a valid integer, unable to parse string as an integer"},
		{pyProblem{Type: client.TypeStringTooShort, Params: map[string]any{"min_length": 2}}, "string_too_short|String should have at least 2 characters"},
		{pyProblem{Type: client.TypeStringTooLong, Params: map[string]any{"max_length": 1}}, "string_too_long|String should have at most 1 character"},
		{pyLessThanEqual(9), "less_than_equal|Input should be less than or equal to 9"},
		{pyBoolParsing, "bool_parsing|Input should be a valid boolean, unable to interpret input"},
		{pyJSONInvalid, "json_invalid|JSON decode error"},
		{pyModelAttributesType, "model_attributes_type|Input should be a valid dictionary or object to extract fields from"},
	}
	for _, tt := range tests {
		if got := tt.p.Type + "|" + pydanticMessage(tt.p.at()); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
	f := pyMissing.at("sites", 2, "nom")
	if f.PathString() != "sites[2].nom" || f.Type != "missing" {
		t.Fatalf("unexpected field error %+v", f)
	}
}
