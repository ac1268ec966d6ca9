package gormstore

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	moderncsqlite "modernc.org/sqlite"
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
// conflict, which succeeds when run again. On a Galera cluster a transaction
// that fails certification against another node's commit (or is aborted by
// one being applied) gets MySQL's deadlock error, 1213, SQLSTATE 40001.
func (d dialect) retryable(err error) bool {
	if errors.Is(err, errStaleRead) || errors.Is(err, errGroupLost) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "40P01" || pgErr.Code == "40001" // deadlock_detected, serialization_failure
	}
	var myErr *mysql.MySQLError
	if errors.As(err, &myErr) {
		return myErr.Number == 1213 || myErr.Number == 1205 || string(myErr.SQLState[:]) == "40001" // deadlock or certification failure, lock wait timeout
	}
	var liteErr *moderncsqlite.Error
	if errors.As(err, &liteErr) {
		code := liteErr.Code() & 0xff
		return code == 5 || code == 6 // SQLITE_BUSY, SQLITE_LOCKED
	}
	return false
}

// errPoolClosed is database/sql's text for a query on a closed pool; the
// package exports no error value for it.
const errPoolClosed = "sql: database is closed"

// unavailable reports an error that says the database cannot serve Parc
// now — unreachable, gone, refusing our credentials or out of connections —
// as opposed to an answer about the statement itself.
func (d dialect) unavailable(err error) bool {
	var netErr net.Error
	if errors.As(err, &netErr) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, mysql.ErrInvalidConn) {
		return true
	}
	if strings.Contains(err.Error(), errPoolClosed) {
		return true // the pool is closed (shutting down): no connection will come back
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgUnavailable(pgErr.Code)
	}
	var myErr *mysql.MySQLError
	if errors.As(err, &myErr) {
		switch myErr.Number {
		// too many connections, access denied, unknown database, a Galera
		// node outside the cluster's primary component ("WSREP has not yet
		// prepared node for application use")
		case 1040, 1045, 1049, 1047:
			return true
		}
		return false
	}
	var connectErr *pgconn.ConnectError
	return errors.As(err, &connectErr)
}

// pgUnavailable says whether a SQLSTATE means the server cannot serve us:
// connection exceptions (08), an unknown database (3D000, e.g. dropped),
// authorisation failures (28), insufficient resources such as too many
// connections (53), and shutdown or start-up (57P01–57P03).
func pgUnavailable(code string) bool {
	switch {
	case strings.HasPrefix(code, "08"), strings.HasPrefix(code, "28"), strings.HasPrefix(code, "53"):
		return true
	}
	switch code {
	case "3D000", "57P01", "57P02", "57P03":
		return true
	}
	return false
}

// forUpdate locks the rows a query reads until the transaction ends:
// SELECT … FOR UPDATE on PostgreSQL and MySQL, so that the next writer of
// those rows on the same server waits instead of failing (on a Galera
// cluster, it is the rows' own writes that certification sees). SQLite has no
// row locks and needs none: its transactions begin IMMEDIATE, so writers are
// already serialised.
func (d dialect) forUpdate(db *gorm.DB) *gorm.DB {
	if d == dialectSQLite {
		return db
	}
	return db.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
}

// datesAsText reports that a time column is read as its text and parsed
// by parseSQLiteTime (see readDate).
func (d dialect) datesAsText() bool { return d == dialectSQLite }

// readDate is the expression that reads a time column. SQLite stores times
// as text, which its driver parses trying several layouts, one failing
// first, each time: a third of the Go time of reading a page of rows. Read
// as a blob, which the driver hands over as it is (it would parse a text
// without declared type as well, since the dialector turns _texttotime
// on), it is parsed by parseSQLiteTime instead.
func (d dialect) readDate(column string) string {
	if d.datesAsText() {
		return "CAST(" + column + " AS BLOB)"
	}
	return column
}

// sqliteTimeLayouts are the layouts the SQLite driver reads times in, as
// it does: with or without a T, an offset or a trailing Z.
var sqliteTimeLayouts = []string{
	"2006-01-02 15:04:05.999999999-07:00", "2006-01-02T15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999",
}

// parseSQLiteTime reads a time as the SQLite driver writes it,
// "2006-01-02 15:04:05.999999-07:00" with the offset +00:00 for the UTC
// times Parc writes, in one pass; other forms go through time.Parse.
func parseSQLiteTime(b []byte) (time.Time, error) {
	if t, ok := parseUTCDateTime(b); ok {
		return t, nil
	}
	s, _ := strings.CutSuffix(string(b), "Z")
	for _, layout := range sqliteTimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("unreadable time %q", b)
}

// parseUTCDateTime reads "2006-01-02 15:04:05[.fraction]+00:00" (or a T
// between date and time, or Z for the offset); ok is false for anything
// else.
func parseUTCDateTime(b []byte) (t time.Time, ok bool) {
	if len(b) < 20 || b[4] != '-' || b[7] != '-' || (b[10] != ' ' && b[10] != 'T') || b[13] != ':' || b[16] != ':' {
		return time.Time{}, false
	}
	num := func(from, to int) int {
		n := 0
		for _, c := range b[from:to] {
			if c < '0' || c > '9' {
				ok = false
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	ok = true
	year, month, day := num(0, 4), num(5, 7), num(8, 10)
	hour, minute, sec := num(11, 13), num(14, 16), num(17, 19)
	rest, nsec := b[19:], 0
	if rest[0] == '.' {
		digits := 1
		for digits < len(rest) && rest[digits] >= '0' && rest[digits] <= '9' {
			digits++
		}
		if digits == 1 || digits > 10 {
			return time.Time{}, false
		}
		nsec = num(20, 19+digits)
		for range 10 - digits {
			nsec *= 10
		}
		rest = rest[digits:]
	}
	if string(rest) != "+00:00" && string(rest) != "Z" {
		return time.Time{}, false
	}
	t = time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	// time.Date normalises what is out of range (a 31st of April); a
	// stored time never is, and anything else is left to time.Parse.
	if !ok || t.Day() != day || t.Month() != time.Month(month) || t.Hour() != hour || t.Minute() != minute || t.Second() != sec {
		return time.Time{}, false
	}
	return t, true
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
	// compares byte-wise on every backend, trailing spaces included (on
	// MySQL it is a binary string: use textPrefix for prefixes).
	jsonText jsonKind = iota
	// jsonNumber reads a number as a 64-bit float, on every backend alike
	// (whole numbers past 2^53 round as they do in JavaScript); anything
	// else as SQL NULL.
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
			return fmt.Sprintf(`(CASE WHEN jsonb_typeof(%[1]s -> ?) = 'number' THEN (%[1]s ->> ?)::float8 END)`, column), []any{key, key}
		}
		return fmt.Sprintf(`((%s ->> ?) COLLATE "C")`, column), []any{key}
	case dialectMySQL:
		if kind == jsonNumber {
			return fmt.Sprintf(`(CASE WHEN JSON_TYPE(JSON_EXTRACT(%[1]s, ?)) IN ('INTEGER', 'DOUBLE', 'DECIMAL', 'UNSIGNED INTEGER') THEN JSON_EXTRACT(%[1]s, ?) + 0e0 END)`, column), []any{path, path}
		}
		// BINARY: JSON text has the padding utf8mb4_bin collation, under
		// which "abc" would equal "abc ".
		return fmt.Sprintf(`CAST((CASE WHEN JSON_TYPE(JSON_EXTRACT(%[1]s, ?)) = 'NULL' THEN NULL ELSE JSON_UNQUOTE(JSON_EXTRACT(%[1]s, ?)) END) AS BINARY)`, column), []any{path, path}
	}
	if kind == jsonNumber {
		return fmt.Sprintf(`(CASE WHEN json_type(%[1]s, ?) IN ('integer', 'real') THEN CAST(json_extract(%[1]s, ?) AS REAL) END)`, column), []any{path, path}
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

// inStrings is the condition "column is one of values", with its bind
// parameters. PostgreSQL gets the values as one array parameter: a list of
// thousands of parameters costs it far more to plan than the query costs
// to run.
func (d dialect) inStrings(column string, values []string) (string, []any) {
	if d == dialectPostgres {
		return column + " = ANY(?::text[])", []any{pgArray[string](values)}
	}
	return column + " IN ?", []any{values}
}

// onConflictUpdate renders the clause that turns a multi-row INSERT into an
// upsert on the unique key keys. assignments are "column = expression" where
// expressions name the proposed value as excluded.column and the stored one
// as table.column: ON CONFLICT … DO UPDATE SET on PostgreSQL and SQLite, ON
// DUPLICATE KEY UPDATE with VALUES(column) on MySQL, where assignments apply
// left to right (a later one sees the earlier ones' results).
func (d dialect) onConflictUpdate(keys []string, assignments ...string) string {
	set := strings.Join(assignments, ", ")
	if d == dialectMySQL {
		return " ON DUPLICATE KEY UPDATE " + excludedRef.ReplaceAllString(set, "VALUES($1)")
	}
	return " ON CONFLICT (" + strings.Join(keys, ", ") + ") DO UPDATE SET " + set
}

var excludedRef = regexp.MustCompile(`\bexcluded\.(\w+)`)

// insertStatement is the complete multi-row INSERT of values after head
// ("INSERT INTO t (columns)"), ending with tail, and its arguments.
func (d dialect) insertStatement(head, tail string, values [][]any) (string, []any) {
	source, args := d.multiRowValues(values)
	return head + " " + source + tail, args
}

// multiRowValues renders the row source of a multi-row INSERT and its
// arguments. On PostgreSQL it is "SELECT * FROM unnest(?::text[], …)", one
// array parameter per column, so that parsing and binding cost the same
// whatever the number of rows; elsewhere "VALUES (?, …), …", one parameter
// per value (size batches with batchRows). rows must not be empty, and the
// values of a column must share one Go type: string, *string, bool, int, int64,
// time.Time, *time.Time or jsonDoc.
func (d dialect) multiRowValues(rows [][]any) (string, []any) {
	columns := len(rows[0])
	if d != dialectPostgres {
		tuple := "(" + strings.TrimSuffix(strings.Repeat("?, ", columns), ", ") + ")"
		var sql strings.Builder
		sql.Grow(8 + len(rows)*(len(tuple)+2))
		sql.WriteString("VALUES ")
		args := make([]any, 0, len(rows)*columns)
		for i, row := range rows {
			if i > 0 {
				sql.WriteString(", ")
			}
			sql.WriteString(tuple)
			args = append(args, row...)
		}
		return sql.String(), args
	}
	// A column whose rows all hold the same value (a write's company, time
	// or flag) is one parameter instead of an array: less to encode and to
	// parse. One array stays, so that the rows keep their number.
	selected := make([]string, columns)
	var arrays []string
	var scalars, arrayArgs []any
	for c := range columns {
		cast, array := pgTypeOf(rows[0][c])
		if len(arrays) > 0 || c < columns-1 {
			if v, same := sameValue(rows, c); same {
				selected[c] = "?::" + cast
				scalars = append(scalars, v)
				continue
			}
		}
		arrays = append(arrays, "?::"+cast+"[]")
		arrayArgs = append(arrayArgs, array(rows, c))
		selected[c] = fmt.Sprintf("u.c%d", c)
	}
	names := make([]string, 0, len(arrays))
	for c := range columns {
		if strings.HasPrefix(selected[c], "u.") {
			names = append(names, selected[c][2:])
		}
	}
	return "SELECT " + strings.Join(selected, ", ") + " FROM unnest(" + strings.Join(arrays, ", ") + ") AS u(" + strings.Join(names, ", ") + ")",
		append(scalars, arrayArgs...)
}

// pgTypeOf is the PostgreSQL type of a column whose first value is v, and
// how to gather the column's values into one array parameter (built only
// for a column that needs one).
func pgTypeOf(v any) (string, func(rows [][]any, c int) any) {
	switch v.(type) {
	case bool:
		return "boolean", pgColumnOf[bool]
	case int:
		return "bigint", pgColumnOf[int]
	case int64:
		return "bigint", pgColumnOf[int64]
	case time.Time:
		return "timestamptz", pgColumnOf[time.Time]
	case *time.Time:
		return "timestamptz", pgColumnOf[*time.Time]
	case *string:
		return "text", pgColumnOf[*string]
	case jsonDoc:
		return "jsonb", pgColumnOf[jsonDoc]
	default:
		return "text", pgColumnOf[string]
	}
}

func pgColumnOf[T any](rows [][]any, c int) any { return pgColumn[T](rows, c) }

// sameValue reports whether every row holds the same value in column c, a
// text, number, flag or time (pointers and documents are not compared).
func sameValue(rows [][]any, c int) (any, bool) {
	first := rows[0][c]
	switch v := first.(type) {
	case string, bool, int, int64:
		for _, row := range rows[1:] {
			if row[c] != first {
				return nil, false
			}
		}
		return first, true
	case time.Time:
		for _, row := range rows[1:] {
			if t, ok := row[c].(time.Time); !ok || !t.Equal(v) {
				return nil, false
			}
		}
		return first, true
	}
	return nil, false
}

// pgArray hands a Go slice to PostgreSQL as one array parameter: GORM would
// expand a plain slice into a list of parameters but passes a driver.Valuer
// through, and pgx encodes the slice its Value returns natively.
type pgArray[T any] []T

func (a pgArray[T]) Value() (driver.Value, error) { return []T(a), nil }

func pgColumn[T any](rows [][]any, c int) pgArray[T] {
	out := make(pgArray[T], len(rows))
	for i, row := range rows {
		out[i] = row[c].(T)
	}
	return out
}

// binaryParam is a placeholder for a binary value where the statement gives
// it no type (a CASE result): PostgreSQL would take it for text.
func (d dialect) binaryParam() string {
	if d == dialectPostgres {
		return "?::bytea"
	}
	return "?"
}

// planPerExecution makes the rest of the transaction plan each statement for
// its own parameters. PostgreSQL otherwise switches a prepared statement to a
// generic plan after five runs, and on a table that grew fast since its last
// ANALYZE that plan can scan the whole table (measured: 180 ms instead of
// 10 ms to read one push's installations). The other backends plan per
// execution already.
func (d dialect) planPerExecution(db *gorm.DB) error {
	if d != dialectPostgres {
		return nil
	}
	return db.Exec("SET LOCAL plan_cache_mode = force_custom_plan").Error
}

// rowsPerInsert is how many rows a multi-row INSERT should carry (batchRows
// still caps it below the placeholder limit). SQLite compiles a long VALUES
// list in worse than linear time: measured, 200 rows a statement write 100,000
// rows 3 to 7 times faster than 3,600. PostgreSQL (unnest) and MySQL are
// indifferent past a thousand rows.
func (d dialect) rowsPerInsert() int {
	if d == dialectSQLite {
		return 200
	}
	return 5000
}

// textCollation is the collation of MySQL/MariaDB tables: binary and NO PAD,
// so that "X" and "X " are two keys as they are on PostgreSQL and SQLite
// (utf8mb4_bin pads with spaces before comparing). MariaDB names it
// utf8mb4_nopad_bin, MySQL 8 utf8mb4_0900_bin. "" on the other backends.
func (d dialect) textCollation(db *gorm.DB) (string, error) {
	if d != dialectMySQL {
		return "", nil
	}
	var version string
	if err := db.Raw("SELECT VERSION()").Scan(&version).Error; err != nil {
		return "", fmt.Errorf("read server version: %w", err)
	}
	if strings.Contains(strings.ToLower(version), "mariadb") {
		return "utf8mb4_nopad_bin", nil
	}
	return "utf8mb4_0900_bin", nil
}

// textPrefix is the condition "the jsonText expression expr starts with
// prefix". substr counts characters on PostgreSQL and SQLite, bytes on
// MySQL's binary strings. substr, not LIKE: LIKE ignores case on SQLite and
// needs escaping.
func (d dialect) textPrefix(expr, prefix string) (string, any) {
	n := utf8.RuneCountInString(prefix)
	if d == dialectMySQL {
		n = len(prefix)
	}
	return fmt.Sprintf("substr(%s, 1, %d) = ?", expr, n), prefix
}
