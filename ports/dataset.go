package ports

import (
	"context"
	"errors"
	"time"

	"github.com/parc-hq/parc/domain/dataset"
)

// DataScope is where data-set rows live: one project, one company of it.
// Rows of another scope are never seen.
type DataScope struct {
	ProjectID string
	CompanyID string
}

// DataSetRepository stores data-set rows. Keys and rows are handled in
// batches: implementations read and write them with one statement per
// chunk, never one per row. Rows are returned live and deleted alike unless
// a query says otherwise.
type DataSetRepository interface {
	// AnnounceWrite makes a write of the scope known to changed-since readers
	// (see SettledBefore) before its transaction begins: call it outside
	// Transactor.Within, with the current time, then HoldWrite first thing
	// inside the write's transaction. Every srvDateUTC the write gives must
	// be taken after HoldWrite returns, and not before DataWrite.At. End it
	// with EndWrite inside the write's transaction, or with AbandonWrite
	// when that transaction fails.
	AnnounceWrite(ctx context.Context, scope DataScope, at time.Time) (DataWrite, error)
	// HoldWrite completes the announcement inside the write's transaction,
	// for the backends whose announcement lasts as long as the transaction
	// that holds it (and so cannot outlive a process that died mid-write).
	HoldWrite(ctx context.Context, w DataWrite) error
	// EndWrite withdraws the announcement when the transaction of ctx commits.
	EndWrite(ctx context.Context, w DataWrite) error
	// AbandonWrite withdraws the announcement of a write that did not commit.
	AbandonWrite(ctx context.Context, w DataWrite) error
	// SettledBefore is the time before which every write of the scope is
	// committed, as seen at now (taken before the call): no write still in
	// flight, and none to come, gives a srvDateUTC before it. A reader of the
	// rows changed since a date that keeps to rows before it misses none of
	// them, whatever order concurrent writers commit in. The zero time means
	// no bound (the backend serialises its writers).
	SettledBefore(ctx context.Context, scope DataScope, now time.Time) (time.Time, error)
	// LockRows returns the stored rows of the keys (live and deleted) and
	// locks them until the transaction of ctx ends, so that writers of one
	// row run one after the other while writers of other rows go on. Call
	// it inside Transactor.Within.
	LockRows(ctx context.Context, scope DataScope, keys []dataset.RowKey) ([]dataset.Row, error)
	// Rows returns the stored rows of the keys (live and deleted).
	Rows(ctx context.Context, scope DataScope, keys []dataset.RowKey) ([]dataset.Row, error)
	// InsertRows adds rows whose keys are not stored; cheaper than SaveRows
	// for new rows. A key stored meanwhile by a concurrent writer is
	// ErrRowRaced (and domain.ErrConflict): run the transaction again.
	InsertRows(ctx context.Context, scope DataScope, rows []dataset.Row) error
	// SaveRows creates or replaces rows (fields and server fields).
	SaveRows(ctx context.Context, scope DataScope, rows []dataset.Row) error
	// SetExport sets srvExport on the stored rows, each only while its
	// srvDateUTC is still the one of the row given (the condition is part
	// of the write), leaving srvDateUTC as it is. Call it inside
	// Transactor.Within; a row changed since it was read makes the
	// transaction run again.
	SetExport(ctx context.Context, scope DataScope, rows []dataset.Row, value int) error
	// FindRows runs a query: one page of rows and the number of rows matching.
	FindRows(ctx context.Context, scope DataScope, q dataset.Query) (rows []dataset.Row, total int, err error)
}

// DataWrite is an announced data-set write (see AnnounceWrite).
type DataWrite struct {
	ID    string // "" when the backend needs no announcement
	Scope DataScope
	At    time.Time // the earliest srvDateUTC the write may give
}

// ErrRowRaced says that a concurrent writer stored a row between this
// writer's read and its insert: the transaction should run again, and will
// then see the row.
var ErrRowRaced = errors.New("row stored meanwhile by a concurrent writer")
