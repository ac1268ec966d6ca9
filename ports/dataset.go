package ports

import (
	"context"

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
	// ReserveRows makes sure a row exists for every key, so that concurrent
	// writers of a new code queue behind each other instead of overwriting
	// each other; reserved rows stay invisible and must all be written by
	// SaveRows before the transaction ends. Call it inside Transactor.Within,
	// before LockRows.
	ReserveRows(ctx context.Context, scope DataScope, keys []dataset.RowKey) error
	// LockRows returns the stored rows of the keys, locked until the
	// transaction of ctx ends. Call it inside Transactor.Within.
	LockRows(ctx context.Context, scope DataScope, keys []dataset.RowKey) ([]dataset.Row, error)
	// Rows returns the stored rows of the keys, without locking.
	Rows(ctx context.Context, scope DataScope, keys []dataset.RowKey) ([]dataset.Row, error)
	// SaveRows creates or replaces rows (fields and server fields).
	SaveRows(ctx context.Context, scope DataScope, rows []dataset.Row) error
	// SetExport sets srvExport on the rows of the keys, leaving srvDateUTC as it is.
	SetExport(ctx context.Context, scope DataScope, keys []dataset.RowKey, value int) error
	// FindRows runs a query: one page of rows and the number of rows matching.
	FindRows(ctx context.Context, scope DataScope, q dataset.Query) (rows []dataset.Row, total int, err error)
}
