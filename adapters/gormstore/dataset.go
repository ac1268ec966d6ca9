package gormstore

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"

	"github.com/parc-hq/parc/domain/dataset"
	"github.com/parc-hq/parc/ports"
)

var datasetModels = []any{&datasetRow{}, &datasetWriteRow{}}

// datasetRow is one row of any entity of any project: the fields are a JSON
// document keyed by case-folded field names; field_names keeps the display
// spelling of those whose spelling differs from the key.
type datasetRow struct {
	ProjectID  string    `gorm:"primaryKey;size:36;index:ix_dataset_rows_changed,priority:1"`
	EntityKey  string    `gorm:"primaryKey;size:64;index:ix_dataset_rows_changed,priority:2"`
	CompanyID  string    `gorm:"primaryKey;size:36;index:ix_dataset_rows_changed,priority:3"`
	RowKey     string    `gorm:"primaryKey;size:255;index:ix_dataset_rows_changed,priority:5"`
	EntityName string    `gorm:"size:64;not null"`
	Fields     jsonDoc   `gorm:"not null"`
	FieldNames string    `gorm:"not null"`
	SrvDate    time.Time `gorm:"not null;precision:6;index:ix_dataset_rows_changed,priority:4"`
	SrvExport  int       `gorm:"not null"`
	SrvAttrib  int       `gorm:"not null"`
}

func (datasetRow) TableName() string { return "dataset_rows" }

var (
	datasetKeyColumns = []string{"project_id", "entity_key", "company_id", "row_key"}
	datasetUpdates    = []string{"entity_name = excluded.entity_name", "fields = excluded.fields", "field_names = excluded.field_names",
		"srv_date = excluded.srv_date", "srv_export = excluded.srv_export", "srv_attrib = excluded.srv_attrib"}
)

// jsonDoc is a JSON document column: JSONB on PostgreSQL, JSON on MySQL,
// text on SQLite.
type jsonDoc string

func (jsonDoc) GormDBDataType(db *gorm.DB, _ *schema.Field) string {
	return dialectOf(db).jsonColumnType()
}

func (j jsonDoc) Value() (driver.Value, error) { return string(j), nil }

func (j *jsonDoc) Scan(v any) error {
	switch x := v.(type) {
	case string:
		*j = jsonDoc(x)
	case []byte:
		*j = jsonDoc(x)
	case nil:
		*j = "{}"
	default:
		return fmt.Errorf("scan JSON column: unexpected %T", v)
	}
	return nil
}

func toDatasetRow(scope ports.DataScope, r dataset.Row) (datasetRow, error) {
	doc, nameDoc := encodeFields(r)
	return datasetRow{ProjectID: scope.ProjectID, EntityKey: r.Entity().Key(), CompanyID: scope.CompanyID, RowKey: r.Code().String(),
		EntityName: r.Entity().Display(), Fields: jsonDoc(doc), FieldNames: string(nameDoc),
		SrvDate: r.SrvDate(), SrvExport: r.SrvExport(), SrvAttrib: r.SrvAttrib()}, nil
}

// DataSetRepository implements ports.DataSetRepository.
type DataSetRepository struct{ s *Store }

// NewDataSetRepository builds the repository on a store.
func NewDataSetRepository(s *Store) *DataSetRepository { return &DataSetRepository{s: s} }

// keyChunks groups keys by entity and splits each group into chunks of at
// most maxInKeys codes, in key order.
func keyChunks(keys []dataset.RowKey) []keyChunk {
	sorted := slices.Clone(keys)
	slices.SortFunc(sorted, dataset.CompareKeys)
	sorted = slices.Compact(sorted)
	var out []keyChunk
	for _, k := range sorted {
		n := len(out)
		if n == 0 || out[n-1].entity != k.Entity || len(out[n-1].codes) == maxInKeys {
			out = append(out, keyChunk{entity: k.Entity})
			n++
		}
		out[n-1].codes = append(out[n-1].codes, k.Code.String())
	}
	return out
}

type keyChunk struct {
	entity string
	codes  []string
}

// chunkRows narrows db to the rows of scope that c names. The range of
// the codes (sorted) bounds what an index scan reads even when the planner,
// misled by statistics that do not know the company yet or the rows its
// transaction has just written, filters the codes instead of looking each
// up: PostgreSQL then scanned every row of the company's entity for each
// chunk of a RelationalDataSet, a cost growing with every chunk written.
//
// One code (each one-row write reads its row so) is an equality: PostgreSQL
// applied "row_key = ANY(array of one)" as a filter too, reading every row
// of the entity to find one.
func (r *DataSetRepository) chunkRows(db *gorm.DB, scope ports.DataScope, c keyChunk) *gorm.DB {
	db = db.Where("project_id = ? AND entity_key = ? AND company_id = ?", scope.ProjectID, c.entity, scope.CompanyID)
	if len(c.codes) == 1 {
		return db.Where("row_key = ?", c.codes[0])
	}
	in, args := r.s.dialect.inStrings("row_key", c.codes)
	return db.Where(in, args...).Where("row_key >= ? AND row_key <= ?", c.codes[0], c.codes[len(c.codes)-1])
}

// Rows reads rows one query per chunk of codes of one entity.
func (r *DataSetRepository) Rows(ctx context.Context, scope ports.DataScope, keys []dataset.RowKey) ([]dataset.Row, error) {
	return r.rows(ctx, scope, keys, false)
}

// LockRows reads rows as Rows does, under a write lock: SELECT … FOR
// UPDATE in key order on PostgreSQL and MySQL (SQLite serialises writers).
// On MySQL only the rows found are locked, by their primary key: a locking
// read of absent keys would take gap locks, on which concurrent creators of
// other rows deadlock. A single key (a one-row write, whose row is there
// but for a request that ends in not found) is read under lock at once,
// saving the plain read: it locks one gap at most, and only when absent.
func (r *DataSetRepository) LockRows(ctx context.Context, scope ports.DataScope, keys []dataset.RowKey) ([]dataset.Row, error) {
	if !inTx(ctx) {
		return nil, fmt.Errorf("lock rows: called outside a transaction")
	}
	if r.s.dialect == dialectSQLite {
		return r.rows(ctx, scope, keys, false)
	}
	if r.s.dialect == dialectMySQL && len(keys) > 1 {
		found, err := r.rows(ctx, scope, keys, false)
		if err != nil || len(found) == 0 {
			return found, err
		}
		keys = make([]dataset.RowKey, len(found))
		for i, row := range found {
			keys[i] = row.Key()
		}
	}
	return r.rows(ctx, scope, keys, true)
}

func (r *DataSetRepository) rows(ctx context.Context, scope ports.DataScope, keys []dataset.RowKey, lock bool) ([]dataset.Row, error) {
	if len(keys) == 1 {
		return r.oneRow(ctx, scope, keys[0], lock)
	}
	var out []dataset.Row
	if len(keys) > 1 && inTx(ctx) {
		if err := r.s.dialect.planPerExecution(r.s.conn(ctx)); err != nil {
			return nil, fmt.Errorf("load rows: %w", r.s.translate(err))
		}
	}
	for _, c := range keyChunks(keys) {
		db := r.chunkRows(r.s.conn(ctx).Table(datasetRow{}.TableName()), scope, c)
		if lock {
			db = r.s.dialect.forUpdate(db.Order("row_key"))
		}
		// Scanned by hand, as pages of Select are: every one-row write
		// reads its row so.
		rows, err := r.s.scanDatasetRows(db, len(c.codes))
		if err != nil {
			return nil, fmt.Errorf("load rows of %s: %w", c.entity, r.s.translate(err))
		}
		out = append(out, rows...)
	}
	return out, nil
}

// oneRowSQL reads the row of one key, which every one-row read and write
// does: a text of its own, run without GORM (see rawQuery).
func oneRowSQL(d dialect) string {
	return "SELECT " + datasetReadColumns(d) + " FROM dataset_rows WHERE project_id = ? AND entity_key = ? AND company_id = ? AND row_key = ?"
}

func (r *DataSetRepository) oneRow(ctx context.Context, scope ports.DataScope, key dataset.RowKey, lock bool) ([]dataset.Row, error) {
	query := oneRowSQL(r.s.dialect)
	if lock && r.s.dialect != dialectSQLite {
		query += " FOR UPDATE"
	}
	rs, err := r.s.rawQuery(ctx, query, scope.ProjectID, key.Entity, scope.CompanyID, key.Code.String())
	if err != nil {
		return nil, fmt.Errorf("load rows of %s: %w", key.Entity, r.s.translate(err))
	}
	defer func() { _ = rs.Close() }()
	out, err := readDatasetRows(rs, r.s.dialect, 1)
	if err != nil {
		return nil, fmt.Errorf("load rows of %s: %w", key.Entity, r.s.translate(err))
	}
	return out, nil
}

// InsertRows writes new rows as multi-row inserts sorted by key.
func (r *DataSetRepository) InsertRows(ctx context.Context, scope ports.DataScope, rows []dataset.Row) error {
	if err := r.write(ctx, scope, rows, false); err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return fmt.Errorf("insert rows: %w: %w", ports.ErrRowRaced, err)
		}
		return fmt.Errorf("insert rows: %w", err)
	}
	return nil
}

// SaveRows writes rows as multi-row upserts sorted by key.
func (r *DataSetRepository) SaveRows(ctx context.Context, scope ports.DataScope, rows []dataset.Row) error {
	if err := r.write(ctx, scope, rows, true); err != nil {
		return fmt.Errorf("save rows: %w", err)
	}
	return nil
}

func (r *DataSetRepository) write(ctx context.Context, scope ports.DataScope, rows []dataset.Row, upsert bool) error {
	if len(rows) == 0 {
		return nil
	}
	out := make([]datasetRow, 0, len(rows))
	for _, d := range rows {
		row, err := toDatasetRow(scope, d)
		if err != nil {
			return err
		}
		out = append(out, row)
	}
	// Sorted by key, so that concurrent writers lock rows in one order; of a
	// key given twice the last one wins (PostgreSQL refuses a key twice in one
	// upsert): the sort is stable and each run keeps its last row.
	slices.SortStableFunc(out, func(a, b datasetRow) int {
		return dataset.CompareKeys(dataset.RowKey{Entity: a.EntityKey, Code: dataset.RestoreRowCode(a.RowKey)}, dataset.RowKey{Entity: b.EntityKey, Code: dataset.RestoreRowCode(b.RowKey)})
	})
	last := out[:0]
	for i, row := range out {
		if i+1 < len(out) && out[i+1].EntityKey == row.EntityKey && out[i+1].RowKey == row.RowKey {
			continue
		}
		last = append(last, row)
	}
	if len(last) == 1 {
		// A one-row create, update or delete ends with its write; a
		// statement that follows still sends it first.
		return insertOne(ctx, r.s, "write rows", datasetRowsTable, datasetTail(r.s.dialect, upsert), last[0], !upsert)
	}
	return insertRows(ctx, r.s, "write rows", datasetRowsTable, datasetTail(r.s.dialect, upsert), last)
}

// datasetTail ends the insert of data-set rows: nothing for new rows, the
// replacement of every non-key column for an upsert.
func datasetTail(d dialect, upsert bool) string {
	if !upsert {
		return ""
	}
	return d.onConflictUpdate(datasetKeyColumns, datasetUpdates...)
}

// SetExport updates each row only where its srv_date is still the one read:
// the condition is part of the statement, so that it holds whatever guards
// the caller took (and a write certified on another node since the read
// makes this one fail at commit). A row that changed since makes the whole
// transaction run again (errStaleRead), which then reports it as changed.
func (r *DataSetRepository) SetExport(ctx context.Context, scope ports.DataScope, rows []dataset.Row, value int) error {
	dates := make(map[dataset.RowKey]time.Time, len(rows))
	keys := make([]dataset.RowKey, len(rows))
	for i, row := range rows {
		keys[i] = row.Key()
		dates[row.Key()] = row.SrvDate()
	}
	for _, c := range keyChunks(keys) {
		pairs := make([]string, len(c.codes))
		args := make([]any, 0, 2*len(c.codes))
		for i, code := range c.codes {
			pairs[i] = "(?, ?)"
			args = append(args, code, dates[dataset.RowKey{Entity: c.entity, Code: dataset.RestoreRowCode(code)}])
		}
		res := r.chunkRows(r.s.conn(ctx).Model(&datasetRow{}), scope, c).
			Where("(row_key, srv_date) IN ("+strings.Join(pairs, ", ")+")", args...).
			Update("srv_export", value)
		if res.Error != nil {
			return fmt.Errorf("set export status of %s: %w", c.entity, r.s.translate(res.Error))
		}
		if int(res.RowsAffected) != len(c.codes) {
			return fmt.Errorf("set export status of %s: %w", c.entity, errStaleRead)
		}
	}
	return nil
}

// FindRows runs a query: the filters become WHERE conditions on the JSON
// fields (through the dialect's one extraction method, with bind parameters
// only) or on srv_date; the order ends with srv_date and row_key so that
// pages are stable.
func (r *DataSetRepository) FindRows(ctx context.Context, scope ports.DataScope, q dataset.Query) ([]dataset.Row, int, error) {
	// srv_date IS NOT NULL, true of every row, is the condition of the
	// partial ix_dataset_rows_changed on PostgreSQL (see
	// changedIndexForPagesOnly): stated here, the pages may use it.
	db := r.s.conn(ctx).Model(&datasetRow{}).
		Where("project_id = ? AND entity_key = ? AND company_id = ? AND srv_date IS NOT NULL", scope.ProjectID, q.Entity.Key(), scope.CompanyID)
	if q.SrvAttrib != nil {
		db = db.Where("srv_attrib = ?", *q.SrvAttrib)
	}
	if q.SrvExport != nil {
		db = db.Where("srv_export = ?", *q.SrvExport)
	}
	for _, f := range q.Filters {
		sql, args := r.filterSQL(f)
		db = db.Where(sql, args...)
	}
	var order []string
	var orderArgs []any
	for _, s := range q.Sorts {
		if column := serverColumns[s.Server]; column != "" {
			order = append(order, r.s.dialect.orderBy(column, s.Desc))
			continue
		}
		expr, args := r.s.dialect.jsonField("fields", s.Field, jsonText)
		order = append(order, r.s.dialect.orderBy(expr, s.Desc))
		orderArgs = append(orderArgs, args...)
	}
	order = append(order, "srv_date ASC", "row_key ASC")
	// One row more than the page tells whether the page is the last one;
	// then the total is known without counting.
	page := db.Session(&gorm.Session{}).Clauses(clause.OrderBy{Expression: clause.Expr{SQL: strings.Join(order, ", "), Vars: orderArgs, WithoutParentheses: true}}).
		Limit(q.Limit + 1).Offset(q.Offset)
	out, err := r.s.scanDatasetRows(page, q.Limit+1)
	if err != nil {
		return nil, 0, fmt.Errorf("select rows: %w", r.s.translate(err))
	}
	if len(out) <= q.Limit && (len(out) > 0 || q.Offset == 0) {
		return out, q.Offset + len(out), nil
	}
	out = out[:min(len(out), q.Limit)]
	var total int64
	if err := db.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count rows: %w", r.s.translate(err))
	}
	return out, int(total), nil
}

// serverColumns are the columns of the server fields filters and sorts name.
var serverColumns = map[string]string{dataset.SrvDateUTC: "srv_date", dataset.SrvExport: "srv_export", dataset.SrvAttrib: "srv_attrib"}

var comparisons = map[dataset.Operator]string{
	dataset.GreaterThan: ">", dataset.GreaterThanOrEqual: ">=", dataset.LessThan: "<", dataset.LessThanOrEqual: "<=",
}

// filterSQL renders one filter as a condition with bind parameters. Field
// names reach SQL only as parameters (and are identifiers besides).
func (r *DataSetRepository) filterSQL(f dataset.Filter) (string, []any) {
	var expr string
	var args, values []any
	switch f.Kind {
	case dataset.DateValues:
		expr = "srv_date"
		for _, t := range f.Dates {
			values = append(values, t)
		}
	case dataset.NumberValues:
		expr, args = r.s.dialect.jsonField("fields", f.Field, jsonNumber)
		if f.Server != "" {
			expr, args = serverColumns[f.Server], nil
		}
		for _, n := range f.Numbers {
			if f.Server != "" {
				values = append(values, int64(n)) // an integer column: srvExport, srvAttrib
				continue
			}
			values = append(values, n)
		}
	default:
		expr, args = r.s.dialect.jsonField("fields", f.Field, jsonText)
		for _, s := range f.Texts {
			values = append(values, s)
		}
	}
	switch f.Op {
	case dataset.Equal:
		if len(values) == 1 {
			return expr + " = ?", append(args, values[0])
		}
		return expr + " IN ?", append(args, values)
	case dataset.StartWith:
		var parts []string
		var all []any
		for _, v := range values {
			part, prefix := r.s.dialect.textPrefix(expr, v.(string))
			parts = append(parts, part)
			all = append(all, args...)
			all = append(all, prefix)
		}
		return anyOf(parts), all
	}
	return expr + " " + comparisons[f.Op] + " ?", append(args, values[0])
}

// anyOf joins conditions with OR as a balanced tree: SQLite refuses an
// expression nested more than 1,000 deep, which a flat chain of a thousand
// ORs is.
func anyOf(parts []string) string {
	if len(parts) == 1 {
		return "(" + parts[0] + ")"
	}
	half := len(parts) / 2
	return "(" + anyOf(parts[:half]) + " OR " + anyOf(parts[half:]) + ")"
}
