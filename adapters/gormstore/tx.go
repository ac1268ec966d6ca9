package gormstore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"gorm.io/gorm"

	"github.com/parc-hq/parc/domain"
	"github.com/parc-hq/parc/ports"
)

// Retries of a transaction that lost a deadlock, a serialization conflict or
// (on a Galera cluster) certification against another node's commit. Such a
// loss is normal under concurrency — the database picked a victim, and some
// other transaction committed — and the cure is to run the whole
// transaction again after a pause. The pauses are drawn at random ("full
// jitter") below a ceiling that doubles from txBackoffBase up to
// txBackoffMax, so that the losers of one round do not meet again in the
// next. The bound is generous because on a cluster a hot row (a project's
// licences, say) written through three nodes at once makes about two losers
// per commit: measured with 100 callers on one project through three
// nodes, 10 attempts failed a caller (503) in one of 20 rounds, 30 attempts
// none in 30. All 30 pauses add up to about 1.3 s on average, 2.6 s at
// most.
const (
	maxTxAttempts = 30
	txBackoffBase = 2 * time.Millisecond
	txBackoffMax  = 100 * time.Millisecond
)

// Within runs fn in a transaction. A call made inside another Within joins
// the outer transaction. A transaction that fails on a deadlock, a
// serialization conflict or a certification failure is rolled back and run
// again whole, a bounded number of times with jittered backoff; when every
// attempt lost, the caller gets domain.ErrUnavailable (try again later).
// On SQLite the transactions that wait for the write lock meanwhile share
// one, each in a savepoint of its own (see txGroup).
func (s *Store) Within(ctx context.Context, fn func(ctx context.Context) error) error {
	if inTx(ctx) {
		return fn(ctx)
	}
	var err error
	for attempt := 1; ; attempt++ {
		if s.group != nil {
			err = s.group.within(ctx, fn)
		} else {
			err = s.attempt(ctx, fn)
		}
		if err == nil || !s.dialect.retryable(err) {
			return s.translate(err)
		}
		if attempt == maxTxAttempts {
			return fmt.Errorf("%w: transaction lost to concurrent writers %d times: %w", domain.ErrUnavailable, attempt, err)
		}
		ceiling := min(txBackoffBase<<(attempt-1), txBackoffMax)
		select {
		case <-ctx.Done():
			return s.translate(ctx.Err())
		case <-time.After(rand.N(ceiling) + time.Millisecond):
		}
	}
}

// attempt runs fn once in a transaction. The transaction's statements carry
// an abortWatch: once one of them has reported an abort, fn's later
// statements are refused instead of running (the server has rolled the
// transaction back, so they would run in autocommit), and fn cannot commit
// even if it ignored the error.
func (s *Store) attempt(ctx context.Context, fn func(ctx context.Context) error) error {
	watch := &abortWatch{}
	ctx = context.WithValue(ctx, abortKey{}, watch)
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return runWatched(ctx, tx, watch, fn)
	})
	if watch.heldRace && err != nil && !errors.Is(err, ports.ErrRowRaced) {
		if dup := s.driverError(err); errors.Is(dup, gorm.ErrDuplicatedKey) {
			return fmt.Errorf("insert rows: %w: %w", ports.ErrRowRaced, dup)
		}
	}
	return err
}

// runWatched runs fn on the transaction tx, ctx carrying its abortWatch: a
// transaction that met an abort fails, even when fn ignored the error.
func runWatched(ctx context.Context, tx *gorm.DB, watch *abortWatch, fn func(ctx context.Context) error) error {
	err := fn(context.WithValue(ctx, txKey{}, tx))
	if err == nil && watch.err != nil {
		err = watch.err
	}
	return err
}

type abortKey struct{}

// abortWatch remembers the first abort a transaction's statements met, and
// whether an insert that may lose a race to a concurrent writer was held
// back to go with COMMIT (see rawExecLast): a duplicate key that then ends
// the transaction is that insert's. A transaction runs its statements one
// at a time, so it needs no lock.
type abortWatch struct {
	err      error
	heldRace bool
}

// errAfterAbort refuses a statement of a transaction that was aborted.
var errAfterAbort = errors.New("statement refused: the transaction was already aborted")

// guardAborts registers, once per connection, GORM callbacks around every
// kind of statement: before it, a transaction already aborted refuses the
// statement; after it, an abort error is remembered.
func (s *Store) guardAborts() {
	cb := s.db.Callback()
	if cb.Query().Get("parc:refuse_after_abort") != nil {
		return
	}
	before, after := "parc:refuse_after_abort", "parc:remember_abort"
	errs := []error{
		cb.Create().Before("gorm:create").Register(before, refuseAfterAbort),
		cb.Create().After("gorm:create").Register(after, s.rememberAbort),
		cb.Query().Before("gorm:query").Register(before, refuseAfterAbort),
		cb.Query().After("gorm:query").Register(after, s.rememberAbort),
		cb.Update().Before("gorm:update").Register(before, refuseAfterAbort),
		cb.Update().After("gorm:update").Register(after, s.rememberAbort),
		cb.Delete().Before("gorm:delete").Register(before, refuseAfterAbort),
		cb.Delete().After("gorm:delete").Register(after, s.rememberAbort),
		cb.Row().Before("gorm:row").Register(before, refuseAfterAbort),
		cb.Row().After("gorm:row").Register(after, s.rememberAbort),
		cb.Raw().Before("gorm:raw").Register(before, refuseAfterAbort),
		cb.Raw().After("gorm:raw").Register(after, s.rememberAbort),
	}
	if err := errors.Join(errs...); err != nil {
		panic(fmt.Sprintf("register the abort guard: %v", err)) // a programming error: fixed names
	}
}

func refuseAfterAbort(db *gorm.DB) {
	if err := abortedBefore(db.Statement.Context); err != nil {
		_ = db.AddError(err)
	}
}

func (s *Store) rememberAbort(db *gorm.DB) {
	if !errors.Is(db.Error, errAfterAbort) {
		s.noteAbort(db.Statement.Context, db.Error)
	}
}

// abortedBefore is the error of a statement of ctx's transaction once the
// transaction met an abort: nil while it has not.
func abortedBefore(ctx context.Context) error {
	if w, ok := ctx.Value(abortKey{}).(*abortWatch); ok && w.err != nil {
		return fmt.Errorf("%w (%w)", errAfterAbort, w.err)
	}
	return nil
}

// noteAbort remembers err as the abort of ctx's transaction when it is the
// first error that makes the transaction run again.
func (s *Store) noteAbort(ctx context.Context, err error) {
	if err == nil {
		return
	}
	if w, ok := ctx.Value(abortKey{}).(*abortWatch); ok && w.err == nil && s.dialect.retryable(err) {
		w.err = err
	}
}
