package database

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
)

// pgPool is the connection pool GORM runs PostgreSQL statements through. Its
// transactions send BEGIN only with their first statement, and in the same
// message when that statement allows it (see pgTx): a data-set write
// begins with the advisory locks that announce it, and saves a round trip
// of the few each write makes.
type pgPool struct{ *sql.DB }

var (
	_ gorm.ConnPool         = (*pgPool)(nil)
	_ gorm.ConnPoolBeginner = (*pgPool)(nil)
	_ gorm.GetDBConnector   = (*pgPool)(nil)
	_ gorm.ConnPool         = (*pgTx)(nil)
	_ gorm.TxCommitter      = (*pgTx)(nil)
)

func (p *pgPool) GetDBConn() (*sql.DB, error) { return p.DB, nil }

// BeginTx reserves a connection for the transaction; a transaction with
// options (an isolation level, read-only) begins at once as database/sql
// does.
func (p *pgPool) BeginTx(ctx context.Context, opts *sql.TxOptions) (gorm.ConnPool, error) {
	if opts != nil && (opts.Isolation != sql.LevelDefault || opts.ReadOnly) {
		return p.DB.BeginTx(ctx, opts)
	}
	conn, err := p.DB.Conn(ctx)
	if err != nil {
		return nil, err
	}
	return &pgTx{conn: conn, ctx: ctx}, nil
}

// pgTx is a transaction on one connection whose BEGIN waits for its first
// statement. An Exec whose arguments are all integers goes with BEGIN in
// one simple-protocol message, the integers written into its text (no
// quoting is involved); any other first statement is preceded by BEGIN on
// its own. Commit and Rollback end the transaction and give the connection
// back; a connection whose transaction could not be ended is discarded.
type pgTx struct {
	conn  *sql.Conn
	ctx   context.Context // of BeginTx, as database/sql's transactions keep it
	begun bool
	// last is a statement held back by ExecLast: it goes with the
	// transaction's next message, COMMIT's or another statement's.
	last *heldExec
}

// heldExec is a statement ExecLast held back, with its arguments.
type heldExec struct {
	query string
	args  []any
}

// heldResult is the result of a statement held back: its count of rows is
// not known when it is given.
type heldResult struct{}

var errHeldCount = errors.New("the count of rows of a statement sent with COMMIT is not known")

func (heldResult) LastInsertId() (int64, error) { return 0, errHeldCount }
func (heldResult) RowsAffected() (int64, error) { return 0, errHeldCount }

// ExecLast runs a statement that is expected to be the transaction's last,
// and whose count of rows nobody reads: it is held back and sent in one
// round trip with COMMIT (a one-row write's last statement, which
// otherwise waits for its answer before COMMIT is sent). A statement that
// comes after it sends it first, as Exec would have. Its error, if any, is
// then the error of Commit or of the statement after it: the transaction
// fails as it would have, a round trip later.
func (t *pgTx) ExecLast(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if !t.begun {
		return t.ExecContext(ctx, query, args...)
	}
	if err := t.flush(ctx); err != nil {
		return nil, err
	}
	t.last = &heldExec{query: query, args: args}
	return heldResult{}, nil
}

// flush sends the statement held back, if any.
func (t *pgTx) flush(ctx context.Context) error {
	if t.last == nil {
		return nil
	}
	held := t.last
	t.last = nil
	_, err := t.conn.ExecContext(ctx, held.query, held.args...)
	return err
}

func (t *pgTx) begin(ctx context.Context) error {
	if t.begun {
		return t.flush(ctx)
	}
	t.begun = true
	_, err := t.conn.ExecContext(ctx, "BEGIN")
	return err
}

func (t *pgTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if !t.begun {
		if text, ok := inlineIntegers(query, args); ok {
			t.begun = true
			return t.conn.ExecContext(ctx, "BEGIN; "+text)
		}
	}
	if err := t.begin(ctx); err != nil {
		return nil, err
	}
	return t.conn.ExecContext(ctx, query, args...)
}

func (t *pgTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := t.begin(ctx); err != nil {
		return nil, err
	}
	return t.conn.QueryContext(ctx, query, args...)
}

func (t *pgTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if err := t.begin(ctx); err != nil {
		// A Row carries its error only from a query: one that cannot run.
		done, cancel := context.WithCancelCause(ctx)
		cancel(err)
		return t.conn.QueryRowContext(done, query, args...)
	}
	return t.conn.QueryRowContext(ctx, query, args...)
}

func (t *pgTx) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	if err := t.begin(ctx); err != nil {
		return nil, err
	}
	return t.conn.PrepareContext(ctx, query)
}

// Commit commits, and reports a transaction the server rolled back (one
// whose statement failed) as pgx does. A COMMIT that could not be sent
// leaves the transaction open on its connection, which end discards: the
// server rolls back the transaction of a connection that closes.
func (t *pgTx) Commit() error {
	defer t.conn.Close()
	if !t.begun {
		return nil
	}
	err := t.end(t.ctx, "COMMIT", t.last)
	t.last = nil
	return err
}

func (t *pgTx) Rollback() error {
	defer t.conn.Close()
	t.last = nil
	if !t.begun {
		return nil
	}
	return t.end(context.WithoutCancel(t.ctx), "ROLLBACK", nil)
}

// end sends COMMIT or ROLLBACK on the driver's connection, whose command tag
// tells a commit that rolled back; a statement held back goes before it in
// the same round trip (one pipeline, whose failed statement keeps COMMIT
// from running). A transaction that a failed held statement left open is
// rolled back there, so that its connection stays in the pool: a create
// whose code is taken fails that way as a matter of course. A connection
// still inside a transaction after that is discarded rather than pooled.
func (t *pgTx) end(ctx context.Context, statement string, held *heldExec) error {
	var failed error
	err := t.conn.Raw(func(dc any) error {
		c, ok := dc.(interface{ Conn() *pgx.Conn })
		if !ok {
			failed = fmt.Errorf("%s: unexpected PostgreSQL driver connection %T", statement, dc)
			return driver.ErrBadConn
		}
		tag, err := sendEnd(ctx, c.Conn(), statement, held)
		switch {
		case err != nil:
			failed = err
		case statement == "COMMIT" && tag.String() == "ROLLBACK":
			failed = pgx.ErrTxCommitRollback
		}
		pg := c.Conn().PgConn()
		if held != nil && err != nil && pg.TxStatus() == 'E' {
			_, _ = c.Conn().Exec(context.WithoutCancel(ctx), "ROLLBACK")
		}
		if pg.TxStatus() != 'I' {
			return driver.ErrBadConn
		}
		return nil
	})
	if failed != nil {
		return failed
	}
	return err
}

// sendEnd sends statement, after held when there is one, and returns the
// command tag of statement.
func sendEnd(ctx context.Context, c *pgx.Conn, statement string, held *heldExec) (pgconn.CommandTag, error) {
	if held == nil {
		return c.Exec(ctx, statement)
	}
	b := &pgx.Batch{}
	b.Queue(held.query, held.args...)
	b.Queue(statement)
	results := c.SendBatch(ctx, b)
	_, heldErr := results.Exec()
	tag, err := results.Exec()
	closeErr := results.Close()
	if heldErr != nil {
		return tag, heldErr
	}
	if err != nil {
		return tag, err
	}
	return tag, closeErr
}

// inlineIntegers writes the integer arguments of query into its text, for
// the simple protocol, which takes no parameters. It refuses a query with
// any quote or statement separator, or an argument that is not an integer.
func inlineIntegers(query string, args []any) (string, bool) {
	if !placeholdersOnly(query) {
		return "", false
	}
	values := make([]string, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case int:
			values[i] = strconv.Itoa(v)
		case int32:
			values[i] = strconv.FormatInt(int64(v), 10)
		case int64:
			values[i] = strconv.FormatInt(v, 10)
		default:
			return "", false
		}
	}
	var b strings.Builder
	for i := 0; i < len(query); i++ {
		if query[i] != '$' {
			b.WriteByte(query[i])
			continue
		}
		j := i + 1
		for j < len(query) && query[j] >= '0' && query[j] <= '9' {
			j++
		}
		n, err := strconv.Atoi(query[i+1 : j])
		if err != nil || n < 1 || n > len(values) {
			return "", false
		}
		// Parenthesised, so that a negative value stays one operand.
		b.WriteString("(" + values[n-1] + ")")
		i = j - 1
	}
	return b.String(), true
}

// placeholdersOnly reports whether query's only special characters are
// $n placeholders: no quotes, no separators, no dollar quoting.
func placeholdersOnly(query string) bool {
	if strings.ContainsAny(query, `'";`) {
		return false
	}
	for i := 0; i < len(query); i++ {
		if query[i] == '$' && (i+1 == len(query) || query[i+1] < '0' || query[i+1] > '9') {
			return false
		}
	}
	return true
}

// beginWithFirstStatement makes db's transactions pgTx.
func beginWithFirstStatement(db *gorm.DB) {
	if sqlDB, ok := db.ConnPool.(*sql.DB); ok {
		db.ConnPool = &pgPool{DB: sqlDB}
		db.Statement.ConnPool = db.ConnPool
	}
}

// CopyFrom writes rows into table with COPY, in the transaction: a bulk
// insert that sends its rows in PostgreSQL's binary format instead of as
// statement parameters, and that the server runs without a plan or an
// executor node per row. It returns how many rows were written.
func (t *pgTx) CopyFrom(ctx context.Context, table string, columns []string, rows [][]any) (int64, error) {
	var n int64
	err := t.WithDriverConn(ctx, func(c *pgx.Conn) error {
		var err error
		n, err = c.CopyFrom(ctx, pgx.Identifier{table}, columns, pgx.CopyFromRows(rows))
		return err
	})
	return n, err
}

// WithDriverConn runs fn on the transaction's pgx connection, after its
// BEGIN: a read of many rows scans them through pgx's own interface, which
// does not box every value as database/sql does.
func (t *pgTx) WithDriverConn(ctx context.Context, fn func(*pgx.Conn) error) error {
	if err := t.begin(ctx); err != nil {
		return err
	}
	return withDriverConn(t.conn, fn)
}

// WithDriverConn runs fn on a pgx connection of the pool (see pgTx's).
func (p *pgPool) WithDriverConn(ctx context.Context, fn func(*pgx.Conn) error) error {
	conn, err := p.DB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return withDriverConn(conn, fn)
}

// withDriverConn runs fn on the pgx connection under conn. A connection fn
// left broken (a query cancelled mid-way closes it) is not pooled again:
// the driver reports it invalid.
func withDriverConn(conn *sql.Conn, fn func(*pgx.Conn) error) error {
	var failed error
	err := conn.Raw(func(dc any) error {
		c, ok := dc.(interface{ Conn() *pgx.Conn })
		if !ok {
			failed = fmt.Errorf("unexpected PostgreSQL driver connection %T", dc)
			return nil
		}
		failed = fn(c.Conn())
		return nil
	})
	if failed != nil {
		return failed
	}
	return err
}
