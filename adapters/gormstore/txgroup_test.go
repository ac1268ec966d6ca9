package gormstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// storedIDs lists the probe rows, sorted.
func storedIDs(t *testing.T, s *Store) []string {
	t.Helper()
	var ids []string
	require.NoError(t, s.db.Model(&probeRow{}).Order("id").Pluck("id", &ids).Error)
	return ids
}

// queueBehind runs first in a transaction of s and, while it waits, the
// others, so that they queue behind it and share the next transaction;
// it returns each call's error, first's at index 0.
func queueBehind(t *testing.T, s *Store, first func(ctx context.Context) error, others ...func(ctx context.Context) error) []error {
	t.Helper()
	errs := make([]error, 1+len(others))
	started, release := make(chan struct{}), make(chan struct{})
	var startOnce, releaseOnce sync.Once
	defer releaseOnce.Do(func() { close(release) }) // a failed assertion must not leave the transaction open
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		errs[0] = s.Within(context.Background(), func(ctx context.Context) error {
			startOnce.Do(func() { close(started) })
			<-release
			return first(ctx)
		})
	}()
	<-started
	for i, fn := range others {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if p := recover(); p != nil {
					errs[i+1] = fmt.Errorf("panic: %v", p)
				}
			}()
			errs[i+1] = s.Within(context.Background(), fn)
		}()
	}
	require.Eventually(t, func() bool {
		s.group.mu.Lock()
		defer s.group.mu.Unlock()
		return len(s.group.queue) == len(others)
	}, 5*time.Second, time.Millisecond, "the other transactions queue")
	releaseOnce.Do(func() { close(release) })
	wg.Wait()
	return errs
}

func insertProbe(s *Store, id string) func(ctx context.Context) error {
	return func(ctx context.Context) error { return s.conn(ctx).Create(&probeRow{ID: id}).Error }
}

// Transactions that queue share one: each sees the work of those before
// it, and a failing one, or one that panics, undoes only its own.
func TestSQLiteQueuedTransactionsShareOneAndFailAlone(t *testing.T) {
	s := openProbeStore(t)
	boom := errors.New("boom")
	var seen int64
	errs := queueBehind(t, s, insertProbe(s, "a"),
		func(ctx context.Context) error {
			if err := insertProbe(s, "b")(ctx); err != nil {
				return err
			}
			return boom
		},
		func(ctx context.Context) error {
			_ = insertProbe(s, "c")(ctx)
			panic("c panics")
		},
		func(ctx context.Context) error {
			if err := s.conn(ctx).Model(&probeRow{}).Count(&seen).Error; err != nil {
				return err
			}
			return insertProbe(s, "d")(ctx)
		},
		insertProbe(s, "a"), // a duplicate of the first
	)
	require.NoError(t, errs[0])
	assert.ErrorIs(t, errs[1], boom)
	assert.ErrorContains(t, errs[2], "c panics")
	require.NoError(t, errs[3])
	assert.Error(t, errs[4], "the duplicate key is its own error")
	assert.Equal(t, []string{"a", "d"}, storedIDs(t, s))
	// Queued in goroutine order, which is not fixed: d saw a, and b and c
	// only when they ran before it, all in one transaction.
	assert.GreaterOrEqual(t, seen, int64(1), "d saw a's row before a committed: one transaction")
}

// A transaction that SQLite rolled back whole (here, by a statement that
// ends it) loses the work of those that shared it: they run again, and
// only the one that failed reports an error.
func TestSQLiteSharedTransactionLostRunsTheOthersAgain(t *testing.T) {
	s := openProbeStore(t)
	var runs sync.Map
	counted := func(id string) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			n, _ := runs.LoadOrStore(id, new(int))
			*n.(*int)++
			return insertProbe(s, id)(ctx)
		}
	}
	errs := queueBehind(t, s, counted("a"),
		func(ctx context.Context) error { return s.conn(ctx).Exec("ROLLBACK").Error },
	)
	require.NoError(t, errs[0])
	require.Error(t, errs[1])
	assert.Equal(t, []string{"a"}, storedIDs(t, s))
	n, _ := runs.Load("a")
	assert.Equal(t, 2, *n.(*int), "a ran again after the shared transaction was lost")
}

// A caller that gives up while it waits leaves the queue, and the others
// are not held up.
func TestSQLiteQueuedTransactionLeavesWhenItsContextEnds(t *testing.T) {
	s := openProbeStore(t)
	started, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.Within(context.Background(), func(ctx context.Context) error {
			close(started)
			<-release
			return insertProbe(s, "a")(ctx)
		})
	}()
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := s.Within(ctx, insertProbe(s, "never"))
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	close(release)
	require.NoError(t, <-done)
	assert.Equal(t, []string{"a"}, storedIDs(t, s))
}

// A transaction rolled back under a caller that ignored the error is not
// reported as committed, even when the caller had it alone.
func TestSQLiteTransactionEndedUnderItsCallerIsAnError(t *testing.T) {
	s := openProbeStore(t)
	err := s.Within(context.Background(), func(ctx context.Context) error {
		if err := insertProbe(s, "a")(ctx); err != nil {
			return err
		}
		_ = s.conn(ctx).Exec("ROLLBACK").Error
		return nil
	})
	require.Error(t, err)
	assert.Empty(t, storedIDs(t, s))
	require.NoError(t, s.Within(context.Background(), insertProbe(s, "b")), "the next transaction runs")
	assert.Equal(t, []string{"b"}, storedIDs(t, s))
}
