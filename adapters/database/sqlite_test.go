package database

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"
)

// endless never finishes: only an interruption ends it.
const endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) "

// A statement that outlives its context stops with the context's error, and
// its connection stays in the pool, usable: closing it, which frees its page
// cache, would delay the answer and leave the next request a cold cache.
func TestSQLiteStatementStopsWhenItsContextEnds(t *testing.T) {
	var logs bytes.Buffer
	db := openWithRow(t, &logs, 0)
	sqlDB, err := db.DB()
	require.NoError(t, err)
	sqlDB.SetMaxOpenConns(1)
	// A temporary table lives as long as the connection that made it.
	require.NoError(t, db.Exec("CREATE TEMP TABLE connection_mark (x INTEGER)").Error)
	for _, c := range []struct {
		name string
		run  func(db *gorm.DB) error
	}{
		{"read", func(db *gorm.DB) error {
			var n int64
			return db.Raw(endless + "SELECT count(*) FROM c").Scan(&n).Error
		}},
		{"write", func(db *gorm.DB) error {
			return db.Exec(endless + "INSERT INTO items (code, name) SELECT 'C' || x, 'n' FROM c").Error
		}},
		{"write in a transaction", func(db *gorm.DB) error {
			return db.Transaction(func(tx *gorm.DB) error {
				require.NoError(t, tx.Create(&item{Code: "TX", Name: "rolled back"}).Error)
				return tx.Exec(endless + "INSERT INTO items (code, name) SELECT 'C' || x, 'n' FROM c").Error
			})
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			defer cancel()
			err := c.run(db.WithContext(ctx))
			require.ErrorIs(t, err, context.DeadlineExceeded)
			var codes []string
			require.NoError(t, db.Model(&item{}).Order("code").Pluck("code", &codes).Error, "the connection works")
			assert.Equal(t, []string{"ACME"}, codes, "nothing of an interrupted write is kept")
			assert.NoError(t, db.Exec("SELECT count(*) FROM connection_mark").Error, "the interrupted connection was kept")
		})
	}
}

// BenchmarkSQLiteCancel reports how long a statement runs on once its
// context has ended (median µs past the deadline).
func BenchmarkSQLiteCancel(b *testing.B) {
	var logs bytes.Buffer
	db := openWithRow(b, &logs, 0)
	var past []time.Duration
	for b.Loop() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		var n int64
		err := db.WithContext(ctx).Raw(endless + "SELECT count(*) FROM c").Scan(&n).Error
		deadline, _ := ctx.Deadline()
		past = append(past, time.Since(deadline))
		cancel()
		if err == nil {
			b.Fatal("the statement was not stopped")
		}
	}
	slices.Sort(past)
	b.ReportMetric(float64(past[len(past)/2].Microseconds()), "µs-past-deadline")
}
