package gormstore_test

import (
	"context"
	"io"
	"log/slog"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parc-hq/parc/adapters/database"
	"github.com/parc-hq/parc/adapters/gormstore"
	"github.com/parc-hq/parc/adapters/system"
	"github.com/parc-hq/parc/app"
	"github.com/parc-hq/parc/test/dbtest"
)

// A PostgreSQL database created with a linguistic default collation (here
// ICU en-US, which orders "a" before "B") must still order and compare text
// byte-wise, as SQLite and MySQL do: Migrate collates Parc's text columns "C".
func TestPostgresTextIsByteWiseWhateverTheDatabaseLocale(t *testing.T) {
	var backend dbtest.Backend
	for _, b := range dbtest.Backends() {
		if b.Name == "postgres" {
			backend = b
		}
	}
	dbtest.Get(t, backend) // skips, or fails under PARC_TEST_REQUIRE, when the server does not answer
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	admin, err := database.Open(database.Config{URL: backend.ServerURL, MaxOpenConns: 1}, quiet)
	require.NoError(t, err)
	name := dbtest.UniqueName("icu")
	if err := admin.Exec("CREATE DATABASE " + name + " TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'").Error; err != nil {
		t.Skipf("this PostgreSQL cannot create an ICU database: %v", err)
	}
	t.Cleanup(func() { admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)") })

	u, err := url.Parse(backend.ServerURL)
	require.NoError(t, err)
	u.Path = "/" + name
	db, err := database.Open(database.Config{URL: u.String()}, quiet)
	require.NoError(t, err)
	t.Cleanup(func() { _ = database.Close(db) })
	var linguistic bool
	require.NoError(t, db.Raw("SELECT 'a' < 'B'").Scan(&linguistic).Error)
	require.True(t, linguistic, "the database's own collation is linguistic")

	ctx := context.Background()
	store := gormstore.New(db)
	require.NoError(t, store.Migrate(ctx, system.Clock{}))
	require.NoError(t, store.Migrate(ctx, system.Clock{}), "a second migration finds nothing to convert")

	tenants := gormstore.NewTenantRepository(store)
	svc := app.NewTenantService(tenants, tenants, store, system.Clock{}, system.UUIDs{}, quiet)
	for _, code := range []string{"a", "B", "a-b", "ab"} {
		_, _, err := svc.CreateCompany(ctx, code, "Company "+code)
		require.NoError(t, err)
	}
	list, err := svc.Companies(ctx)
	require.NoError(t, err)
	var codes []string
	for _, c := range list {
		codes = append(codes, c.Code().String())
	}
	assert.Equal(t, []string{"B", "a", "a-b", "ab"}, codes, "byte order, as on SQLite and MySQL")
}
