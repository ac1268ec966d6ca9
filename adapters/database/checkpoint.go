package database

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// SQLite in WAL mode appends each commit to the write-ahead log and copies
// the log back into the database file now and then: a checkpoint. By
// default the commit that takes the log past 1,000 pages runs that
// checkpoint itself, before its COMMIT returns, syncing both files; 6 to
// 16 ms were measured under load. Parc's writers queue for SQLite's one
// write lock (see gormstore.Store), so every writer behind that commit
// waited too, a stall every few hundred one-row writes.
//
// The connections are opened with wal_autocheckpoint(0), and checkpoints
// run here, on a connection of the pool, beside the writers: a PASSIVE
// checkpoint waits for no reader and no writer. A commit wakes the
// checkpointer; it lets commits gather for checkpointEvery, checkpoints,
// and stops when no commit came for checkpointIdle. A closing database
// checkpoints the log once more (SQLite does when its last connection
// closes), and a checkpoint that fails leaves the log to the next one.
// Close stops the checkpointer and waits for it before the pool closes, so
// that no checkpoint opens a connection, and the files SQLite keeps beside
// the database, once the database is closed.

const (
	checkpointEvery = 100 * time.Millisecond
	checkpointIdle  = time.Second
)

// walCheckpointer runs the checkpoints of one SQLite database.
type walCheckpointer struct {
	db      *sql.DB
	stop    chan struct{} // closed by close
	loop    sync.WaitGroup
	mu      sync.Mutex
	running bool
	pending bool // a commit came since the last checkpoint began
	stopped bool
}

func newWALCheckpointer(db *sql.DB) *walCheckpointer {
	return &walCheckpointer{db: db, stop: make(chan struct{})}
}

// committed tells the checkpointer that a write transaction committed.
func (c *walCheckpointer) committed() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pending = true
	if !c.running && !c.stopped {
		c.running = true
		c.loop.Add(1)
		go c.run()
	}
}

// close stops the checkpointer for good and waits for its loop to end.
func (c *walCheckpointer) close() {
	c.mu.Lock()
	if !c.stopped {
		c.stopped = true
		close(c.stop)
	}
	c.mu.Unlock()
	c.loop.Wait()
}

func (c *walCheckpointer) run() {
	defer c.loop.Done()
	tick := time.NewTicker(checkpointEvery)
	defer tick.Stop()
	idleSince := time.Now()
	for {
		select {
		case <-c.stop:
			c.mu.Lock()
			c.running = false
			c.mu.Unlock()
			return
		case <-tick.C:
		}
		c.mu.Lock()
		pending := c.pending
		c.pending = false
		if !pending && time.Since(idleSince) >= checkpointIdle {
			c.running = false
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		if !pending {
			continue
		}
		idleSince = time.Now()
		_, _ = c.db.ExecContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)")
	}
}
