package httpapi_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	httpapi "github.com/parc-hq/parc/adapters/http"
	"github.com/parc-hq/parc/domain"
	"github.com/parc-hq/parc/domain/account"
)

// The public message is the one the domain error was built with, whatever
// context wrapping adds; an error that only wraps a kind reads as its kind.
func TestClassifyReadsTheErrorType(t *testing.T) {
	refusal := account.CheckLicences("FIELD", 2, 1)
	cases := []struct {
		err     error
		status  int
		message string
	}{
		{fmt.Errorf("update project FIELD: %w", refusal),
			http.StatusConflict, "project FIELD has 2 active accounts: disable 1 before lowering its licences to 1"},
		{domain.Unauthenticated("invalid or revoked API key"), http.StatusUnauthorized, "invalid or revoked API key"},
		{fmt.Errorf("bulk accounts call: %w", domain.Forbidden("company is not a member of project FIELD")), http.StatusForbidden, "company is not a member of project FIELD"},
		{fmt.Errorf("list accounts: %w", domain.NotFound("project NOPE not found")), http.StatusNotFound, "project NOPE not found"},
		{domain.Rejected("limit must be positive"), http.StatusUnprocessableEntity, "limit must be positive"},
		// A kind without a domain error: storage text never reaches the client.
		{fmt.Errorf("find project: %w: %w", domain.ErrNotFound, errors.New("record not found")), http.StatusNotFound, "not found"},
		{fmt.Errorf("insert: %w: %w", domain.ErrConflict, errors.New(`duplicate key value violates unique constraint "x"`)), http.StatusConflict, "conflict"},
		{domain.ErrNotFound, http.StatusNotFound, "not found"},
		{fmt.Errorf("list: %w: %w", domain.ErrUnavailable, errors.New("dial tcp: refused")), http.StatusServiceUnavailable, "the database is unavailable, try again later"},
		{errors.New("boom"), http.StatusInternalServerError, "internal error"},
	}
	for _, c := range cases {
		p := httpapi.Classify(c.err)
		assert.Equal(t, c.status, p.Status, c.err.Error())
		assert.Equal(t, c.message, p.Message)
	}
}
