package gormstore

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"gorm.io/gorm"
)

// On SQLite a process's transactions run one at a time: SQLite has one
// write lock, which a transaction takes at BEGIN (IMMEDIATE). A one-row
// write spent more of its turn in BEGIN and COMMIT than in its statements
// (about 124 of 176 µs, measured with one client), so the transactions that
// queue meanwhile now share one. A driver goroutine begins a transaction
// and gives it to each waiting caller in turn, in arrival order; each runs
// inside a savepoint of its own, released when it succeeds and rolled back
// when it fails, so that a caller's failure undoes its own work only. The
// transaction commits once the queue is empty or holds maxGroup callers,
// and a caller whose work it holds returns only with the commit's outcome:
// nobody hears of a success before it is committed.
//
// SQLite rolls back a whole transaction on some errors (an interrupted
// write, a full disk, an I/O error). A savepoint that can then be neither
// released nor rolled back tells it: the callers whose work was lost with
// it, through no failure of their own, get errGroupLost and run again.

const maxGroup = 32

// errGroupLost is the outcome of a caller whose work was kept in a shared
// transaction that another caller's failure rolled back: it runs again.
var errGroupLost = errors.New("the shared transaction was rolled back by another caller's failure")

// txGroup queues the transactions of one SQLite store.
type txGroup struct {
	db      *gorm.DB
	mu      sync.Mutex
	queue   []*groupMember
	driving bool
}

// groupMember is one caller's transaction function, waiting for its turn.
type groupMember struct {
	ctx    context.Context
	fn     func(ctx context.Context) error
	turn   chan groupTurn
	ran    chan memberOutcome
	result chan error
}

// groupTurn gives a member the shared transaction, or the error that kept
// it from beginning.
type groupTurn struct {
	tx  *gorm.DB
	err error
}

// memberOutcome is what a member's turn did: err is nil when its work was
// kept; lost says that the shared transaction is gone.
type memberOutcome struct {
	err  error
	lost bool
}

// within runs fn in the shared transaction and returns its outcome: fn's
// error, or once fn succeeded, the commit's.
func (g *txGroup) within(ctx context.Context, fn func(ctx context.Context) error) error {
	m := &groupMember{ctx: ctx, fn: fn, turn: make(chan groupTurn, 1), ran: make(chan memberOutcome, 1), result: make(chan error, 1)}
	g.mu.Lock()
	g.queue = append(g.queue, m)
	if !g.driving {
		g.driving = true
		go g.drive()
	}
	g.mu.Unlock()
	var turn groupTurn
	select {
	case turn = <-m.turn:
	case <-ctx.Done():
		if g.withdraw(m) {
			return ctx.Err()
		}
		turn = <-m.turn
	}
	if turn.err != nil {
		return turn.err
	}
	if err := ctx.Err(); err != nil {
		m.ran <- memberOutcome{err: err}
		return err
	}
	out, panicked := runMember(ctx, turn.tx, fn)
	m.ran <- out
	if panicked != nil {
		panic(panicked)
	}
	if out.err != nil {
		return out.err
	}
	return <-m.result
}

// withdraw takes m out of the queue; false when the driver took it first.
func (g *txGroup) withdraw(m *groupMember) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	for i, q := range g.queue {
		if q == m {
			g.queue = append(g.queue[:i], g.queue[i+1:]...)
			return true
		}
	}
	return false
}

// pop takes the next member from the queue, nil when it is empty; the
// driver stops when done is set and nobody waits.
func (g *txGroup) pop(done bool) *groupMember {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.queue) == 0 {
		if done {
			g.driving = false
		}
		return nil
	}
	m := g.queue[0]
	g.queue = g.queue[1:]
	return m
}

// drive runs shared transactions while callers wait.
func (g *txGroup) drive() {
	for first := g.pop(true); first != nil; first = g.pop(true) {
		g.share(first)
	}
}

// share runs first and the members that queue meanwhile in one
// transaction, then tells those whose work it kept how the commit went.
func (g *txGroup) share(first *groupMember) {
	var kept []*groupMember
	begun := false
	err := g.db.Transaction(func(tx *gorm.DB) error {
		begun = true
		for m, n := first, 1; m != nil; m, n = g.pop(false), n+1 {
			m.turn <- groupTurn{tx: tx}
			out := <-m.ran
			if out.lost {
				for _, k := range kept {
					k.result <- errGroupLost
				}
				kept = nil
				return out.err
			}
			if out.err == nil {
				kept = append(kept, m)
			}
			if n == maxGroup {
				break
			}
		}
		return nil
	})
	if !begun {
		first.turn <- groupTurn{err: err}
		return
	}
	for _, m := range kept {
		m.result <- err
	}
}

// memberSavepoint names the savepoint of the member whose turn it is.
const memberSavepoint = "parc_member"

// runMember runs fn in the shared transaction tx, inside a savepoint, even
// the first member's: a savepoint SQLite no longer knows at the end tells
// that the transaction was rolled back under it (a statement's error that
// fn ignored). A savepoint costs a large batch nothing measurable (28 MB
// RelationalDataSet on SQLite, test/attack, within run-to-run noise). A
// panic of fn is returned, to be raised again on the member's goroutine
// once the driver knows the member's outcome.
func runMember(ctx context.Context, tx *gorm.DB, fn func(ctx context.Context) error) (out memberOutcome, panicked any) {
	if err := tx.Exec("SAVEPOINT " + memberSavepoint).Error; err != nil {
		return memberOutcome{err: fmt.Errorf("begin savepoint: %w", err), lost: true}, nil
	}
	watch := &abortWatch{}
	defer func() {
		if p := recover(); p != nil {
			panicked = p
			out.err = fmt.Errorf("transaction function panicked: %v", p)
		}
		if out.err == nil && watch.err != nil {
			out.err = watch.err
		}
		out = endSavepoint(tx, out.err)
	}()
	// The member's statements carry its context (its abort guard, its
	// deadline), as those of a transaction of its own would.
	ctx = context.WithValue(ctx, abortKey{}, watch)
	err := fn(context.WithValue(ctx, txKey{}, tx.WithContext(ctx)))
	return memberOutcome{err: err}, nil
}

// endSavepoint releases the member's savepoint when it succeeded, or rolls
// its work back. A savepoint SQLite no longer knows means that the whole
// transaction was rolled back: the outcome is lost.
func endSavepoint(tx *gorm.DB, err error) memberOutcome {
	if err == nil {
		if rerr := tx.Exec("RELEASE " + memberSavepoint).Error; rerr != nil {
			return memberOutcome{err: fmt.Errorf("release savepoint: %w", rerr), lost: true}
		}
		return memberOutcome{}
	}
	if rerr := tx.Exec("ROLLBACK TO " + memberSavepoint).Error; rerr != nil {
		return memberOutcome{err: errors.Join(err, fmt.Errorf("roll back savepoint: %w", rerr)), lost: true}
	}
	if rerr := tx.Exec("RELEASE " + memberSavepoint).Error; rerr != nil {
		return memberOutcome{err: errors.Join(err, fmt.Errorf("release savepoint: %w", rerr)), lost: true}
	}
	return memberOutcome{err: err}
}
