package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"
)

func TestInlineIntegers(t *testing.T) {
	for _, c := range []struct {
		query string
		args  []any
		want  string
		ok    bool
	}{
		{"SELECT f($1, $2), g($3)", []any{int32(7), int32(-8), int64(1 << 40)}, "SELECT f((7), (-8)), g((1099511627776))", true},
		{"UPDATE t SET n = $1 WHERE id = $10", []any{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, "UPDATE t SET n = (1) WHERE id = (10)", true},
		{"SELECT 1", nil, "SELECT 1", true},
		{"SELECT f($1)", []any{"x"}, "", false},
		{"SELECT f($2)", []any{1}, "", false},
		{"SELECT 'a$1'", []any{1}, "", false},
		{`SELECT "$1"`, []any{1}, "", false},
		{"SELECT $$x$$", nil, "", false},
		{"SELECT 1; SELECT $1", []any{1}, "", false},
	} {
		got, ok := inlineIntegers(c.query, c.args)
		assert.Equal(t, c.ok, ok, c.query)
		assert.Equal(t, c.want, got, c.query)
	}
}

// openPostgres opens a throwaway table on the test server with a pool of
// one connection, so that every transaction runs on the connection the
// previous one gave back.
func openPostgres(t *testing.T) (*gorm.DB, string) {
	t.Helper()
	url := os.Getenv("PARC_TEST_POSTGRES_URL")
	if url == "" {
		url = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	db, err := Open(Config{URL: url, MaxOpenConns: 1}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Skipf("no PostgreSQL server: %v", err)
	}
	sqlDB, err := db.DB()
	require.NoError(t, err)
	if err := sqlDB.Ping(); err != nil {
		t.Skipf("no PostgreSQL server: %v", err)
	}
	table := fmt.Sprintf("pgtx_%d", time.Now().UnixNano())
	require.NoError(t, db.Exec("CREATE TABLE "+table+" (id bigint PRIMARY KEY)").Error)
	t.Cleanup(func() {
		_ = db.Exec("DROP TABLE " + table).Error
		_ = sqlDB.Close()
	})
	return db, table
}

// A transaction begins with its first statement: committed, rolled back,
// failed or empty, it leaves its connection outside any transaction.
func TestPostgresTransactionBeginsWithItsFirstStatement(t *testing.T) {
	db, table := openPostgres(t)
	insert := "INSERT INTO " + table + " (id) VALUES (?)"
	count := func() int64 {
		var n int64
		require.NoError(t, db.Raw("SELECT count(*) FROM "+table).Scan(&n).Error)
		return n
	}
	// Inside a transaction begun by an earlier message, now() (the
	// transaction's start) is before the statement's start.
	inTx := func(tx *gorm.DB) bool {
		var begunBefore bool
		require.NoError(t, tx.Raw("SELECT now() < statement_timestamp()").Scan(&begunBefore).Error)
		return begunBefore
	}

	require.NoError(t, db.Transaction(func(tx *gorm.DB) error {
		require.NoError(t, tx.Exec(insert, int64(1)).Error) // sent with BEGIN
		assert.True(t, inTx(tx), "the statements that follow run in the transaction")
		return tx.Exec(insert, "2").Error
	}))
	assert.Equal(t, int64(2), count())

	err := db.Transaction(func(tx *gorm.DB) error {
		require.NoError(t, tx.Exec(insert, int64(3)).Error)
		return errors.New("changed my mind")
	})
	require.Error(t, err)
	assert.Equal(t, int64(2), count(), "rolled back")

	err = db.Transaction(func(tx *gorm.DB) error {
		_ = tx.Exec(insert, int64(1)).Error // a duplicate: the server aborts the transaction
		_ = tx.Exec(insert, int64(4)).Error
		return nil
	})
	assert.ErrorIs(t, err, pgx.ErrTxCommitRollback)
	assert.Equal(t, int64(2), count(), "nothing of an aborted transaction is kept")

	require.NoError(t, db.Transaction(func(*gorm.DB) error { return nil }))

	require.NoError(t, db.Transaction(func(tx *gorm.DB) error {
		var n int64
		require.NoError(t, tx.Raw("SELECT count(*) FROM "+table).Scan(&n).Error) // a query first: BEGIN alone
		assert.True(t, inTx(tx))
		return tx.Exec(insert, int64(5)).Error
	}))
	assert.Equal(t, int64(3), count())

	ctx, cancel := context.WithCancel(context.Background())
	err = db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		require.NoError(t, tx.Exec(insert, int64(6)).Error)
		cancel()
		return nil
	})
	require.Error(t, err, "a transaction whose context ended does not commit")
	assert.Equal(t, int64(3), count())
}

// CopyFrom writes its rows in the transaction: they commit or roll back
// with its other statements, and a COPY as first statement begins it.
func TestPostgresCopyFromIsPartOfTheTransaction(t *testing.T) {
	db, table := openPostgres(t)
	count := func() int64 {
		var n int64
		require.NoError(t, db.Raw("SELECT count(*) FROM "+table).Scan(&n).Error)
		return n
	}
	copyRows := func(tx *gorm.DB, ids ...int64) error {
		c, ok := tx.Statement.ConnPool.(interface {
			CopyFrom(ctx context.Context, table string, columns []string, rows [][]any) (int64, error)
		})
		require.True(t, ok, "a PostgreSQL transaction copies")
		rows := make([][]any, len(ids))
		for i, id := range ids {
			rows[i] = []any{id}
		}
		n, err := c.CopyFrom(context.Background(), table, []string{"id"}, rows)
		if err == nil {
			assert.Equal(t, int64(len(ids)), n)
		}
		return err
	}

	require.NoError(t, db.Transaction(func(tx *gorm.DB) error {
		require.NoError(t, copyRows(tx, 1, 2)) // the first statement
		return tx.Exec("INSERT INTO "+table+" (id) VALUES (?)", int64(3)).Error
	}))
	assert.Equal(t, int64(3), count())

	err := db.Transaction(func(tx *gorm.DB) error {
		require.NoError(t, tx.Exec("INSERT INTO "+table+" (id) VALUES (?)", int64(4)).Error)
		require.NoError(t, copyRows(tx, 5))
		return errors.New("changed my mind")
	})
	require.Error(t, err)
	assert.Equal(t, int64(3), count(), "rolled back")

	err = db.Transaction(func(tx *gorm.DB) error {
		return copyRows(tx, 6, 1) // a duplicate key
	})
	require.Error(t, err)
	assert.Equal(t, int64(3), count())
	require.NoError(t, db.Transaction(func(tx *gorm.DB) error { return copyRows(tx, 7) }), "the connection is usable again")
	assert.Equal(t, int64(4), count())
}

// A statement held back by ExecLast goes with COMMIT; it fails the commit
// when it fails, and a statement after it sends it first.
func TestPostgresLastStatementGoesWithCommit(t *testing.T) {
	db, table := openPostgres(t)
	insert := "INSERT INTO " + table + " (id) VALUES ($1)"
	count := func() int64 {
		var n int64
		require.NoError(t, db.Raw("SELECT count(*) FROM "+table).Scan(&n).Error)
		return n
	}
	last := func(tx *gorm.DB, id int64) error {
		held, ok := tx.Statement.ConnPool.(interface {
			ExecLast(ctx context.Context, query string, args ...any) (sql.Result, error)
		})
		require.True(t, ok, "a PostgreSQL transaction holds back its last statement")
		_, err := held.ExecLast(context.Background(), insert, id)
		return err
	}

	require.NoError(t, db.Transaction(func(tx *gorm.DB) error {
		require.NoError(t, tx.Exec(insert, int64(1)).Error)
		return last(tx, 2)
	}))
	assert.Equal(t, int64(2), count(), "the held statement is committed")

	err := db.Transaction(func(tx *gorm.DB) error {
		require.NoError(t, tx.Exec(insert, int64(3)).Error)
		return last(tx, 1) // a duplicate
	})
	var pgErr *pgconn.PgError
	require.ErrorAs(t, err, &pgErr, "the commit reports the held statement's error")
	assert.Equal(t, "23505", pgErr.Code)
	assert.Equal(t, int64(2), count(), "nothing of the failed transaction is kept")

	require.NoError(t, db.Transaction(func(tx *gorm.DB) error {
		require.NoError(t, tx.Exec(insert, int64(4)).Error)
		require.NoError(t, last(tx, 5))
		var n int64
		require.NoError(t, tx.Raw("SELECT count(*) FROM "+table).Scan(&n).Error)
		assert.Equal(t, int64(4), n, "a statement after the held one sees it")
		return nil
	}))
	assert.Equal(t, int64(4), count())

	err = db.Transaction(func(tx *gorm.DB) error {
		require.NoError(t, tx.Exec(insert, int64(6)).Error)
		require.NoError(t, last(tx, 7))
		return errors.New("changed my mind")
	})
	require.Error(t, err)
	assert.Equal(t, int64(4), count(), "a rollback drops the held statement")
}
