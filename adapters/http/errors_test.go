package httpapi_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	httpapi "github.com/parc-hq/parc/adapters/http"
	"github.com/parc-hq/parc/domain"
)

func TestClassifyMessageLeavesOutTheTrailingKind(t *testing.T) {
	cases := []struct {
		err     error
		status  int
		message string
	}{
		{fmt.Errorf("update project FIELD: project FIELD has 2 active accounts: disable 1 before lowering its licences to 1: %w", domain.ErrConflict),
			http.StatusConflict, "update project FIELD: project FIELD has 2 active accounts: disable 1 before lowering its licences to 1"},
		{fmt.Errorf("invalid or revoked API key: %w", domain.ErrUnauthenticated), http.StatusUnauthorized, "invalid or revoked API key"},
		{fmt.Errorf("company is not a member of project FIELD: %w", domain.ErrForbidden), http.StatusForbidden, "company is not a member of project FIELD"},
		{fmt.Errorf("list accounts: project NOPE: %w", domain.ErrNotFound), http.StatusNotFound, "list accounts: project NOPE"},
		{fmt.Errorf("limit must be positive: %w", domain.ErrInvalid), http.StatusUnprocessableEntity, "limit must be positive"},
		// The kind in the middle (storage's "%w: %w") stays; a bare kind keeps its word.
		{fmt.Errorf("find project: %w: %w", domain.ErrNotFound, errors.New("record not found")), http.StatusNotFound, "find project: not found: record not found"},
		{domain.ErrNotFound, http.StatusNotFound, "not found"},
	}
	for _, c := range cases {
		p := httpapi.Classify(c.err)
		assert.Equal(t, c.status, p.Status, c.err.Error())
		assert.Equal(t, c.message, p.Message)
	}
}
