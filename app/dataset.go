package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/parc-hq/parc/domain"
	"github.com/parc-hq/parc/domain/dataset"
	"github.com/parc-hq/parc/domain/tenant"
	"github.com/parc-hq/parc/ports"
)

// DataSetService runs the data API of a project: the RelationalDataSet batch,
// Select, SrvExport and one-row reads and writes, each for the company the
// caller acts for.
type DataSetService struct {
	rows     ports.DataSetRepository
	projects *ProjectService
	tx       ports.Transactor
	clock    ports.Clock
	log      *slog.Logger
}

// NewDataSetService builds the service.
func NewDataSetService(rows ports.DataSetRepository, projects *ProjectService, tx ports.Transactor, clock ports.Clock, log *slog.Logger) *DataSetService {
	return &DataSetService{rows: rows, projects: projects, tx: tx, clock: clock, log: log}
}

// DataCaller says who asks and for which project: the caller's company acts
// for itself, or for CompanyCode when it owns the project.
type DataCaller struct {
	Project     string
	Company     tenant.Company
	CompanyCode string
}

// resolve checks the caller's access and returns the scope and the company
// the rows belong to.
func (s *DataSetService) resolve(ctx context.Context, c DataCaller) (ports.DataScope, tenant.Company, error) {
	p, acting, err := s.projects.Access(ctx, c.Project, c.Company, c.CompanyCode)
	if err != nil {
		return ports.DataScope{}, tenant.Company{}, err
	}
	return ports.DataScope{ProjectID: p.ID(), CompanyID: acting.ID()}, acting, nil
}

// BatchResult is what a RelationalDataSet did, per entity.
type BatchResult struct {
	Company  tenant.Company
	Entities []dataset.EntityResult
}

// ApplyBatch runs a RelationalDataSet in one transaction: nothing is stored
// unless every item succeeds. The batch is planned and written a chunk of
// keys at a time (dataset.BatchRun), so that only the index of its rows is
// held whole, never all its rows decoded at once.
func (s *DataSetService) ApplyBatch(ctx context.Context, c DataCaller, in dataset.BatchInput) (BatchResult, error) {
	scope, acting, err := s.resolve(ctx, c)
	if err != nil {
		return BatchResult{}, err
	}
	batch, err := dataset.ParseBatch(in)
	if err != nil {
		return BatchResult{}, err
	}
	var out dataset.BatchOutcome
	err = s.write(ctx, scope, func(ctx context.Context, now time.Time) error {
		run := batch.Run(now)
		for chunk := range run.Chunks() {
			existing, err := s.rows.LockRows(ctx, scope, chunk.Keys())
			if err != nil {
				return err
			}
			plan := chunk.Plan(existing)
			if err := s.rows.InsertRows(ctx, scope, plan.Creates); err != nil {
				return err
			}
			if err := s.rows.SaveRows(ctx, scope, plan.Updates); err != nil {
				return err
			}
		}
		out, err = run.Finish()
		return err
	})
	if err != nil {
		return BatchResult{}, fmt.Errorf("RelationalDataSet: %w", err)
	}
	s.log.InfoContext(ctx, "data set batch applied", "project", c.Project, "company", acting.Code().String(),
		"items", batch.Size(), "created", out.Created, "updated", out.Updated)
	return BatchResult{Company: acting, Entities: out.Results}, nil
}

// RowsPage is one page of rows and how many match in all.
type RowsPage struct {
	Company tenant.Company
	Rows    []dataset.Row
	Total   int
}

// Select reads an entity's rows.
func (s *DataSetService) Select(ctx context.Context, c DataCaller, in dataset.SelectInput) (RowsPage, error) {
	scope, acting, err := s.resolve(ctx, c)
	if err != nil {
		return RowsPage{}, err
	}
	q, err := dataset.ParseSelect(in)
	if err != nil {
		return RowsPage{}, err
	}
	if q, err = s.settled(ctx, scope, q); err != nil {
		return RowsPage{}, fmt.Errorf("select %s: %w", q.Entity.Display(), err)
	}
	rows, total, err := s.rows.FindRows(ctx, scope, q)
	if err != nil {
		return RowsPage{}, fmt.Errorf("select %s: %w", q.Entity.Display(), err)
	}
	return RowsPage{Company: acting, Rows: rows, Total: total}, nil
}

// OneRow is a row with the company it belongs to.
type OneRow struct {
	Company tenant.Company
	Row     dataset.Row
}

// Row reads one live row.
func (s *DataSetService) Row(ctx context.Context, c DataCaller, entity, code string) (OneRow, error) {
	t, err := s.resolveRow(ctx, c, entity, code)
	if err != nil {
		return OneRow{}, err
	}
	row, err := s.liveRow(ctx, t)
	if err != nil {
		return OneRow{}, err
	}
	return OneRow{Company: t.acting, Row: row}, nil
}

// CreateRow creates one row (or revives a deleted one); its code is its
// <entity>_ID field. A live row of that code is a conflict.
func (s *DataSetService) CreateRow(ctx context.Context, c DataCaller, entity string, obj map[string]json.RawMessage, srvExport int) (OneRow, error) {
	scope, acting, err := s.resolve(ctx, c)
	if err != nil {
		return OneRow{}, err
	}
	e, err := parseEntity(entity)
	if err != nil {
		return OneRow{}, err
	}
	fields, err := dataset.ParseFields(obj)
	if err != nil {
		return OneRow{}, err
	}
	// A first build validates the row and gives its key, before any
	// transaction is opened.
	probe, err := dataset.NewRow(e, fields, nil, srvExport, s.clock.Now())
	if err != nil {
		return OneRow{}, fmt.Errorf("create %s row: %w", e.Display(), err)
	}
	var out dataset.Row
	// The first run takes the code to be new and inserts at once, saving
	// the read under lock that a create seldom needs; a code already
	// stored (live, or a tombstone to revive) fails that insert as a race,
	// and the next run reads the row under its lock.
	optimistic := true
	err = s.write(ctx, scope, func(ctx context.Context, now time.Time) error {
		if optimistic {
			optimistic = false
			if out, err = dataset.NewRow(e, fields, nil, srvExport, now); err != nil {
				return err
			}
			return s.rows.InsertRows(ctx, scope, []dataset.Row{out})
		}
		existing, err := s.lockedRow(ctx, scope, probe.Key())
		if err != nil {
			return err
		}
		if out, err = dataset.NewRow(e, fields, existing, srvExport, now); err != nil {
			return err
		}
		if existing == nil {
			return s.rows.InsertRows(ctx, scope, []dataset.Row{out})
		}
		return s.rows.SaveRows(ctx, scope, []dataset.Row{out})
	})
	if err != nil {
		return OneRow{}, fmt.Errorf("create %s row: %w", e.Display(), err)
	}
	return OneRow{Company: acting, Row: out}, nil
}

// UpdateRow merges the given fields into a live row.
func (s *DataSetService) UpdateRow(ctx context.Context, c DataCaller, entity, code string, obj map[string]json.RawMessage, srvExport int) (OneRow, error) {
	t, err := s.resolveRow(ctx, c, entity, code)
	if err != nil {
		return OneRow{}, err
	}
	fields, err := dataset.ParseFields(obj)
	if err != nil {
		return OneRow{}, err
	}
	var out dataset.Row
	err = s.write(ctx, t.scope, func(ctx context.Context, now time.Time) error {
		stored, err := s.lockedLiveRow(ctx, t)
		if err != nil {
			return err
		}
		updated, changed, err := stored.Update(fields, srvExport, now)
		if err != nil {
			return err
		}
		out = updated
		if !changed {
			return nil
		}
		return s.rows.SaveRows(ctx, t.scope, []dataset.Row{updated})
	})
	if err != nil {
		return OneRow{}, fmt.Errorf("update %s row: %w", t.entity.Display(), err)
	}
	return OneRow{Company: t.acting, Row: out}, nil
}

// rowTarget is the row a one-row request names, in the scope of the company
// the caller acts for.
type rowTarget struct {
	scope  ports.DataScope
	acting tenant.Company
	entity dataset.EntityName
	key    dataset.RowKey
}

// resolveRow checks the caller's access, then the entity name and the row
// code of the request's path.
func (s *DataSetService) resolveRow(ctx context.Context, c DataCaller, entity, code string) (rowTarget, error) {
	scope, acting, err := s.resolve(ctx, c)
	if err != nil {
		return rowTarget{}, err
	}
	e, err := parseEntity(entity)
	if err != nil {
		return rowTarget{}, err
	}
	rc, err := dataset.ParseRowCode(code)
	if err != nil {
		return rowTarget{}, domain.InvalidAt(err, "row_code", "rowCode")
	}
	return rowTarget{scope: scope, acting: acting, entity: e, key: dataset.KeyOf(e, rc)}, nil
}

// liveRow reads the target row, which must be live: a tombstone is as absent
// as a row never written.
func (s *DataSetService) liveRow(ctx context.Context, t rowTarget) (dataset.Row, error) {
	stored, err := s.storedRow(ctx, t.scope, t.key)
	if err != nil {
		return dataset.Row{}, err
	}
	if stored == nil || !stored.IsLive() {
		return dataset.Row{}, rowNotFound(t.entity, t.key.Code)
	}
	return *stored, nil
}

// lockedLiveRow is liveRow under the row's write lock. Call it inside
// Transactor.Within.
func (s *DataSetService) lockedLiveRow(ctx context.Context, t rowTarget) (dataset.Row, error) {
	stored, err := s.lockedRow(ctx, t.scope, t.key)
	if err != nil {
		return dataset.Row{}, err
	}
	if stored == nil || !stored.IsLive() {
		return dataset.Row{}, rowNotFound(t.entity, t.key.Code)
	}
	return *stored, nil
}

// lockedRow reads the row of key, live or deleted, under its write lock;
// nil when none is stored.
func (s *DataSetService) lockedRow(ctx context.Context, scope ports.DataScope, key dataset.RowKey) (*dataset.Row, error) {
	rows, err := s.rows.LockRows(ctx, scope, []dataset.RowKey{key})
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	return &rows[0], nil
}

// storedRow reads the row of key, live or deleted; nil when none is stored.
func (s *DataSetService) storedRow(ctx context.Context, scope ports.DataScope, key dataset.RowKey) (*dataset.Row, error) {
	rows, err := s.rows.Rows(ctx, scope, []dataset.RowKey{key})
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	return &rows[0], nil
}

// DeleteRow turns a live row into a tombstone.
func (s *DataSetService) DeleteRow(ctx context.Context, c DataCaller, entity, code string, srvExport int) (OneRow, error) {
	t, err := s.resolveRow(ctx, c, entity, code)
	if err != nil {
		return OneRow{}, err
	}
	var out dataset.Row
	err = s.write(ctx, t.scope, func(ctx context.Context, now time.Time) error {
		stored, err := s.lockedLiveRow(ctx, t)
		if err != nil {
			return err
		}
		out = stored.Delete(srvExport, now)
		return s.rows.SaveRows(ctx, t.scope, []dataset.Row{out})
	})
	if err != nil {
		return OneRow{}, fmt.Errorf("delete %s row: %w", t.entity.Display(), err)
	}
	return OneRow{Company: t.acting, Row: out}, nil
}

// ExportInput is a SrvExport request: set srvExport on rows still as read.
type ExportInput struct {
	EntityName string
	SrvExport  int
	Rows       []ExportRowInput
}

// ExportRowInput is one row of a SrvExport request.
type ExportRowInput struct {
	RowCode    string
	SrvDateUTC string
}

// Outcomes of SrvExport for one row (dataset.ExportStatus).
const (
	ExportUpdated  = string(dataset.ExportUpdated)
	ExportChanged  = string(dataset.ExportChanged)
	ExportNotFound = string(dataset.ExportNotFound)
)

// ExportRowResult is what SrvExport did to one row.
type ExportRowResult struct {
	RowCode string
	Status  string
	// Row is the stored row, with its export status after the call (unset
	// when not found).
	Row   dataset.Row
	Found bool
}

// ExportResult is the answer of SrvExport, row by row in request order.
type ExportResult struct {
	Company   tenant.Company
	Entity    dataset.EntityName
	SrvExport int
	Updated   int
	Rows      []ExportRowResult
}

// Export sets the export status of the rows whose srvDateUTC is still the
// one given; other rows are reported, untouched (dataset.PlanExport).
func (s *DataSetService) Export(ctx context.Context, c DataCaller, in ExportInput) (ExportResult, error) {
	scope, acting, err := s.resolve(ctx, c)
	if err != nil {
		return ExportResult{}, err
	}
	rows := make([]dataset.ExportRowInput, len(in.Rows))
	for i, r := range in.Rows {
		rows[i] = dataset.ExportRowInput{RowCode: r.RowCode, SrvDateUTC: r.SrvDateUTC}
	}
	e, items, err := dataset.ParseExport(in.EntityName, rows)
	if err != nil {
		return ExportResult{}, err
	}
	var plan dataset.ExportPlan
	// SrvExport leaves srvDateUTC as it is: no announcement, only the row
	// locks that keep a concurrent write from changing a row between the
	// comparison and the update.
	err = s.tx.Within(ctx, func(ctx context.Context) error {
		stored, err := s.rows.LockRows(ctx, scope, dataset.ExportKeys(items))
		if err != nil {
			return err
		}
		plan = dataset.PlanExport(items, stored, in.SrvExport)
		return s.rows.SetExport(ctx, scope, plan.Set, in.SrvExport)
	})
	if err != nil {
		return ExportResult{}, fmt.Errorf("SrvExport: %w", err)
	}
	out := ExportResult{Company: acting, Entity: e, SrvExport: in.SrvExport, Updated: len(plan.Set)}
	for _, o := range plan.Outcomes {
		out.Rows = append(out.Rows, ExportRowResult{RowCode: o.Code.String(), Status: string(o.Status), Row: o.Row, Found: o.Found})
	}
	return out, nil
}

// racedAttempts bounds the runs of a write whose insert met a row that a
// concurrent writer stored meanwhile: each run sees the rows stored before
// it, so a second run succeeds unless yet another writer races it.
const racedAttempts = 4

// write runs fn in a transaction announced to changed-since readers (see
// ports.DataSetRepository.AnnounceWrite); fn dates its rows from now, which
// is taken inside the transaction, after the announcement. Writers lock the
// rows they change, not the entity: writers of other rows go on alongside.
// A run that lost an insert race to a concurrent writer runs again.
func (s *DataSetService) write(ctx context.Context, scope ports.DataScope, fn func(ctx context.Context, now time.Time) error) error {
	var err error
	for range racedAttempts {
		if err = s.writeOnce(ctx, scope, fn); !errors.Is(err, ports.ErrRowRaced) {
			return err
		}
	}
	return err
}

func (s *DataSetService) writeOnce(ctx context.Context, scope ports.DataScope, fn func(ctx context.Context, now time.Time) error) error {
	w, err := s.rows.AnnounceWrite(ctx, scope, s.clock.Now())
	if err != nil {
		return err
	}
	err = s.tx.Within(ctx, func(ctx context.Context) error {
		if err := s.rows.HoldWrite(ctx, w); err != nil {
			return err
		}
		now := s.clock.Now()
		if now.Before(w.At) {
			now = w.At
		}
		if err := fn(ctx, now); err != nil {
			return err
		}
		return s.rows.EndWrite(ctx, w)
	})
	if err != nil {
		if aerr := s.rows.AbandonWrite(context.WithoutCancel(ctx), w); aerr != nil {
			s.log.WarnContext(ctx, "write announcement left behind; changed-since reads of its scope lag until it expires", "error", aerr)
		}
	}
	return err
}

// settled keeps a changed-since query (a lower bound on srvDateUTC) to the
// rows dated before every write still in flight, so that a reader who goes
// on from the last date it read never skips a row committed after its read.
func (s *DataSetService) settled(ctx context.Context, scope ports.DataScope, q dataset.Query) (dataset.Query, error) {
	since := false
	for _, f := range q.Filters {
		since = since || (f.Kind == dataset.DateValues && (f.Op == dataset.GreaterThan || f.Op == dataset.GreaterThanOrEqual))
	}
	if !since {
		return q, nil
	}
	before, err := s.rows.SettledBefore(ctx, scope, s.clock.Now())
	if err != nil || before.IsZero() {
		return q, err
	}
	q.Filters = append(slices.Clip(q.Filters), dataset.Filter{Server: dataset.SrvDateUTC, Op: dataset.LessThan, Kind: dataset.DateValues, Dates: []time.Time{before}})
	return q, nil
}

// parseEntity validates the entity name of a request's path.
func parseEntity(entity string) (dataset.EntityName, error) {
	e, err := dataset.ParseEntityName(entity)
	if err != nil {
		return e, domain.InvalidAt(err, "entity_name", "entity")
	}
	return e, nil
}

func rowNotFound(e dataset.EntityName, code dataset.RowCode) error {
	return domain.NotFound("row %s/%s", e.Display(), code)
}
