package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/fx"
	"go.uber.org/fx/fxtest"

	httpapi "github.com/parc-hq/parc/adapters/http"
	"github.com/parc-hq/parc/test/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func testConfig(t *testing.T, dbURL string) *config {
	t.Helper()
	t.Setenv("PARC_DATABASE_URL", dbURL)
	t.Setenv("PARC_ADDR", "127.0.0.1:0")
	t.Setenv("PARC_ADMIN_TOKEN", "")
	cfg, err := loadConfig()
	require.NoError(t, err)
	return cfg
}

func TestServeGraphOnEveryBackend(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, target *dbtest.Target) {
		cfg := testConfig(t, target.URL)
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		require.NoError(t, fx.ValidateApp(serveOptions(cfg, log)))

		var server *httpapi.Server
		app := fxtest.New(t, serveOptions(cfg, log), fx.Populate(&server))
		app.RequireStart()
		resp, err := http.Get("http://" + server.Addr() + "/readyz")
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		app.RequireStop()
	})
}

func TestCLIBootstrapsACompany(t *testing.T) {
	dbURL := "sqlite:" + filepath.Join(t.TempDir(), "cli.db")
	testConfig(t, dbURL)
	var out bytes.Buffer
	require.NoError(t, run([]string{"company", "create", "--code", "ACME", "--name", "Acme IT"}, &out, io.Discard))
	var created struct {
		Code      string `json:"code"`
		APIKey    string `json:"api_key"`
		KeyPrefix string `json:"-"`
		Key       struct {
			Prefix string `json:"prefix"`
		} `json:"key"`
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &created))
	assert.Equal(t, "ACME", created.Code)
	created.KeyPrefix = created.Key.Prefix
	assert.Contains(t, created.APIKey, created.KeyPrefix)

	out.Reset()
	require.NoError(t, run([]string{"key", "create", "--company", "ACME", "--name", "second"}, &out, io.Discard))
	assert.Contains(t, out.String(), `"api_key"`)

	out.Reset()
	require.NoError(t, run([]string{"key", "revoke", created.KeyPrefix}, &out, io.Discard))
	assert.Contains(t, out.String(), `"prefix": "`+created.KeyPrefix+`"`)
	assert.Contains(t, out.String(), `"revoked_at": "`)

	out.Reset()
	require.NoError(t, run([]string{"key", "list", "--company", "ACME"}, &out, io.Discard))
	var keys []struct {
		Prefix    string  `json:"prefix"`
		CreatedAt string  `json:"created_at"`
		RevokedAt *string `json:"revoked_at"`
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &keys))
	require.Len(t, keys, 2)
	assert.NotNil(t, keys[0].RevokedAt)
	assert.Nil(t, keys[1].RevokedAt)
	assert.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`, keys[0].CreatedAt, "milliseconds, as the API")

	err := run([]string{"company", "create", "--code", "ACME", "--name", "Again"}, &out, io.Discard)
	assert.ErrorContains(t, err, "already exists")
	assert.Error(t, run([]string{"nonsense"}, &out, io.Discard))
}

func TestServeStopsOnSignalContext(t *testing.T) {
	cfg := testConfig(t, "sqlite:"+filepath.Join(t.TempDir(), "serve.db"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, cfg) }()
	time.Sleep(300 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
}

func TestStartFailureNamesItsRootCause(t *testing.T) {
	testConfig(t, "postgres://postgres@127.0.0.1:1/parc?connect_timeout=2")
	for _, args := range [][]string{{"migrate"}, {"serve"}} {
		err := run(args, io.Discard, io.Discard)
		require.Error(t, err, args)
		assert.Regexp(t, `^open postgres database: failed to connect`, err.Error(), args)
		assert.NotContains(t, err.Error(), "could not build", args)
		assert.NotContains(t, err.Error(), "reflect", args)
	}
}
