package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/parc-hq/parc/app"
	"github.com/parc-hq/parc/domain"
	"github.com/parc-hq/parc/domain/dataset"
	"github.com/parc-hq/parc/ports"
)

// fakeRows is an in-memory DataSetRepository: rows by scope and key.
type fakeRows struct {
	rows map[ports.DataScope]map[dataset.RowKey]dataset.Row
}

var _ ports.DataSetRepository = (*fakeRows)(nil)

func (f *fakeRows) scope(s ports.DataScope) map[dataset.RowKey]dataset.Row {
	if f.rows[s] == nil {
		f.rows[s] = map[dataset.RowKey]dataset.Row{}
	}
	return f.rows[s]
}

// The fake runs one call at a time: announcements and locks are no-ops.
func (f *fakeRows) AnnounceWrite(_ context.Context, s ports.DataScope, at time.Time) (ports.DataWrite, error) {
	return ports.DataWrite{Scope: s, At: at}, nil
}

func (f *fakeRows) HoldWrite(context.Context, ports.DataWrite) error    { return nil }
func (f *fakeRows) EndWrite(context.Context, ports.DataWrite) error     { return nil }
func (f *fakeRows) AbandonWrite(context.Context, ports.DataWrite) error { return nil }

func (f *fakeRows) SettledBefore(context.Context, ports.DataScope, time.Time) (time.Time, error) {
	return time.Time{}, nil
}

func (f *fakeRows) LockRows(ctx context.Context, s ports.DataScope, keys []dataset.RowKey) ([]dataset.Row, error) {
	return f.Rows(ctx, s, keys)
}

func (f *fakeRows) Rows(_ context.Context, s ports.DataScope, keys []dataset.RowKey) ([]dataset.Row, error) {
	var out []dataset.Row
	for _, k := range keys {
		if r, ok := f.scope(s)[k]; ok {
			out = append(out, r)
		}
	}
	return out, nil
}

func (f *fakeRows) InsertRows(_ context.Context, s ports.DataScope, rows []dataset.Row) error {
	for _, r := range rows {
		if _, ok := f.scope(s)[r.Key()]; ok {
			// As the port says: a key stored meanwhile is a race to run again.
			return fmt.Errorf("%w: %w", ports.ErrRowRaced, domain.ErrConflict)
		}
		f.scope(s)[r.Key()] = r
	}
	return nil
}

func (f *fakeRows) SaveRows(_ context.Context, s ports.DataScope, rows []dataset.Row) error {
	for _, r := range rows {
		f.scope(s)[r.Key()] = r
	}
	return nil
}

func (f *fakeRows) SetExport(_ context.Context, s ports.DataScope, rows []dataset.Row, value int) error {
	for _, r := range rows {
		if cur, ok := f.scope(s)[r.Key()]; ok && cur.SrvDate().Equal(r.SrvDate()) {
			f.scope(s)[r.Key()] = cur.WithExport(value)
		}
	}
	return nil
}

// FindRows answers the entity's rows of the asked srvAttrib, by code
// (filters and sorts are the repository's, tested by the contract suite).
func (f *fakeRows) FindRows(_ context.Context, s ports.DataScope, q dataset.Query) ([]dataset.Row, int, error) {
	var out []dataset.Row
	for k, r := range f.scope(s) {
		if k.Entity == q.Entity.Key() && (q.SrvAttrib == nil || r.SrvAttrib() == *q.SrvAttrib) {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b dataset.Row) int { return dataset.CompareKeys(a.Key(), b.Key()) })
	total := len(out)
	out = out[min(q.Offset, len(out)):]
	return out[:min(q.Limit, len(out))], total, nil
}

func TestDataSetServiceScopesWritesAndExports(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	rows := &fakeRows{rows: map[ports.DataScope]map[dataset.RowKey]dataset.Row{}}
	clock := fakeClock{now}
	svc := app.NewDataSetService(rows, w.projectService(), w.tx, clock, quiet)
	owner := app.DataCaller{Project: "P", Company: w.a}

	// The owner writes for member B; B reads them, the owner's own scope stays empty.
	data := `{"Order": [{"Order_ID": "O1", "qty": 1}, {"Order_ID": "O2"}]}`
	res, err := svc.ApplyBatch(ctx, app.DataCaller{Project: "P", Company: w.a, CompanyCode: "B"}, dataset.BatchInput{
		Doc: []byte(data), Data: dataset.SpanOf(0, len(data))})
	if err != nil || res.Company.ID() != w.b.ID() || res.Entities[0].Created != 2 {
		t.Fatalf("batch: %v %+v", err, res)
	}
	page, err := svc.Select(ctx, app.DataCaller{Project: "P", Company: w.b}, dataset.SelectInput{EntityName: "order"})
	if err != nil || page.Total != 2 {
		t.Fatalf("select as B: %v %+v", err, page)
	}
	if page, _ := svc.Select(ctx, owner, dataset.SelectInput{EntityName: "order"}); page.Total != 0 {
		t.Fatalf("the owner's own scope: %+v", page)
	}

	// SrvExport sets rows still as read, reports the others.
	asB := app.DataCaller{Project: "P", Company: w.b}
	o1, err := svc.Row(ctx, asB, "order", "O1")
	if err != nil {
		t.Fatal(err)
	}
	stale := dataset.FormatSrvDate(o1.Row.SrvDate().Add(-time.Second))
	out, err := svc.Export(ctx, asB, app.ExportInput{EntityName: "Order", SrvExport: 1, Rows: []app.ExportRowInput{
		{RowCode: "O1", SrvDateUTC: dataset.FormatSrvDate(o1.Row.SrvDate())}, {RowCode: "O2", SrvDateUTC: stale}, {RowCode: "O3", SrvDateUTC: stale}}})
	if err != nil || out.Updated != 1 || out.Rows[0].Status != app.ExportUpdated || out.Rows[1].Status != app.ExportChanged || out.Rows[2].Status != app.ExportNotFound {
		t.Fatalf("export: %v %+v", err, out)
	}
	if again, _ := svc.Row(ctx, asB, "order", "O1"); again.Row.SrvExport() != 1 || !again.Row.SrvDate().Equal(o1.Row.SrvDate()) {
		t.Fatalf("exported row %+v", again.Row)
	}

	// A member naming another company, and an unknown row.
	if _, err := svc.Row(ctx, app.DataCaller{Project: "P", Company: w.b, CompanyCode: "A"}, "order", "O1"); !errors.Is(err, domain.ErrForbidden) {
		t.Fatalf("member for the owner: %v", err)
	}
	if _, err := svc.Row(ctx, asB, "order", "NOPE"); !errors.Is(err, domain.ErrNotFound) || !errorMessageIs(err, "row order/NOPE") {
		t.Fatalf("unknown row: %v", err)
	}
}

// A create inserts at once; a code already stored sends it through the
// row's lock: a live row is a conflict, a tombstone is revived.
func TestDataSetServiceCreateRow(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	rows := &fakeRows{rows: map[ports.DataScope]map[dataset.RowKey]dataset.Row{}}
	svc := app.NewDataSetService(rows, w.projectService(), w.tx, fakeClock{now}, quiet)
	owner := app.DataCaller{Project: "P", Company: w.a}
	obj := map[string]json.RawMessage{"Contact_ID": json.RawMessage(`"C1"`), "name": json.RawMessage(`"Ann"`)}

	created, err := svc.CreateRow(ctx, owner, "Contact", obj, 0)
	if err != nil || !created.Row.IsLive() {
		t.Fatalf("create: %v %+v", err, created)
	}
	if _, err := svc.CreateRow(ctx, owner, "Contact", obj, 0); !errors.Is(err, domain.ErrConflict) || errors.Is(err, ports.ErrRowRaced) {
		t.Fatalf("create over a live row: %v, want a conflict", err)
	}
	if _, err := svc.DeleteRow(ctx, owner, "contact", "C1", 0); err != nil {
		t.Fatal(err)
	}
	revived, err := svc.CreateRow(ctx, owner, "Contact", obj, 0)
	if err != nil || !revived.Row.IsLive() || !revived.Row.SrvDate().After(created.Row.SrvDate()) {
		t.Fatalf("create over a tombstone: %v %+v", err, revived)
	}
}
