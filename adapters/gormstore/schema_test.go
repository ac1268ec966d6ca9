package gormstore_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/parc-hq/parc/adapters/database"
	"github.com/parc-hq/parc/adapters/gormstore"
	"github.com/parc-hq/parc/adapters/system"
	"github.com/parc-hq/parc/test/dbtest"
)

// emptyStore opens a new, empty database of backend b.
func emptyStore(t *testing.T, b dbtest.Backend) (*gormstore.Store, *gorm.DB) {
	t.Helper()
	url := dbtest.EmptyDatabase(t, b)
	db, err := database.Open(database.Config{URL: url}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	t.Cleanup(func() { _ = database.Close(db) })
	return gormstore.New(db), db
}

func eachBackend(t *testing.T, fn func(t *testing.T, b dbtest.Backend)) {
	for _, b := range dbtest.Backends() {
		if b.Name == "galera" {
			continue
		}
		t.Run(b.Name, func(t *testing.T) { fn(t, b) })
	}
}

// A database made by the unversioned Parc (step 1's schema, with an index
// an even earlier version left behind) is upgraded in place, its data kept.
func TestMigrateUpgradesAnUnversionedSchema(t *testing.T) {
	ctx := context.Background()
	eachBackend(t, func(t *testing.T, b dbtest.Backend) {
		store, db := emptyStore(t, b)
		require.NoError(t, store.CreateUnversionedSchema(ctx))
		require.NoError(t, db.Exec("CREATE INDEX ix_installation_events_computer ON installation_events (company_id, equipment_id, id)").Error)
		require.NoError(t, db.Exec("INSERT INTO dataset_entities (project_id, company_id, entity_key, name, lock_count) VALUES ('p', 'c', 'customer', 'Customer', 0)").Error)

		before, err := store.Status(ctx)
		require.NoError(t, err)
		assert.True(t, before.Unversioned)
		assert.Equal(t, 0, before.Current)

		require.NoError(t, store.Migrate(ctx, system.Clock{}))
		after, err := store.Status(ctx)
		require.NoError(t, err)
		assert.Equal(t, gormstore.LatestSchemaVersion(), after.Current)
		assert.Empty(t, after.Pending)
		assert.False(t, db.Migrator().HasColumn("dataset_entities", "name"), "the unused column is gone")
		assert.False(t, db.Migrator().HasIndex("installation_events", "ix_installation_events_computer"), "the unused index is gone")
		var keys []string
		require.NoError(t, db.Raw("SELECT entity_key FROM dataset_entities").Scan(&keys).Error)
		assert.Equal(t, []string{"customer"}, keys, "the data stays")

		require.NoError(t, store.Migrate(ctx, system.Clock{}), "a second run finds nothing to do")
	})
}

// Each step applied is stamped by the clock Migrate is given.
func TestMigrateStampsStepsWithItsClock(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2031, 2, 3, 4, 5, 6, 0, time.UTC)
	eachBackend(t, func(t *testing.T, b dbtest.Backend) {
		store, db := emptyStore(t, b)
		require.NoError(t, store.Migrate(ctx, stoppedClock(at)))
		var stamps []string
		require.NoError(t, db.Raw("SELECT DISTINCT applied_at FROM parc_schema_versions").Scan(&stamps).Error)
		assert.Equal(t, []string{"2031-02-03T04:05:06Z"}, stamps)
	})
}

// stoppedClock always tells the same time.
type stoppedClock time.Time

func (c stoppedClock) Now() time.Time { return time.Time(c) }

// The numbered steps and the row structs describe the same schema: a new
// database made by the steps has the tables, columns and indexes GORM
// derives from the structs. A struct changed without a step fails here.
func TestSchemaStepsMatchTheRowStructs(t *testing.T) {
	ctx := context.Background()
	eachBackend(t, func(t *testing.T, b dbtest.Backend) {
		stepped, steppedDB := emptyStore(t, b)
		require.NoError(t, stepped.Migrate(ctx, system.Clock{}))
		reference, referenceDB := emptyStore(t, b)
		require.NoError(t, reference.LegacyMigrate(ctx))
		tables, err := stepped.OwnedTables()
		require.NoError(t, err)
		for table := range tables {
			assert.Equal(t, describe(t, referenceDB, table), describe(t, steppedDB, table), "table %s", table)
		}
	})
}

// describe lists a table's columns (name, type, nullability) and indexes.
func describe(t *testing.T, db *gorm.DB, table string) []string {
	t.Helper()
	m := db.Migrator()
	require.True(t, m.HasTable(table), "table %s exists", table)
	cols, err := m.ColumnTypes(table)
	require.NoError(t, err)
	var out []string
	for _, c := range cols {
		nullable, _ := c.Nullable()
		out = append(out, fmt.Sprintf("column %s %s null=%v", c.Name(), strings.ToLower(c.DatabaseTypeName()), nullable))
	}
	indexes, err := m.GetIndexes(table)
	require.NoError(t, err)
	for _, ix := range indexes {
		unique, _ := ix.Unique()
		out = append(out, fmt.Sprintf("index %s %v unique=%v", ix.Name(), ix.Columns(), unique))
	}
	sort.Strings(out)
	return out
}

func TestMigrateStatusOnANewDatabase(t *testing.T) {
	ctx := context.Background()
	eachBackend(t, func(t *testing.T, b dbtest.Backend) {
		store, _ := emptyStore(t, b)
		st, err := store.Status(ctx)
		require.NoError(t, err)
		assert.Equal(t, gormstore.SchemaStatus{Latest: gormstore.LatestSchemaVersion(), Pending: st.Pending}, st)
		assert.Len(t, st.Pending, gormstore.LatestSchemaVersion())

		t.Run("Concurrent migrations take turns", func(t *testing.T) {
			url := dbtest.EmptyDatabase(t, b)
			var wg sync.WaitGroup
			errs := make([]error, 3)
			for i := range errs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					db, err := database.Open(database.Config{URL: url}, slog.New(slog.NewTextHandler(io.Discard, nil)))
					if err != nil {
						errs[i] = err
						return
					}
					defer func() { _ = database.Close(db) }()
					errs[i] = gormstore.New(db).Migrate(ctx, system.Clock{})
				}()
			}
			wg.Wait()
			for _, err := range errs {
				assert.NoError(t, err)
			}
		})
	})
}
