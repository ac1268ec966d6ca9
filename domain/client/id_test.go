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

func TestParseIDRefusalCarriesTheInput(t *testing.T) {
	_, err := client.ParseID("client_id", "nope")
	checkProblems(t, err, []string{"client_id|uuid_parsing|input=nope"})
}
