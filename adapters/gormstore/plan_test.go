package gormstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/parc-hq/parc/adapters/gormstore"
	"github.com/parc-hq/parc/adapters/system"
	"github.com/parc-hq/parc/domain/dataset"
	"github.com/parc-hq/parc/ports"
	"github.com/parc-hq/parc/test/dbtest"
)

// On a table the database has not analysed yet (a new database, or
// PostgreSQL with autovacuum off), a one-row read and a read of several
// keys go by the primary key, and a page of rows (changed since a date, or
// not) by ix_dataset_rows_changed, on every backend. PostgreSQL used to read a
// single row through the latter, scanning every row of its entity.
func TestPlansOnATableNeverAnalysed(t *testing.T) {
	ctx := context.Background()
	eachBackend(t, func(t *testing.T, b dbtest.Backend) {
		store, db := emptyStore(t, b)
		require.NoError(t, store.Migrate(ctx, system.Clock{}))
		scope := ports.DataScope{ProjectID: "plan-project", CompanyID: "plan-company"}
		start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		rows := make([]map[string]any, 4000)
		for i := range rows {
			rows[i] = map[string]any{"project_id": scope.ProjectID, "entity_key": "contact", "company_id": scope.CompanyID,
				"row_key": fmt.Sprintf("K%05d", i), "entity_name": "contact", "fields": `{"name":"n"}`, "field_names": "{}",
				"srv_date": start.Add(time.Duration(i) * time.Millisecond), "srv_export": 0, "srv_attrib": 0}
		}
		require.NoError(t, db.Table("dataset_rows").CreateInBatches(rows, 500).Error)

		explain := planExplainer(t, b.Name)
		one, args := explainPrefix[b.Name]+store.OneRowSQL(), []any{scope.ProjectID, "contact", scope.CompanyID, "K00042"}
		require.Equal(t, "primary key", explain(db.Raw(one, args...).Rows()), "one row")
		if b.Name != "sqlite" {
			require.Equal(t, "primary key", explain(db.Raw(one+" FOR UPDATE", args...).Rows()), "one row, locked")
		}

		statements := recordStatements(t, db)
		repo := gormstore.NewDataSetRepository(gormstore.New(db))
		keys := []dataset.RowKey{{Entity: "contact", Code: dataset.RestoreRowCode("K00007")}, {Entity: "contact", Code: dataset.RestoreRowCode("K03000")}}
		found, err := repo.Rows(ctx, scope, keys)
		require.NoError(t, err)
		require.Len(t, found, 2)
		since := dataset.Filter{Server: dataset.SrvDateUTC, Op: dataset.GreaterThan, Kind: dataset.DateValues, Dates: []time.Time{start.Add(3 * time.Second)}}
		export := 0
		page, _, err := repo.FindRows(ctx, scope, dataset.Query{Entity: dataset.RestoreEntityName("contact"), Limit: 100, SrvExport: &export, Filters: []dataset.Filter{since}})
		require.NoError(t, err)
		require.Len(t, page, 100)

		listing, _, err := repo.FindRows(ctx, scope, dataset.Query{Entity: dataset.RestoreEntityName("contact"), Limit: 100})
		require.NoError(t, err)
		require.Len(t, listing, 100)

		ran := statements()
		require.Len(t, ran, 5, "the rows of the keys; the changed page, its count; the first page, its count")
		ran = ran[:4] // the count of every row may read any index
		sqlDB, err := db.DB()
		require.NoError(t, err)
		want := []string{"primary key", "ix_dataset_rows_changed", "ix_dataset_rows_changed", "ix_dataset_rows_changed"}
		for i, s := range ran {
			require.Equal(t, want[i], explain(sqlDB.QueryContext(ctx, explainPrefix[b.Name]+s.sql, s.vars...)), s.sql)
		}
	})
}

var explainPrefix = map[string]string{"sqlite": "EXPLAIN QUERY PLAN ", "postgres": "EXPLAIN ", "mysql": "EXPLAIN FORMAT=JSON "}

// planExplainer returns a function that reads a plan (the rows of the
// backend's EXPLAIN) and names the index it reads dataset_rows by,
// "primary key" for the primary key.
func planExplainer(t *testing.T, backend string) func(plan *sql.Rows, err error) string {
	index := map[string]*regexp.Regexp{
		"sqlite":   regexp.MustCompile(`USING (?:COVERING )?INDEX (\w+)|USING (PRIMARY KEY)`),
		"postgres": regexp.MustCompile(`using (\w+) on dataset_rows`),
		"mysql":    regexp.MustCompile(`"key": "(\w+)"`),
	}[backend]
	return func(plan *sql.Rows, err error) string {
		t.Helper()
		require.NoError(t, err)
		text := planText(t, plan)
		found := index.FindStringSubmatch(text)
		require.NotNil(t, found, "no index in the plan: %s", text)
		name := strings.Join(found[1:], "") // the one group that matched
		switch name {
		case "sqlite_autoindex_dataset_rows_1", "dataset_rows_pkey", "PRIMARY", "PRIMARY KEY":
			return "primary key"
		}
		return name
	}
}

// planText joins every column of every row of a plan.
func planText(t *testing.T, rows *sql.Rows) string {
	t.Helper()
	defer rows.Close()
	columns, err := rows.Columns()
	require.NoError(t, err)
	var out strings.Builder
	for rows.Next() {
		values := make([]sql.NullString, len(columns))
		dest := make([]any, len(columns))
		for i := range values {
			dest[i] = &values[i]
		}
		require.NoError(t, rows.Scan(dest...))
		for _, v := range values {
			out.WriteString(v.String + " ")
		}
		out.WriteString("\n")
	}
	require.NoError(t, rows.Err())
	return out.String()
}

type ranStatement struct {
	sql  string
	vars []any
}

// recordStatements keeps the statements GORM runs on db from now on, as
// sent (placeholders and arguments), and returns a function listing them.
func recordStatements(t *testing.T, db *gorm.DB) func() []ranStatement {
	var mu sync.Mutex
	var ran []ranStatement
	keep := func(tx *gorm.DB) {
		mu.Lock()
		defer mu.Unlock()
		ran = append(ran, ranStatement{sql: tx.Statement.SQL.String(), vars: slices.Clone(tx.Statement.Vars)})
	}
	require.NoError(t, db.Callback().Query().After("gorm:query").Register("test:record", keep))
	require.NoError(t, db.Callback().Row().After("gorm:row").Register("test:record", keep))
	return func() []ranStatement {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(ran)
	}
}
