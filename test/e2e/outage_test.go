package e2e

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parc-hq/parc/adapters/database"
	"github.com/parc-hq/parc/adapters/gormstore"
	httpapi "github.com/parc-hq/parc/adapters/http"
	"github.com/parc-hq/parc/adapters/system"
	"github.com/parc-hq/parc/test/apitest"
	"github.com/parc-hq/parc/test/dbtest"
)

// With the database gone, the process stays up: /healthz answers, /readyz
// says 503, API calls fail with a JSON error that leaks no internals.
func TestDatabaseOutage(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := database.Open(database.Config{URL: "sqlite:" + filepath.Join(t.TempDir(), "outage.db")}, log)
	require.NoError(t, err)
	store := gormstore.New(db)
	require.NoError(t, store.Migrate(context.Background(), system.Clock{}))
	target := &dbtest.Target{Backend: "sqlite", DB: db, Store: store}
	engine := httpapi.NewEngine(httpapi.Config{AdminToken: apitest.AdminToken}, log, apitest.Services(target, log))

	require.NoError(t, database.Close(db))

	get := func(path, auth string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		engine.ServeHTTP(rec, req)
		return rec
	}
	assert.Equal(t, http.StatusOK, get("/healthz", "").Code)
	assert.Equal(t, http.StatusServiceUnavailable, get("/readyz", "").Code)

	resp := get("/me", "parc_aaaaaaaa_"+strings.Repeat("b", 32))
	assert.GreaterOrEqual(t, resp.Code, 500)
	assert.Contains(t, resp.Body.String(), `"message"`)
	assert.NotContains(t, strings.ToLower(resp.Body.String()), "sql")

	resp = get("/admin/companies", "Bearer "+apitest.AdminToken)
	assert.GreaterOrEqual(t, resp.Code, 500)
	assert.NotContains(t, strings.ToLower(resp.Body.String()), "sql")

	// Every area answers 503 in its own shape.
	key := "Bearer parc_aaaaaaaa_" + strings.Repeat("b", 32)
	for path, field := range map[string]string{"/client-data": `"status":"error"`, "/clients/all": `"detail"`,
		"/v1/Data/P/thing": `"error":"unavailable"`, "/v1/Accounts/P": `"error":"unavailable"`, "/admin/companies": `"error":"unavailable"`} {
		auth := key
		if strings.HasPrefix(path, "/admin") {
			auth = "Bearer " + apitest.AdminToken
		}
		resp := get(path, auth)
		assert.Equal(t, http.StatusServiceUnavailable, resp.Code, path)
		assert.Contains(t, resp.Body.String(), field, path)
		assert.NotContains(t, strings.ToLower(resp.Body.String()), "sql", path)
	}
}
