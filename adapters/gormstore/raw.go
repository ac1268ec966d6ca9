package gormstore

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
)

// The statements every request runs (its key, its project, a one-row
// write) go to the connection pool or transaction directly: GORM builds
// each statement on copies of its session, which made a fifth of the memory
// a one-row write allocated. They keep what GORM's callbacks give the
// others: the abort guard of their transaction (see guardAborts), the
// translation of driver errors, and the statement log.

// rawQuery runs a query of fixed text, ? placeholders, on the transaction
// of ctx or the pool. The caller closes the rows.
func (s *Store) rawQuery(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	pool, err := s.rawPool(ctx)
	if err != nil {
		return nil, err
	}
	begin := time.Now()
	rows, err := pool.QueryContext(ctx, s.bind(query), args...)
	err = s.rawDone(ctx, begin, query, -1, err)
	if err != nil {
		return nil, err
	}
	return rows, nil
}

// rawExec is rawQuery for a statement that returns no rows; it returns how
// many rows it changed.
func (s *Store) rawExec(ctx context.Context, query string, args ...any) (int64, error) {
	pool, err := s.rawPool(ctx)
	if err != nil {
		return 0, err
	}
	begin := time.Now()
	res, err := pool.ExecContext(ctx, s.bind(query), args...)
	var n int64
	if err == nil {
		n, _ = res.RowsAffected()
	}
	return n, s.rawDone(ctx, begin, query, n, err)
}

// lastExecer is a transaction that can hold back its last statement and
// send it with COMMIT, in one round trip (PostgreSQL's, see the database
// package).
type lastExecer interface {
	ExecLast(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// rawExecLast is rawExec for the statement expected to be the last of its
// transaction, whose count of rows nobody reads: a transaction that can
// sends it with COMMIT, and its error, if any, comes from Commit (or from
// the statement after it). An insert whose duplicate key is a lost race
// says so with racing: the transaction then reports such a duplicate as
// ports.ErrRowRaced wherever it comes out (see Store.attempt).
func (s *Store) rawExecLast(ctx context.Context, racing bool, query string, args ...any) error {
	pool, err := s.rawPool(ctx)
	if err != nil {
		return err
	}
	last, ok := pool.(lastExecer)
	if !ok {
		_, err := s.rawExec(ctx, query, args...)
		return err
	}
	if w, ok := ctx.Value(abortKey{}).(*abortWatch); ok && racing {
		w.heldRace = true
	}
	begin := time.Now()
	_, err = last.ExecLast(ctx, s.bind(query), args...)
	return s.rawDone(ctx, begin, query, -1, err)
}

// rawPool is the transaction of ctx, or the pool; a transaction that met
// an abort refuses further statements, as refuseAfterAbort does.
func (s *Store) rawPool(ctx context.Context) (gorm.ConnPool, error) {
	tx, ok := ctx.Value(txKey{}).(*gorm.DB)
	if !ok {
		return s.db.Statement.ConnPool, nil
	}
	if err := abortedBefore(ctx); err != nil {
		return nil, err
	}
	return tx.Statement.ConnPool, nil
}

// rawDone logs the statement, remembers an abort as rememberAbort does,
// and translates the driver's error as GORM's TranslateError does.
func (s *Store) rawDone(ctx context.Context, begin time.Time, query string, rows int64, err error) error {
	if err != nil {
		err = s.driverError(err)
		s.noteAbort(ctx, err)
	}
	s.db.Logger.Trace(ctx, begin, func() (string, int64) { return query, rows }, err)
	return err
}

// driverError translates a driver's error into GORM's (a duplicate key, a
// missing row), as GORM's TranslateError does for the statements it runs.
func (s *Store) driverError(err error) error {
	if t, ok := s.db.Dialector.(gorm.ErrorTranslator); ok {
		return t.Translate(err)
	}
	return err
}

// bound holds statement texts with PostgreSQL's numbered placeholders, up
// to maxBound of them (multi-row inserts come in many sizes).
var bound = struct {
	sync.RWMutex
	texts map[string]string
}{texts: map[string]string{}}

const maxBound = 1024

// bind numbers the ? placeholders of query for PostgreSQL ($1, $2, …), as
// GORM does; the texts given hold no ? but placeholders.
func (s *Store) bind(query string) string {
	if s.dialect != dialectPostgres || !strings.Contains(query, "?") {
		return query
	}
	bound.RLock()
	b, ok := bound.texts[query]
	bound.RUnlock()
	if ok {
		return b
	}
	var sb strings.Builder
	n := 0
	for _, r := range query {
		if r != '?' {
			sb.WriteRune(r)
			continue
		}
		n++
		sb.WriteString("$" + strconv.Itoa(n))
	}
	b = sb.String()
	bound.Lock()
	if len(bound.texts) < maxBound {
		bound.texts[query] = b
	}
	bound.Unlock()
	return b
}
