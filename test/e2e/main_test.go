// Package e2e speaks HTTP to the real engine wired to the real adapters, on
// every database backend, validating each exchange against the OpenAPI
// document. Tests are named after what a user does and the status expected.
package e2e

import (
	"testing"

	"github.com/parc-hq/parc/test/apitest"
	"github.com/parc-hq/parc/test/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// eachBackend runs fn with a fresh server per backend.
func eachBackend(t *testing.T, fn func(t *testing.T, api *apitest.API)) {
	dbtest.Each(t, func(t *testing.T, target *dbtest.Target) {
		fn(t, apitest.New(t, target))
	})
}
