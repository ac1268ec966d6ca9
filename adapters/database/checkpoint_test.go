package database

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"
)

// Commits leave the write-ahead log to the checkpointer: no commit copies
// it into the database file itself, and the checkpointer does shortly
// after, then stops once the writes stop.
func TestSQLiteCheckpointsRunBesideTheWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wal.db")
	db, err := Open(Config{URL: "sqlite:" + path}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	t.Cleanup(func() { _ = Close(db) })

	var autocheckpoint int
	require.NoError(t, db.Raw("PRAGMA wal_autocheckpoint").Scan(&autocheckpoint).Error)
	assert.Zero(t, autocheckpoint, "no commit checkpoints the log")

	require.NoError(t, db.Exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)").Error)
	size := func() int64 {
		info, err := os.Stat(path)
		require.NoError(t, err)
		return info.Size()
	}
	before := size()
	value := strings.Repeat("x", 4000)
	const rows = 300
	for i := range rows {
		require.NoError(t, db.Transaction(func(tx *gorm.DB) error {
			return tx.Exec("INSERT INTO t (k, v) VALUES (?, ?)", i, value).Error
		}))
	}
	assert.Eventually(t, func() bool { return size() >= before+rows*4000 },
		5*time.Second, 10*time.Millisecond, "the checkpointer copied the log into the database file")

	checkpoints := db.ConnPool.(*stmtCache).checkpoints
	assert.Eventually(t, func() bool {
		checkpoints.mu.Lock()
		defer checkpoints.mu.Unlock()
		return !checkpoints.running
	}, checkpointIdle+2*time.Second, 10*time.Millisecond, "the checkpointer stops once the writes stop")
}

// Close waits for the work done beside the callers: once it returns, no
// checkpoint or preparation is left to open a connection, SQLite has
// removed its files beside the database, and the directory can go.
func TestSQLiteCloseLeavesNothingRunning(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(Config{URL: "sqlite:" + filepath.Join(dir, "close.db")}, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	require.NoError(t, db.Exec("CREATE TABLE t (k INTEGER PRIMARY KEY)").Error)
	// A text new to the cache, run in a transaction, is prepared apart;
	// the commit wakes the checkpointer.
	require.NoError(t, db.Transaction(func(tx *gorm.DB) error {
		return tx.Exec("INSERT INTO t (k) VALUES (?)", 1).Error
	}))
	cache := db.ConnPool.(*stmtCache)

	require.NoError(t, Close(db))

	cache.mu.RLock()
	assert.Empty(t, cache.preparing, "no preparation left")
	cache.mu.RUnlock()
	cache.checkpoints.mu.Lock()
	assert.False(t, cache.checkpoints.running, "no checkpointer left")
	cache.checkpoints.mu.Unlock()
	cache.checkpoints.committed()
	cache.checkpoints.mu.Lock()
	assert.False(t, cache.checkpoints.running, "a commit after Close starts none")
	cache.checkpoints.mu.Unlock()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.Equal(t, []string{"close.db"}, names, "the last connection closed: no log or shared memory left")
}
