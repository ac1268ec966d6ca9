package gormstore

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"strings"

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
