package database_test

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/parc-hq/parc/adapters/database"
	"github.com/parc-hq/parc/test/dbtest"
)

// The PostgreSQL transaction (pgTx) against a real server, in a database of
// its own that the run drops.

func TestMain(m *testing.M) { dbtest.Main(m) }

// openPostgres opens a table in a new empty database with a pool of one
// connection, so that every transaction runs on the connection the
// previous one gave back; count tells how many rows the table holds. No
// server skips the test loudly, or fails it when PARC_TEST_REQUIRE names
// postgres.
func openPostgres(t *testing.T) (db *gorm.DB, table string, count func() int64) {
	t.Helper()
	var postgres dbtest.Backend
	for _, b := range dbtest.Backends() {
		if b.Name == "postgres" {
			postgres = b
		}
	}
	url := dbtest.EmptyDatabase(t, postgres)
	db, err := database.Open(database.Config{URL: url, MaxOpenConns: 1}, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	t.Cleanup(func() { _ = database.Close(db) })
	table = "pgtx"
	require.NoError(t, db.Exec("CREATE TABLE "+table+" (id bigint PRIMARY KEY)").Error)
	count = func() int64 {
		var n int64
		require.NoError(t, db.Raw("SELECT count(*) FROM "+table).Scan(&n).Error)
		return n
	}
	return db, table, count
}

// A transaction begins with its first statement: committed, rolled back,
// failed or empty, it leaves its connection outside any transaction.
func TestPostgresTransactionBeginsWithItsFirstStatement(t *testing.T) {
	db, table, count := openPostgres(t)
	insert := "INSERT INTO " + table + " (id) VALUES (?)"
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
	db, table, count := openPostgres(t)
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
	db, table, count := openPostgres(t)
	insert := "INSERT INTO " + table + " (id) VALUES ($1)"
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

	backend := func() (pid int64) {
		require.NoError(t, db.Raw("SELECT pg_backend_pid()").Scan(&pid).Error)
		return pid
	}
	before := backend()
	err := db.Transaction(func(tx *gorm.DB) error {
		require.NoError(t, tx.Exec(insert, int64(3)).Error)
		return last(tx, 1) // a duplicate
	})
	var pgErr *pgconn.PgError
	require.ErrorAs(t, err, &pgErr, "the commit reports the held statement's error")
	assert.Equal(t, "23505", pgErr.Code)
	assert.Equal(t, int64(2), count(), "nothing of the failed transaction is kept")
	assert.Equal(t, before, backend(), "the failed transaction is rolled back on its connection, which stays in the pool")

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

// A transaction lends its pgx connection inside the transaction: as its
// first statement (BEGIN sent first) or after others, whose writes it sees.
// The pool lends one outside any transaction.
func TestPostgresDriverConnIsTheTransactions(t *testing.T) {
	db, table, count := openPostgres(t)
	type driverConner interface {
		WithDriverConn(ctx context.Context, fn func(*pgx.Conn) error) error
	}
	ctx := context.Background()
	countOn := func(pool gorm.ConnPool) (n int64, inTx bool) {
		c, ok := pool.(driverConner)
		require.True(t, ok, "%T lends no pgx connection", pool)
		require.NoError(t, c.WithDriverConn(ctx, func(conn *pgx.Conn) error {
			if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
				return err
			}
			inTx = conn.PgConn().TxStatus() == 'T'
			return nil
		}))
		return n, inTx
	}

	err := db.Transaction(func(tx *gorm.DB) error {
		n, inTx := countOn(tx.Statement.ConnPool)
		assert.Equal(t, int64(0), n)
		assert.True(t, inTx, "a first statement runs after BEGIN")
		require.NoError(t, tx.Exec("INSERT INTO "+table+" (id) VALUES (1)").Error)
		n, _ = countOn(tx.Statement.ConnPool)
		assert.Equal(t, int64(1), n, "the transaction's own write")
		return errors.New("roll back")
	})
	require.Error(t, err)
	assert.Equal(t, int64(0), count())
	n, inTx := countOn(db.Statement.ConnPool)
	assert.Equal(t, int64(0), n)
	assert.False(t, inTx, "the pool's connection is outside any transaction")
}
