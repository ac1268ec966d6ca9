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
	// LockEntities takes, until the transaction of ctx ends, the write lock
	// of each entity of the scope: every writer of an entity's rows takes it
	// first, so that writers of the same entity (project, company) run one
	// after the other and always read the rows as last committed. Call it
	// inside Transactor.Within, before reading the rows to change.
	LockEntities(ctx context.Context, scope DataScope, entities []dataset.EntityName) error
	// Rows returns the stored rows of the keys (live and deleted).
	Rows(ctx context.Context, scope DataScope, keys []dataset.RowKey) ([]dataset.Row, error)
	// InsertRows adds rows whose keys are not stored (a clash is
	// domain.ErrConflict); cheaper than SaveRows for new rows.
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
