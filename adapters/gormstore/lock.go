package gormstore

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"
)

// writeLock locks the rows (each row that guards a read-modify-write has a
// lock_count column) of table matching where until the transaction of
// ctx ends, by writing them: it adds one to their lock_count. It returns how
// many rows it locked.
//
// A write rather than SELECT … FOR UPDATE: on one server both make the next
// writer wait, but an engine that certifies write sets at commit (a Galera
// cluster, where each node runs its transactions optimistically) sees only
// rows that were written. Two Parc nodes taking the same guard through two
// database nodes then conflict, and the loser runs again after the winner
// committed, as it would have waited on one server. On SQLite the write is
// one more statement of a transaction that already holds the database's
// write lock.
func (s *Store) writeLock(ctx context.Context, table, where string, args ...any) (int64, error) {
	if !inTx(ctx) {
		return 0, fmt.Errorf("lock %s: called outside a transaction", table)
	}
	res := s.conn(ctx).Table(table).Where(where, args...).UpdateColumn("lock_count", gorm.Expr("lock_count + 1"))
	if res.Error != nil {
		return 0, s.translate(res.Error)
	}
	return res.RowsAffected, nil
}

// errStaleRead is a conditional write that found its row changed since the
// transaction read it: the transaction runs again (dialect.retryable), reading
// the row as it is now.
var errStaleRead = errors.New("a row changed between its read and its conditional write")
