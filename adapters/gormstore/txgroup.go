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
// and gives it to each waiting caller in turn, in arrival order, then
// commits once the queue is empty or maxGroup callers ran. A caller whose
// work the transaction holds returns only with the commit's outcome:
// nobody hears of a success before it is committed.
//
// A caller that fails rolls the shared transaction back: it gets its own
// error, and the callers that ran before it in the transaction, whose work
// was lost through no failure of theirs, get errGroupLost and run again.
// Failures are rare next to successes, and savepoints, which would undo
// one caller's work alone, made a large write 2.6 times slower: SQLite
// copies every stored page a savepoint's work changes into its statement
// journal (BenchmarkInventoryPushVersus on SQLite, first load).
//
// SQLite also rolls a transaction back by itself on some errors (an
// interrupted write, a full disk, an I/O error): a caller that ignored such
// an error would leave the next callers' statements to run outside any
// transaction, and be told of a commit that did not hold its work. After
// each caller's turn the driver checks that the transaction is still open
// (BEGIN must fail there); when it is not, that caller gets an error and
// those before it run again.

const maxGroup = 32

// errGroupLost is the outcome of a caller whose work was kept in a shared
// transaction that was then rolled back: it runs again.
var errGroupLost = errors.New("the shared transaction was rolled back by another caller's failure")

// txGroup queues the transactions of one SQLite store.
type txGroup struct {
	db      *gorm.DB
	mu      sync.Mutex
	queue   []*groupMember
	driving bool
}

// groupMember is a caller waiting for its turn in a shared transaction.
type groupMember struct {
	turn   chan groupTurn
	ran    chan error // the outcome of the member's turn (nil: its work is kept)
	result chan error // the commit's outcome, for a member whose work was kept
}

// groupTurn gives a member the shared transaction, or the error that kept
// it from beginning.
type groupTurn struct {
	tx  *gorm.DB
	err error
}

// within runs fn in the shared transaction and returns its outcome: fn's
// error, or once fn succeeded, the commit's.
func (g *txGroup) within(ctx context.Context, fn func(ctx context.Context) error) error {
	m := &groupMember{turn: make(chan groupTurn, 1), ran: make(chan error, 1), result: make(chan error, 1)}
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
		m.ran <- err
		return err
	}
	panicked, err := runMember(ctx, turn.tx, fn)
	m.ran <- err
	if panicked != nil {
		panic(panicked)
	}
	if err != nil {
		return err
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
			if err := <-m.ran; err != nil {
				kept = lose(kept)
				return err
			}
			if _, err := tx.Statement.ConnPool.ExecContext(context.Background(), "BEGIN"); err == nil {
				// BEGIN opened a transaction: SQLite ended the shared one
				// during m's turn.
				m.result <- errTxGone
				kept = lose(kept)
				return errTxGone
			}
			kept = append(kept, m)
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

// errTxGone rolls back a shared transaction that SQLite already ended.
var errTxGone = errors.New("the shared transaction was rolled back under a caller that ignored the error")

// lose gives errGroupLost to the members whose work a rollback undoes; none
// is kept any more.
func lose(kept []*groupMember) []*groupMember {
	for _, k := range kept {
		k.result <- errGroupLost
	}
	return nil
}

// runMember runs fn in the shared transaction tx. A panic of fn is
// returned, to be raised again on the member's goroutine once the driver
// knows the member's outcome.
func runMember(ctx context.Context, tx *gorm.DB, fn func(ctx context.Context) error) (panicked any, err error) {
	defer func() {
		if p := recover(); p != nil {
			panicked = p
			err = fmt.Errorf("transaction function panicked: %v", p)
		}
	}()
	// The member's statements carry its context (its abort guard, its
	// deadline), as those of a transaction of its own would.
	watch := &abortWatch{}
	ctx = context.WithValue(ctx, abortKey{}, watch)
	return nil, runWatched(ctx, tx.WithContext(ctx), watch, fn)
}
