package app

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

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
// unless every item succeeds.
func (s *DataSetService) ApplyBatch(ctx context.Context, c DataCaller, in dataset.BatchInput) (BatchResult, error) {
	scope, acting, err := s.resolve(ctx, c)
	if err != nil {
		return BatchResult{}, err
	}
	batch, err := dataset.ParseBatch(in)
	if err != nil {
		return BatchResult{}, err
	}
	var plan dataset.Plan
	err = s.tx.Within(ctx, func(ctx context.Context) error {
		if err := s.rows.LockEntities(ctx, scope, batch.Entities()); err != nil {
			return err
		}
		existing, err := s.rows.Rows(ctx, scope, batch.Keys())
		if err != nil {
			return err
		}
		plan, err = dataset.PlanBatch(batch, existing, s.clock.Now())
		if err != nil {
			return err
		}
		if err := s.rows.InsertRows(ctx, scope, plan.Creates); err != nil {
			return err
		}
		return s.rows.SaveRows(ctx, scope, plan.Updates)
	})
	if err != nil {
		return BatchResult{}, fmt.Errorf("RelationalDataSet: %w", err)
	}
	s.log.InfoContext(ctx, "data set batch applied", "project", c.Project, "company", acting.Code().String(),
		"items", batch.Size(), "created", len(plan.Creates), "updated", len(plan.Updates))
	return BatchResult{Company: acting, Entities: plan.Results}, nil
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
	err = s.tx.Within(ctx, func(ctx context.Context) error {
		if err := s.rows.LockEntities(ctx, scope, []dataset.EntityName{e}); err != nil {
			return err
		}
		existing, err := s.storedRow(ctx, scope, probe.Key())
		if err != nil {
			return err
		}
		if out, err = dataset.NewRow(e, fields, existing, srvExport, s.clock.Now()); err != nil {
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
	err = s.tx.Within(ctx, func(ctx context.Context) error {
		stored, err := s.lockedLiveRow(ctx, t)
		if err != nil {
			return err
		}
		updated, changed, err := stored.Update(fields, srvExport, s.clock.Now())
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

// lockedLiveRow is liveRow after taking the write lock of the row's entity.
// Call it inside Transactor.Within.
func (s *DataSetService) lockedLiveRow(ctx context.Context, t rowTarget) (dataset.Row, error) {
	if err := s.rows.LockEntities(ctx, t.scope, []dataset.EntityName{t.entity}); err != nil {
		return dataset.Row{}, err
	}
	return s.liveRow(ctx, t)
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
	err = s.tx.Within(ctx, func(ctx context.Context) error {
		stored, err := s.lockedLiveRow(ctx, t)
		if err != nil {
			return err
		}
		out = stored.Delete(srvExport, s.clock.Now())
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
	err = s.tx.Within(ctx, func(ctx context.Context) error {
		if err := s.rows.LockEntities(ctx, scope, []dataset.EntityName{e}); err != nil {
			return err
		}
		stored, err := s.rows.Rows(ctx, scope, dataset.ExportKeys(items))
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
		out.Rows = append(out.Rows, ExportRowResult{RowCode: string(o.Code), Status: string(o.Status), Row: o.Row, Found: o.Found})
	}
	return out, nil
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
