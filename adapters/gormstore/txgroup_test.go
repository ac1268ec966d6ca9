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

// Transactions that queue share one: a later one sees the work of an
// earlier one before it is committed.
func TestSQLiteQueuedTransactionsShareOne(t *testing.T) {
	s := openProbeStore(t)
	var seen int64
	errs := queueBehind(t, s, insertProbe(s, "a"), func(ctx context.Context) error {
		if err := s.conn(ctx).Model(&probeRow{}).Count(&seen).Error; err != nil {
			return err
		}
		return insertProbe(s, "b")(ctx)
	})
	require.NoError(t, errors.Join(errs...))
	assert.Equal(t, int64(1), seen, "b saw a's row before a committed: one transaction")
	assert.Equal(t, []string{"a", "b"}, storedIDs(t, s))
}

// A caller that fails, or panics, gets its own error; the others' work is
// stored, those whose work its rollback undid having run again.
func TestSQLiteSharedTransactionFailsAlone(t *testing.T) {
	s := openProbeStore(t)
	boom := errors.New("boom")
	var runs sync.Map
	counted := func(id string) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			n, _ := runs.LoadOrStore(id, new(int))
			*n.(*int)++
			return insertProbe(s, id)(ctx)
		}
	}
	errs := queueBehind(t, s, counted("a"),
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
		counted("d"),
	)
	require.NoError(t, errs[0])
	assert.ErrorIs(t, errs[1], boom)
	assert.ErrorContains(t, errs[2], "c panics")
	require.NoError(t, errs[3])
	assert.Equal(t, []string{"a", "d"}, storedIDs(t, s))
	n, _ := runs.Load("a")
	assert.Greater(t, *n.(*int), 1, "a ran again after a failure rolled back the transaction it shared")
}

// A transaction that SQLite ended under a caller who ignored the error (here,
// by a statement that ends it) is that caller's error; the work of those
// before it runs again.
func TestSQLiteSharedTransactionEndedUnderACaller(t *testing.T) {
	s := openProbeStore(t)
	errs := queueBehind(t, s, insertProbe(s, "a"),
		func(ctx context.Context) error {
			_ = insertProbe(s, "b")(ctx)
			return s.conn(ctx).Exec("ROLLBACK").Error
		},
		insertProbe(s, "c"),
	)
	require.NoError(t, errs[0])
	assert.ErrorIs(t, errs[1], errTxGone)
	require.NoError(t, errs[2])
	assert.Equal(t, []string{"a", "c"}, storedIDs(t, s))
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
		return s.conn(ctx).Exec("ROLLBACK").Error
	})
	require.ErrorIs(t, err, errTxGone)
	assert.Empty(t, storedIDs(t, s))
	require.NoError(t, s.Within(context.Background(), insertProbe(s, "b")), "the next transaction runs")
	assert.Equal(t, []string{"b"}, storedIDs(t, s))
}
