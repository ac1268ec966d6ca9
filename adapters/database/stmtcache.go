package database

import (
	"context"
	"database/sql"
	"sync"

	"gorm.io/gorm"
)

// stmtCache is the connection pool GORM runs SQLite statements through.
// SQLite parses a statement each time it is prepared, and its driver
// prepares every statement it runs; GORM's own cache (Config.PrepareStmt)
// keeps only the statements first run outside a transaction, and prepares
// those of a transaction again in each one. Here a statement is prepared on
// the pool once (database/sql then keeps it prepared on each connection it
// runs on) and bound to a transaction with Tx.StmtContext, which reuses it:
// a tenth of a one-row write's CPU is saved.
//
// The cache holds up to maxCachedStmts texts and never evicts, since a
// statement closed while a transaction uses it would fail there; texts past
// the cap (multi-row writes of rare sizes) run unprepared.
type stmtCache struct {
	db          *sql.DB
	mu          sync.RWMutex
	stmts       map[string]*sql.Stmt
	preparing   map[string]bool // texts being prepared for transactions (see forTx)
	apart       sync.WaitGroup  // those preparations
	closed      bool            // no preparation starts any more (see close)
	checkpoints *walCheckpointer
}

const maxCachedStmts = 512

var (
	_ gorm.ConnPool         = (*stmtCache)(nil)
	_ gorm.ConnPoolBeginner = (*stmtCache)(nil)
	_ gorm.GetDBConnector   = (*stmtCache)(nil)
	_ gorm.Tx               = (*stmtCacheTx)(nil)
)

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, stmts: map[string]*sql.Stmt{}, preparing: map[string]bool{}, checkpoints: newWALCheckpointer(db)}
}

// cached returns the prepared statement of query, preparing it the first
// time; nil when the cache is full and query is not in it.
func (c *stmtCache) cached(ctx context.Context, query string) (*sql.Stmt, error) {
	c.mu.RLock()
	st, ok := c.stmts[query]
	full := len(c.stmts) >= maxCachedStmts
	c.mu.RUnlock()
	if ok || full {
		return st, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.stmts[query]; ok || len(c.stmts) >= maxCachedStmts {
		return st, nil
	}
	// The statement outlives the request that first runs it.
	st, err := c.db.PrepareContext(context.WithoutCancel(ctx), query)
	if err != nil {
		return nil, err
	}
	c.stmts[query] = st
	return st, nil
}

// forTx returns the prepared statement of query for a transaction, or nil
// while it is not prepared. Preparing takes a connection of the pool, which
// a transaction must not wait for: it holds SQLite's write lock, and the
// other connections may all be writers outside it (a key's last-use
// record) waiting for that lock, until the busy timeout. The text is
// prepared apart, and the transaction runs it as it is meanwhile.
func (c *stmtCache) forTx(query string) *sql.Stmt {
	c.mu.RLock()
	st, ok := c.stmts[query]
	skip := ok || c.preparing[query] || c.closed || len(c.stmts) >= maxCachedStmts
	c.mu.RUnlock()
	if skip {
		return st
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.stmts[query]; ok || c.preparing[query] || c.closed || len(c.stmts) >= maxCachedStmts {
		return st
	}
	c.preparing[query] = true
	c.apart.Add(1)
	go func() {
		defer c.apart.Done()
		c.prepareApart(query)
	}()
	return nil
}

// close stops the work the cache does beside its callers, the
// preparations and the checkpoints, and waits for it: each takes a
// connection of the pool, which must not open once the pool is closed.
func (c *stmtCache) close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.apart.Wait()
	c.checkpoints.close()
}

// prepareApart prepares query on the pool and caches it, unless another
// call did meanwhile.
func (c *stmtCache) prepareApart(query string) {
	st, err := c.db.PrepareContext(context.Background(), query)
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.preparing, query)
	if err != nil {
		return // the text fails where it runs, with its own error
	}
	if _, ok := c.stmts[query]; ok || len(c.stmts) >= maxCachedStmts {
		_ = st.Close()
		return
	}
	c.stmts[query] = st
}

func (c *stmtCache) GetDBConn() (*sql.DB, error) { return c.db, nil }

func (c *stmtCache) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return c.db.PrepareContext(ctx, query)
}

// ExecContext runs a statement outside any transaction: a write commits
// by itself, and wakes the checkpointer as a transaction's commit does.
func (c *stmtCache) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	var res sql.Result
	st, err := c.cached(ctx, query)
	if err != nil || st == nil {
		res, err = c.db.ExecContext(ctx, query, args...)
	} else {
		res, err = st.ExecContext(ctx, args...)
	}
	if err == nil {
		c.checkpoints.committed()
	}
	return res, err
}

func (c *stmtCache) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := c.cached(ctx, query)
	if err != nil || st == nil {
		return c.db.QueryContext(ctx, query, args...)
	}
	return st.QueryContext(ctx, args...)
}

func (c *stmtCache) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := c.cached(ctx, query)
	if err != nil || st == nil {
		return c.db.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

func (c *stmtCache) BeginTx(ctx context.Context, opts *sql.TxOptions) (gorm.ConnPool, error) {
	tx, err := c.db.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &stmtCacheTx{Tx: tx, cache: c}, nil
}

// stmtCacheTx is a transaction that runs the cache's statements. A text not
// prepared yet runs as it is (see forTx), and so does one that fails to
// prepare, so that its error is the one the transaction reports.
type stmtCacheTx struct {
	*sql.Tx
	cache *stmtCache
}

// Commit commits, then wakes the checkpointer (see walCheckpointer).
func (t *stmtCacheTx) Commit() error {
	if err := t.Tx.Commit(); err != nil {
		return err
	}
	t.cache.checkpoints.committed()
	return nil
}

func (t *stmtCacheTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st := t.cache.forTx(query)
	if st == nil {
		return t.Tx.ExecContext(ctx, query, args...)
	}
	return t.Tx.StmtContext(ctx, st).ExecContext(ctx, args...)
}

func (t *stmtCacheTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st := t.cache.forTx(query)
	if st == nil {
		return t.Tx.QueryContext(ctx, query, args...)
	}
	return t.Tx.StmtContext(ctx, st).QueryContext(ctx, args...)
}

func (t *stmtCacheTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st := t.cache.forTx(query)
	if st == nil {
		return t.Tx.QueryRowContext(ctx, query, args...)
	}
	return t.Tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
}

// cacheStatements makes db run its statements through a stmtCache.
func cacheStatements(db *gorm.DB) {
	if sqlDB, ok := db.ConnPool.(*sql.DB); ok {
		db.ConnPool = newStmtCache(sqlDB)
		db.Statement.ConnPool = db.ConnPool
	}
}
