package gormstore

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
)

func TestUnavailableClassifiesConnectionAndServerStateErrors(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("list accounts: %w", err) }
	cases := map[string]struct {
		err  error
		want bool
	}{
		"pg connection failure 08006":          {&pgconn.PgError{Severity: "FATAL", Code: "08006"}, true},
		"pg database dropped 3D000":            {&pgconn.PgError{Severity: "FATAL", Code: "3D000"}, true},
		"pg password failed 28P01":             {&pgconn.PgError{Severity: "FATAL", Code: "28P01"}, true},
		"pg too many connections 53300":        {&pgconn.PgError{Severity: "FATAL", Code: "53300"}, true},
		"pg admin shutdown 57P01":              {&pgconn.PgError{Severity: "FATAL", Code: "57P01"}, true},
		"pg crash shutdown 57P02":              {&pgconn.PgError{Severity: "FATAL", Code: "57P02"}, true},
		"pg cannot connect now 57P03":          {&pgconn.PgError{Severity: "FATAL", Code: "57P03"}, true},
		"pg query canceled 57014":              {&pgconn.PgError{Code: "57014"}, false},
		"pg unique violation 23505":            {&pgconn.PgError{Code: "23505"}, false},
		"pg syntax error 42601":                {&pgconn.PgError{Code: "42601"}, false},
		"mysql invalid connection":             {mysql.ErrInvalidConn, true},
		"mysql too many connections 1040":      {&mysql.MySQLError{Number: 1040}, true},
		"mysql access denied 1045":             {&mysql.MySQLError{Number: 1045}, true},
		"mysql unknown database 1049":          {&mysql.MySQLError{Number: 1049}, true},
		"mysql duplicate entry 1062":           {&mysql.MySQLError{Number: 1062}, false},
		"mysql deadlock 1213":                  {&mysql.MySQLError{Number: 1213}, false},
		"a statement's own error":              {errors.New("no such table: accounts"), false},
		"a cancelled context is not an outage": {context.Canceled, false},
	}
	for name, c := range cases {
		for _, d := range []dialect{dialectPostgres, dialectMySQL, dialectSQLite} {
			assert.Equal(t, c.want, d.unavailable(wrap(c.err)), "%s on %s", name, d)
		}
	}
}

// parseSQLiteTime reads what the SQLite driver writes, and what it reads
// itself, to the same instant as the driver's own parsing.
func TestParseSQLiteTimeReadsAsTheDriverDoes(t *testing.T) {
	base := time.Date(2026, 11, 27, 14, 38, 15, 227088000, time.UTC)
	for _, tm := range []time.Time{base, base.Truncate(time.Second), base.Add(120 * time.Nanosecond), time.Date(2024, 2, 29, 23, 59, 59, 100000000, time.UTC), {}} {
		for _, s := range []string{
			tm.Format("2006-01-02 15:04:05.999999999-07:00"), tm.Format("2006-01-02T15:04:05.999999999-07:00"),
			tm.Format("2006-01-02 15:04:05.999999999Z07:00"), tm.Format("2006-01-02 15:04:05.999999999"),
			tm.In(time.FixedZone("", 2*3600)).Format("2006-01-02 15:04:05.999999999-07:00"),
		} {
			got, err := parseSQLiteTime([]byte(s))
			if assert.NoError(t, err, s) {
				assert.True(t, got.Equal(tm), "%s: got %s", s, got)
				assert.Equal(t, time.UTC, got.Location(), s)
			}
		}
	}
	for _, s := range []string{"", "2026-11-27", "2026-13-01 00:00:00+00:00", "2026-04-31 00:00:00+00:00", "2026-11-27 14:38:15.+00:00",
		"2026-11-27 1x:38:15+00:00", "2026-11-27 14:38:15+00:0"} {
		_, err := parseSQLiteTime([]byte(s))
		assert.Error(t, err, s)
	}
}
