package gormstore

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parc-hq/parc/adapters/database"
	"github.com/parc-hq/parc/domain"
)

type probeRow struct {
	ID string `gorm:"primaryKey"`
}

func openProbeStore(t *testing.T) *Store {
	t.Helper()
	db, err := database.Open(database.Config{URL: "sqlite:" + filepath.Join(t.TempDir(), "tx.db")}, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	t.Cleanup(func() { _ = database.Close(db) })
	require.NoError(t, db.AutoMigrate(&probeRow{}))
	return New(db)
}

// An abort delivered to one statement (as a Galera node delivers a failed
// certification) ends the attempt: the transaction's later statements are
// refused rather than run in autocommit, it does not commit although fn
// ignored the error, and the whole of fn runs again.
func TestAbortedTransactionNeverGoesOnAndRunsAgainWhole(t *testing.T) {
	s := openProbeStore(t)
	ctx := context.Background()
	attempts := 0
	var refused error
	err := s.Within(ctx, func(ctx context.Context) error {
		attempts++
		if err := s.conn(ctx).Create(&probeRow{ID: "written-before-the-abort"}).Error; err != nil {
			return err
		}
		if attempts == 1 {
			// What rememberAbort records when a statement reports 1213.
			ctx.Value(abortKey{}).(*abortWatch).err = &mysql.MySQLError{Number: 1213, Message: "Deadlock found when trying to get lock"}
			refused = s.conn(ctx).Create(&probeRow{ID: "after-the-abort"}).Error
			return nil // ignores the refusal: Within must not commit anyway
		}
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, 2, attempts, "the whole transaction ran again")
	assert.ErrorIs(t, refused, errAfterAbort)
	var ids []string
	require.NoError(t, s.db.Model(&probeRow{}).Order("id").Pluck("id", &ids).Error)
	assert.Equal(t, []string{"written-before-the-abort"}, ids, "nothing of the aborted attempt, nothing after its abort")
}

func TestTransactionLosingEveryAttemptIsUnavailable(t *testing.T) {
	s := openProbeStore(t)
	attempts := 0
	err := s.Within(context.Background(), func(ctx context.Context) error {
		attempts++
		return &mysql.MySQLError{Number: 1213, SQLState: [5]byte{'4', '0', '0', '0', '1'}}
	})
	assert.Equal(t, maxTxAttempts, attempts)
	assert.ErrorIs(t, err, domain.ErrUnavailable)
	var myErr *mysql.MySQLError
	assert.True(t, errors.As(err, &myErr), "the cause stays wrapped")
}

func TestRetryableKnowsCertificationFailures(t *testing.T) {
	assert.True(t, dialectMySQL.retryable(&mysql.MySQLError{Number: 1213}))
	assert.True(t, dialectMySQL.retryable(&mysql.MySQLError{Number: 1205}))
	assert.True(t, dialectMySQL.retryable(&mysql.MySQLError{Number: 4000, SQLState: [5]byte{'4', '0', '0', '0', '1'}}))
	assert.False(t, dialectMySQL.retryable(&mysql.MySQLError{Number: 1062, SQLState: [5]byte{'2', '3', '0', '0', '0'}}))
	assert.True(t, dialectMySQL.unavailable(&mysql.MySQLError{Number: 1047}), "a Galera node outside the primary component")
}
