package gormstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/parc-hq/parc/ports"
)

// datasetWriteRow announces a data-set write in flight on MySQL and
// MariaDB (see ports.DataSetRepository.AnnounceWrite): committed before the write's
// transaction begins, deleted by that transaction's commit. Changed-since
// readers of the scope keep to rows dated before the oldest one, so a row
// that took an earlier srvDateUTC but commits after the read is never
// skipped. Writers of one entity need no lock of the entity between them:
// this is an insert each, which Galera certifies like any write.
type datasetWriteRow struct {
	ID        string    `gorm:"primaryKey;size:32"`
	ProjectID string    `gorm:"size:36;not null;index:ix_dataset_writes_scope,priority:1"`
	CompanyID string    `gorm:"size:36;not null;index:ix_dataset_writes_scope,priority:2"`
	At        time.Time `gorm:"not null;precision:6;index:ix_dataset_writes_scope,priority:3"`
}

func (datasetWriteRow) TableName() string { return "dataset_writes" }

// abandonedWriteAge is how old an announcement may be before readers ignore
// it: one left by a process that died mid-write would otherwise hold back
// the scope's changed-since readers for ever. No write transaction lasts
// this long (request deadlines are far shorter).
const abandonedWriteAge = 5 * time.Minute

// announces reports whether writes are announced in the dataset_writes
// table. SQLite runs one write transaction at a time, each taking its dates
// under the write lock, so its rows commit in the order of their dates
// already. PostgreSQL writers hold their announcement as advisory locks of
// their transaction instead (see HoldWrite).
func (r *DataSetRepository) announces() bool { return r.s.dialect == dialectMySQL }

func (r *DataSetRepository) AnnounceWrite(ctx context.Context, scope ports.DataScope, at time.Time) (ports.DataWrite, error) {
	w := ports.DataWrite{Scope: scope, At: at.UTC()}
	if !r.announces() {
		return w, nil
	}
	if inTx(ctx) {
		return w, fmt.Errorf("announce write: called inside a transaction, where readers would not see it")
	}
	w.ID = rand.Text()
	if _, err := r.s.rawExec(ctx, "INSERT INTO dataset_writes (id, project_id, company_id, at) VALUES (?, ?, ?, ?)", w.ID, scope.ProjectID, scope.CompanyID, w.At); err != nil {
		return w, fmt.Errorf("announce write: %w", r.s.translate(err))
	}
	return w, nil
}

// On PostgreSQL a write holds two shared advisory locks for its
// transaction: (writeLockClass, the scope's hash) names the scope, and one
// 64-bit lock holds DataWrite.At in microseconds. Readers find both in
// pg_locks, paired by the backend that holds them. Nothing is written,
// nothing is left to delete, and a process that dies mid-write takes its
// announcement with it; shared locks never wait for each other.
const writeLockClass = 0x50415243 // "PARC"

func scopeHash(scope ports.DataScope) int32 {
	h := fnv.New32a()
	h.Write([]byte(scope.ProjectID))
	h.Write([]byte{0})
	h.Write([]byte(scope.CompanyID))
	return int32(h.Sum32())
}

func (r *DataSetRepository) HoldWrite(ctx context.Context, w ports.DataWrite) error {
	if r.s.dialect != dialectPostgres {
		return nil
	}
	if !inTx(ctx) {
		return fmt.Errorf("hold write: called outside a transaction")
	}
	_, err := r.s.rawExec(ctx, "SELECT pg_advisory_xact_lock_shared(?, ?), pg_advisory_xact_lock_shared(?)",
		int32(writeLockClass), scopeHash(w.Scope), w.At.UnixMicro())
	if err != nil {
		return fmt.Errorf("hold write: %w", r.s.translate(err))
	}
	return nil
}

// heldWritesSQL is the oldest DataWrite.At held by the writes in flight of
// one scope (see HoldWrite).
const heldWritesSQL = `SELECT min((d.classid::bigint << 32) | d.objid::bigint) FROM pg_locks s
	JOIN pg_locks d ON d.pid = s.pid AND d.locktype = 'advisory' AND d.objsubid = 1
	WHERE s.locktype = 'advisory' AND s.objsubid = 2 AND s.classid::bigint = ? AND s.objid::bigint = ?
	AND s.database = (SELECT oid FROM pg_database WHERE datname = current_database())`

func (r *DataSetRepository) heldBefore(ctx context.Context, scope ports.DataScope, now time.Time) (time.Time, error) {
	var oldest sql.NullInt64
	err := r.s.conn(ctx).Raw(heldWritesSQL, int64(writeLockClass), int64(uint32(scopeHash(scope)))).Row().Scan(&oldest)
	if err != nil {
		return time.Time{}, fmt.Errorf("read writes in flight: %w", r.s.translate(err))
	}
	if at := time.UnixMicro(oldest.Int64).UTC(); oldest.Valid && at.Before(now) {
		return at, nil
	}
	return now, nil
}

func (r *DataSetRepository) EndWrite(ctx context.Context, w ports.DataWrite) error {
	if w.ID == "" {
		return nil
	}
	if !inTx(ctx) {
		return fmt.Errorf("end write: called outside a transaction")
	}
	return r.withdraw(ctx, w)
}

func (r *DataSetRepository) AbandonWrite(ctx context.Context, w ports.DataWrite) error {
	if w.ID == "" {
		return nil
	}
	return r.withdraw(ctx, w)
}

func (r *DataSetRepository) withdraw(ctx context.Context, w ports.DataWrite) error {
	if _, err := r.s.rawExec(ctx, "DELETE FROM dataset_writes WHERE id = ?", w.ID); err != nil {
		return fmt.Errorf("withdraw write announcement: %w", r.s.translate(err))
	}
	return nil
}

func (r *DataSetRepository) SettledBefore(ctx context.Context, scope ports.DataScope, now time.Time) (time.Time, error) {
	now = now.UTC()
	switch r.s.dialect {
	case dialectSQLite:
		return time.Time{}, nil
	case dialectPostgres:
		return r.heldBefore(ctx, scope, now)
	}
	var oldest []time.Time
	err := r.s.conn(ctx).Raw("SELECT at FROM dataset_writes WHERE project_id = ? AND company_id = ? AND at > ? ORDER BY at LIMIT 1",
		scope.ProjectID, scope.CompanyID, now.Add(-abandonedWriteAge)).Scan(&oldest).Error
	if err != nil {
		return time.Time{}, fmt.Errorf("read writes in flight: %w", r.s.translate(err))
	}
	if len(oldest) == 1 && oldest[0].Before(now) {
		return oldest[0].UTC(), nil
	}
	return now, nil
}
