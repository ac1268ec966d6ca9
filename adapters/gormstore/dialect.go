package gormstore

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	gosqlite "github.com/glebarez/go-sqlite"
	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// dialect is where the three backends differ. Every difference has one
// method here; repositories ask instead of testing the backend themselves.
type dialect string

const (
	dialectSQLite   dialect = "sqlite"
	dialectPostgres dialect = "postgres"
	dialectMySQL    dialect = "mysql"
)

func dialectOf(db *gorm.DB) dialect {
	return dialect(db.Dialector.Name())
}

// maxBindParams is how many placeholders one statement may hold: 65,535 on
// PostgreSQL and MySQL; SQLite's compiled-in limit is 32,766.
func (d dialect) maxBindParams() int {
	if d == dialectSQLite {
		return 32766
	}
	return 65535
}

// batchRows is how many rows of columns values each one multi-row statement
// should carry: as many as the placeholder limit allows, capped at limit.
func (d dialect) batchRows(columns, limit int) int {
	n := d.maxBindParams() / columns
	if n > limit {
		n = limit
	}
	if n < 1 {
		n = 1
	}
	return n
}

// retryable reports a transaction lost to a deadlock or a serialization
// conflict, which succeeds when run again.
func (d dialect) retryable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "40P01" || pgErr.Code == "40001" // deadlock_detected, serialization_failure
	}
	var myErr *mysql.MySQLError
	if errors.As(err, &myErr) {
		return myErr.Number == 1213 || myErr.Number == 1205 // deadlock, lock wait timeout
	}
	var liteErr *gosqlite.Error
	if errors.As(err, &liteErr) {
		code := liteErr.Code() & 0xff
		return code == 5 || code == 6 // SQLITE_BUSY, SQLITE_LOCKED
	}
	return false
}

// unavailable reports an error that says the database could not be reached,
// as opposed to one it answered with.
func (d dialect) unavailable(err error) bool {
	var netErr net.Error
	if errors.As(err, &netErr) || errors.Is(err, driver.ErrBadConn) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return strings.HasPrefix(pgErr.Code, "08") || pgErr.Code == "57P01" // connection exceptions, admin shutdown
	}
	var connectErr *pgconn.ConnectError
	return errors.As(err, &connectErr)
}

// forUpdate locks the rows a query reads until the transaction ends:
// SELECT … FOR UPDATE on PostgreSQL and MySQL. SQLite has no row locks and
// needs none: its transactions begin IMMEDIATE (see package database), so
// writers are already serialised.
func (d dialect) forUpdate(db *gorm.DB) *gorm.DB {
	if d == dialectSQLite {
		return db
	}
	return db.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
}

// jsonColumnType is the column type of a JSON document: JSONB on
// PostgreSQL, JSON on MySQL, text on SQLite (whose JSON functions read text).
func (d dialect) jsonColumnType() string {
	switch d {
	case dialectPostgres:
		return "jsonb"
	case dialectMySQL:
		return "json"
	}
	return "text"
}

// jsonKind says how jsonField reads a value.
type jsonKind int

const (
	// jsonText reads a value as text: a string as itself, a number as
	// written, true/false as such, null (or no such key) as SQL NULL. Text
	// compares byte-wise on every backend.
	jsonText jsonKind = iota
	// jsonNumber reads a number as a number; anything else as SQL NULL.
	jsonNumber
)

// jsonField is the expression extracting key from the JSON document in
// column, with the bind parameters it needs. The key travels only as a bind
// parameter, never inside the SQL text; column is a constant of the caller.
func (d dialect) jsonField(column, key string, kind jsonKind) (string, []any) {
	path := `$."` + key + `"`
	switch d {
	case dialectPostgres:
		if kind == jsonNumber {
			return fmt.Sprintf(`(CASE WHEN jsonb_typeof(%[1]s -> ?) = 'number' THEN (%[1]s ->> ?)::numeric END)`, column), []any{key, key}
		}
		return fmt.Sprintf(`((%s ->> ?) COLLATE "C")`, column), []any{key}
	case dialectMySQL:
		if kind == jsonNumber {
			return fmt.Sprintf(`(CASE WHEN JSON_TYPE(JSON_EXTRACT(%[1]s, ?)) IN ('INTEGER', 'DOUBLE', 'DECIMAL', 'UNSIGNED INTEGER') THEN JSON_EXTRACT(%[1]s, ?) + 0 END)`, column), []any{path, path}
		}
		return fmt.Sprintf(`(CASE WHEN JSON_TYPE(JSON_EXTRACT(%[1]s, ?)) = 'NULL' THEN NULL ELSE JSON_UNQUOTE(JSON_EXTRACT(%[1]s, ?)) END)`, column), []any{path, path}
	}
	if kind == jsonNumber {
		return fmt.Sprintf(`(CASE WHEN json_type(%[1]s, ?) IN ('integer', 'real') THEN json_extract(%[1]s, ?) END)`, column), []any{path, path}
	}
	return fmt.Sprintf(`(CASE json_type(%[1]s, ?) WHEN 'text' THEN json_extract(%[1]s, ?) WHEN 'null' THEN NULL ELSE %[1]s -> ? END)`, column), []any{path, path, path}
}

// orderBy renders "expr ASC|DESC" with rows without a value first in
// ascending order and last in descending order, as MySQL and SQLite do by
// default and PostgreSQL only when told.
func (d dialect) orderBy(expr string, desc bool) string {
	switch {
	case d == dialectPostgres && desc:
		return expr + " DESC NULLS LAST"
	case d == dialectPostgres:
		return expr + " ASC NULLS FIRST"
	case desc:
		return expr + " DESC"
	}
	return expr + " ASC"
}

// arrayUpsert writes rows through PostgreSQL's unnest: one array parameter
// per column instead of a VALUES list of rows × columns parameters, which
// PostgreSQL parses several times faster for thousands of rows. It reports
// false, writing nothing, on the other backends: the caller then writes a
// VALUES list. columns gives each column's name and PostgreSQL type; rows
// hold strings, ints and times in that order; a key clash updates the
// update columns, or fails when there are none (a plain insert).
func (d dialect) arrayUpsert(db *gorm.DB, table string, columns [][2]string, keys, update []string, rows [][]any) (bool, error) {
	if d != dialectPostgres {
		return false, nil
	}
	if len(rows) == 0 {
		return true, nil
	}
	names := make([]string, len(columns))
	casts := make([]string, len(columns))
	for i, c := range columns {
		names[i], casts[i] = c[0], fmt.Sprintf("?::%s[]", c[1])
	}
	sets := make([]string, len(update))
	for i, c := range update {
		sets[i] = c + " = EXCLUDED." + c
	}
	sql := fmt.Sprintf("INSERT INTO %s (%s) SELECT * FROM unnest(%s)", table, strings.Join(names, ", "), strings.Join(casts, ", "))
	if len(update) > 0 {
		sql += fmt.Sprintf(" ON CONFLICT (%s) DO UPDATE SET %s", strings.Join(keys, ", "), strings.Join(sets, ", "))
	}
	const chunk = 5000
	for start := 0; start < len(rows); start += chunk {
		part := rows[start:min(start+chunk, len(rows))]
		args := make([]any, len(columns))
		for col := range columns {
			switch rows[0][col].(type) {
			case string:
				v := make([]string, len(part))
				for i, row := range part {
					v[i] = row[col].(string)
				}
				args[col] = arrayParam{v}
			case int:
				v := make([]int64, len(part))
				for i, row := range part {
					v[i] = int64(row[col].(int))
				}
				args[col] = arrayParam{v}
			case time.Time:
				v := make([]time.Time, len(part))
				for i, row := range part {
					v[i] = row[col].(time.Time)
				}
				args[col] = arrayParam{v}
			default:
				return true, fmt.Errorf("array upsert: column %s: unsupported %T", columns[col][0], rows[0][col])
			}
		}
		if err := db.Exec(sql, args...).Error; err != nil {
			return true, err
		}
	}
	return true, nil
}

// arrayParam hands a Go slice to the PostgreSQL driver as one array
// parameter (GORM would otherwise expand it into a list).
type arrayParam struct{ v any }

func (a arrayParam) Value() (driver.Value, error) { return a.v, nil }

// inStrings is the condition "column is one of values", with its bind
// parameters. PostgreSQL gets the values as one array parameter: a list of
// thousands of parameters costs it far more to plan than the query costs
// to run.
func (d dialect) inStrings(column string, values []string) (string, []any) {
	if d == dialectPostgres {
		return column + " = ANY(?::text[])", []any{arrayParam{values}}
	}
	return column + " IN ?", []any{values}
}

// planEachExecution asks PostgreSQL to plan every statement of the current
// transaction with its parameters' values. Prepared statements are cached
// per connection, and PostgreSQL may switch a cached statement to a
// generic plan made for no particular values, which for "key = ANY(array)"
// over a table whose statistics are stale tests each row against the whole
// array: a 20 ms read of 10,000 keys then takes seconds. Outside a
// transaction it does nothing.
func (d dialect) planEachExecution(db *gorm.DB) error {
	if d != dialectPostgres {
		return nil
	}
	return db.Exec("SET LOCAL plan_cache_mode = force_custom_plan").Error
}
