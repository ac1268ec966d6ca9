package database

import (
	"bytes"
	"errors"
	"log/slog"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"
)

type item struct {
	Code string `gorm:"primaryKey"`
	Name string
}

// openWithRow opens a throwaway SQLite database logging to buf, holding one
// row, and empties buf.
func openWithRow(t testing.TB, buf *bytes.Buffer, slow time.Duration) *gorm.DB {
	t.Helper()
	db, err := Open(Config{URL: "sqlite:" + filepath.Join(t.TempDir(), "log.db"), SlowQuery: slow}, slog.New(slog.NewJSONHandler(buf, nil)))
	require.NoError(t, err)
	t.Cleanup(func() { _ = Close(db) })
	require.NoError(t, db.AutoMigrate(&item{}))
	require.NoError(t, db.Create(&item{Code: "ACME", Name: "secret-value"}).Error)
	buf.Reset()
	return db
}

func TestFailedStatementIsNeverLoggedWithItsSQL(t *testing.T) {
	t.Run("a failure that is not slow is not logged", func(t *testing.T) {
		var buf bytes.Buffer
		db := openWithRow(t, &buf, time.Hour)
		require.Error(t, db.Create(&item{Code: "ACME", Name: "secret-value"}).Error)
		require.Error(t, db.Exec("SELECT * FROM missing_table").Error)
		assert.Empty(t, buf.String())
	})

	t.Run("a slow failure is logged by its caller, without SQL, values or driver message", func(t *testing.T) {
		var buf bytes.Buffer
		db := openWithRow(t, &buf, time.Nanosecond)
		require.Error(t, db.Create(&item{Code: "ACME", Name: "secret-value"}).Error)
		out := buf.String()
		assert.Contains(t, out, `"msg":"slow database statement"`)
		assert.Contains(t, out, `"failed":true`)
		assert.Contains(t, out, `"caller":"database/database_test.go:`)
		for _, leak := range []string{"INSERT", "items", "ACME", "secret-value", "UNIQUE", "constraint", "sql"} {
			assert.NotContains(t, out, leak)
		}
	})
}

func TestFailedOpenIsReturnedNotLogged(t *testing.T) {
	var buf bytes.Buffer
	_, err := Open(Config{URL: "postgres://parc@127.0.0.1:1/parc?connect_timeout=2", SlowQuery: time.Second}, slog.New(slog.NewJSONHandler(&buf, nil)))
	require.Error(t, err)
	assert.Empty(t, buf.String())
}

func TestUnparsableURLNeverShowsThePassword(t *testing.T) {
	for _, raw := range []string{"mysql://root:s3cr%zz@127.0.0.1:3306/x", "mariadb://root:s3cr%zz@127.0.0.1/x", "postgres://root:s3cr%zz@127.0.0.1/x"} {
		_, _, err := Dialector(raw)
		require.Error(t, err, raw)
		assert.NotContains(t, err.Error(), "s3cr", raw)
		assert.NotContains(t, err.Error(), "%zz", raw)
		assert.Contains(t, err.Error(), "database URL does not parse")
		var urlErr *url.Error
		assert.False(t, errors.As(err, &urlErr), "the url.Error, which quotes the URL, is not wrapped")
	}
	_, err := Open(Config{URL: "mysql://root:s3cr%zz@127.0.0.1:3306/x"}, slog.New(slog.DiscardHandler))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "s3cr")
}

func TestMySQLConnectionsInterpolateParameters(t *testing.T) {
	for _, raw := range []string{"mysql://root@127.0.0.1:3306/x", "mysql://root@127.0.0.1:3306/x?interpolateParams=false"} {
		dsn, err := mysqlDSN(raw, map[string]string{"wsrep_sync_wait": GaleraSyncWait})
		require.NoError(t, err)
		cfg, err := mysqldriver.ParseDSN(dsn)
		require.NoError(t, err)
		assert.True(t, cfg.InterpolateParams, raw)
		assert.Equal(t, "1", cfg.Params["wsrep_sync_wait"], raw)
	}
	dsn, err := mysqlDSN("mysql://root@127.0.0.1:3306/x?wsrep_sync_wait=0", map[string]string{"wsrep_sync_wait": GaleraSyncWait})
	require.NoError(t, err)
	cfg, err := mysqldriver.ParseDSN(dsn)
	require.NoError(t, err)
	assert.Equal(t, "0", cfg.Params["wsrep_sync_wait"], "the URL's choice wins")
}
