package gormstore

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/parc-hq/parc/ports"
)

// datasetWriteRow announces a data-set write in flight (see
// ports.DataSetRepository.AnnounceWrite): committed before the write's
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

// announces reports whether writes must be announced: SQLite runs one
// write transaction at a time, each taking its dates under the write lock,
// so its rows commit in the order of their dates already.
func (r *DataSetRepository) announces() bool { return r.s.dialect != dialectSQLite }

func (r *DataSetRepository) AnnounceWrite(ctx context.Context, scope ports.DataScope, at time.Time) (ports.DataWrite, error) {
	w := ports.DataWrite{Scope: scope, At: at.UTC()}
	if !r.announces() {
		return w, nil
	}
	if inTx(ctx) {
		return w, fmt.Errorf("announce write: called inside a transaction, where readers would not see it")
	}
	w.ID = rand.Text()
	// The announcement is worth nothing once its write is over, so its
	// commit need not wait for the disk on PostgreSQL (it is visible to
	// readers at once all the same); the write's own commit flushes it.
	sql := "INSERT INTO dataset_writes (id, project_id, company_id, at) VALUES (?, ?, ?, ?)"
	if r.s.dialect == dialectPostgres {
		sql = "INSERT INTO dataset_writes (id, project_id, company_id, at) SELECT ?, ?, ?, ? WHERE set_config('synchronous_commit', 'off', true) IS NOT NULL"
	}
	if err := r.s.conn(ctx).Exec(sql, w.ID, scope.ProjectID, scope.CompanyID, w.At).Error; err != nil {
		return w, fmt.Errorf("announce write: %w", r.s.translate(err))
	}
	return w, nil
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
	if err := r.s.conn(ctx).Exec("DELETE FROM dataset_writes WHERE id = ?", w.ID).Error; err != nil {
		return fmt.Errorf("withdraw write announcement: %w", r.s.translate(err))
	}
	return nil
}

func (r *DataSetRepository) SettledBefore(ctx context.Context, scope ports.DataScope, now time.Time) (time.Time, error) {
	if !r.announces() {
		return time.Time{}, nil
	}
	now = now.UTC()
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
