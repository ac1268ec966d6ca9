package dataset

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/parc-hq/parc/domain"
)

// EntityRows are the rows sent for one entity under "data", in order.
type EntityRows struct {
	Entity string
	Rows   []map[string]json.RawMessage
}

// EntityCodes are the codes sent for one entity under "deletes", in order.
type EntityCodes struct {
	Entity string
	Codes  []json.RawMessage
}

// RelationInput is one item of "relations": the target row's field
// TargetFieldName receives the source row's code.
type RelationInput struct {
	SourceEntityName string
	SourceRowCode    string
	TargetEntityName string
	TargetFieldName  string
	TargetRowCode    string
}

// BatchInput is a RelationalDataSet request as sent.
type BatchInput struct {
	Data      []EntityRows
	Deletes   []EntityCodes
	Relations []RelationInput
	// SrvExport is the export status every row written gets (default 0).
	SrvExport int
}

type upsert struct {
	entity EntityName
	code   RowCode
	fields Fields
	path   []any
}

type deletion struct {
	entity EntityName
	code   RowCode
}

type relation struct {
	source, target EntityName
	sourceCode     RowCode
	targetCode     RowCode
	field          FieldName
	path           []any
}

// Batch is a validated RelationalDataSet request.
type Batch struct {
	upserts   []upsert
	deletes   []deletion
	relations []relation
	srvExport int
	entities  []EntityName // first spelling of each entity, in order of appearance
}

// ItemError names the item of a batch that failed and why: a problem type
// and the values of its rule (domain.FieldError). It unwraps to a
// *domain.ValidationError whose path is the item's, e.g. data.customer[3] or
// relations[1].
type ItemError struct {
	Path   []any
	Type   string
	Params domain.Params
}

func (e *ItemError) Error() string {
	return domain.FieldError{Path: e.Path, Type: e.Type, Params: e.Params}.String()
}

// Unwrap lets errors.Is(err, domain.ErrInvalid) and errors.As(err,
// **domain.ValidationError) see the item error.
func (e *ItemError) Unwrap() error { return domain.Invalid(e.Type, e.Params, e.Path...) }

// ParseBatch validates a request: entity and field names, row codes, and
// relation items. Every problem is reported with its path.
func ParseBatch(in BatchInput) (Batch, error) {
	bp := batchParser{b: Batch{srvExport: in.SrvExport}, problems: &domain.ValidationError{}, seen: map[string]bool{}}
	for _, group := range in.Deletes {
		bp.deletes(group)
	}
	for _, group := range in.Data {
		bp.data(group)
	}
	for i, r := range in.Relations {
		bp.relation(i, r)
	}
	if err := bp.problems.OrNil(); err != nil {
		return Batch{}, err
	}
	return bp.b, nil
}

// batchParser gathers a batch and the problems of its items.
type batchParser struct {
	b        Batch
	problems *domain.ValidationError
	seen     map[string]bool // entity keys noted
}

// note records an entity under its first spelling.
func (bp *batchParser) note(e EntityName) {
	if !bp.seen[e.Key()] {
		bp.seen[e.Key()] = true
		bp.b.entities = append(bp.b.entities, e)
	}
}

func (bp *batchParser) deletes(group EntityCodes) {
	entity, err := ParseEntityName(group.Entity)
	if err != nil {
		bp.problems.AddAt(err, "entity_name", "deletes", group.Entity)
		return
	}
	bp.note(entity)
	for i, raw := range group.Codes {
		code, err := CodeFromJSON(raw)
		if err != nil {
			bp.problems.AddAt(err, "row_code", "deletes", group.Entity, i)
			continue
		}
		bp.b.deletes = append(bp.b.deletes, deletion{entity: entity, code: code})
	}
}

func (bp *batchParser) data(group EntityRows) {
	entity, err := ParseEntityName(group.Entity)
	if err != nil {
		bp.problems.AddAt(err, "entity_name", "data", group.Entity)
		return
	}
	bp.note(entity)
	for i, obj := range group.Rows {
		path := []any{"data", group.Entity, i}
		if obj == nil {
			bp.problems.Add("type", domain.Params{domain.RuleParam: "row_object"}, path...)
			continue
		}
		fields, err := ParseFields(obj, path...)
		if err != nil {
			bp.problems.Collect(err)
			continue
		}
		code, err := codeOf(entity, fields)
		if err != nil {
			bp.problems.AddAt(err, "row_code", path...)
			continue
		}
		bp.b.upserts = append(bp.b.upserts, upsert{entity: entity, code: code, fields: fields, path: path})
	}
}

func (bp *batchParser) relation(i int, r RelationInput) {
	rel := relation{path: []any{"relations", i}}
	var err error
	if rel.source, err = ParseEntityName(r.SourceEntityName); err != nil {
		bp.problems.AddAt(err, "entity_name", "relations", i, "SourceEntityName")
	}
	if rel.target, err = ParseEntityName(r.TargetEntityName); err != nil {
		bp.problems.AddAt(err, "entity_name", "relations", i, "TargetEntityName")
	}
	if rel.sourceCode, err = ParseRowCode(r.SourceRowCode); err != nil {
		bp.problems.AddAt(err, "row_code", "relations", i, "SourceRowCode")
	}
	if rel.targetCode, err = ParseRowCode(r.TargetRowCode); err != nil {
		bp.problems.AddAt(err, "row_code", "relations", i, "TargetRowCode")
	}
	rel.field = bp.targetField(i, r.TargetFieldName, rel.target)
	if rel.source.Key() != "" && rel.target.Key() != "" {
		bp.note(rel.source)
		bp.note(rel.target)
	}
	bp.b.relations = append(bp.b.relations, rel)
}

// targetField is the field a relation writes: neither the target's code
// field nor a server field.
func (bp *batchParser) targetField(i int, name string, target EntityName) FieldName {
	field, err := ParseFieldName(name)
	switch {
	case err != nil:
		bp.problems.AddAt(err, "field_name", "relations", i, "TargetFieldName")
	case target.Key() != "" && field.Key() == target.IDField():
		bp.problems.Add("field_name", domain.Params{domain.RuleParam: "own_code_field"}, "relations", i, "TargetFieldName")
	case IsServerField(field.Display()):
		bp.problems.Add("field_name", domain.Params{domain.RuleParam: "server_field"}, "relations", i, "TargetFieldName")
	}
	return field
}

// Keys lists every row the plan needs to see, sorted and unique: deleted,
// written, and both ends of every relation.
func (b Batch) Keys() []RowKey {
	var keys []RowKey
	for _, d := range b.deletes {
		keys = append(keys, RowKey{d.entity.Key(), d.code})
	}
	for _, u := range b.upserts {
		keys = append(keys, RowKey{u.entity.Key(), u.code})
	}
	for _, r := range b.relations {
		keys = append(keys, RowKey{r.source.Key(), r.sourceCode}, RowKey{r.target.Key(), r.targetCode})
	}
	return sortedUnique(keys)
}

// Entities lists the entities the batch names, under their first spelling.
func (b Batch) Entities() []EntityName { return slices.Clone(b.entities) }

// Size is the number of items in the batch.
func (b Batch) Size() int { return len(b.upserts) + len(b.deletes) + len(b.relations) }

func sortedUnique(keys []RowKey) []RowKey {
	slices.SortFunc(keys, CompareKeys)
	return slices.Compact(keys)
}

// EntityResult counts what a batch did to one entity's rows.
type EntityResult struct {
	Entity    string // first spelling in the request
	Created   int    // new rows, and deleted rows written again
	Updated   int    // existing rows whose fields changed
	Unchanged int    // existing rows sent again with the same fields
	Deleted   int    // live rows deleted
	Related   int    // rows whose field received a relation
}

// Plan is what a batch writes, sorted by key: rows never stored before
// (Creates) and stored rows that change (Updates, deleted rows revived
// included); and the counts.
type Plan struct {
	Creates []Row
	Updates []Row
	Results []EntityResult
}

// outcome is how a batch's result counts a row it names.
type outcome int

const (
	notCounted outcome = iota
	unchanged          // sent again with the same fields
	updated            // a stored live row whose fields changed
	created            // a new row, or a deleted one written again
)

// rowState is one row as the planner carries it through a batch.
type rowState struct {
	row      Row
	stored   bool      // loaded from storage (live or deleted)
	present  bool      // a row, live or deleted, is in the plan
	previous time.Time // its stored srvDateUTC (zero when new)
	outcome  outcome
	deleted  bool // a live row this batch deleted
	related  bool // the target of a relation
	dirty    bool // to be written
}

func (st *rowState) live() bool { return st.present && st.row.IsLive() }

// count raises the row's outcome: created over updated over unchanged.
func (st *rowState) count(o outcome) {
	if o > st.outcome {
		st.outcome = o
	}
}

// planner applies the items of a batch, in order, to the states of rows.
type planner struct {
	rows      map[RowKey]*rowState
	srvExport int
}

func (pl *planner) at(k RowKey) *rowState {
	st := pl.rows[k]
	if st == nil {
		st = &rowState{}
		pl.rows[k] = st
	}
	return st
}

// remove deletes a live row; deleting a missing one is tolerated.
func (pl *planner) remove(d deletion) {
	st := pl.at(RowKey{d.entity.Key(), d.code})
	if !st.live() {
		return
	}
	st.row.srvAttrib, st.row.srvExport = Deleted, pl.srvExport
	st.dirty, st.deleted = true, true
}

// write creates the row (or revives a deleted one, keeping its stored
// spelling) or merges the fields into the live one.
func (pl *planner) write(u upsert) {
	st := pl.at(RowKey{u.entity.Key(), u.code})
	if !st.live() {
		entity := u.entity
		if st.present {
			entity = st.row.entity
		}
		st.row = Row{entity: entity, code: u.code, fields: u.fields.Clone(), srvExport: pl.srvExport, srvAttrib: Live}
		st.present, st.dirty = true, true
		st.count(created)
		return
	}
	merged, changed := st.row.fields.merge(u.fields)
	if !changed && st.row.srvExport == pl.srvExport {
		st.count(unchanged)
		return
	}
	st.row.fields, st.row.srvExport, st.dirty = merged, pl.srvExport, true
	st.count(updated)
}

// relate sets the target row's field to the source row's code; both must
// be live.
func (pl *planner) relate(r relation) error {
	if !pl.at(RowKey{r.source.Key(), r.sourceCode}).live() {
		return &ItemError{Path: r.path, Type: "not_found",
			Params: domain.Params{domain.RuleParam: "no_source_row", "entity": r.source.Display(), "code": r.sourceCode.String()}}
	}
	tgt := pl.at(RowKey{r.target.Key(), r.targetCode})
	if !tgt.live() {
		return &ItemError{Path: r.path, Type: "not_found",
			Params: domain.Params{domain.RuleParam: "no_target_row", "entity": r.target.Display(), "code": r.targetCode.String()}}
	}
	value, _ := json.Marshal(r.sourceCode.String())
	if merged, changed := tgt.row.fields.merge(Fields{r.field.Key(): {Name: r.field.Display(), Value: value}}); changed {
		tgt.row.fields, tgt.row.srvExport, tgt.dirty = merged, pl.srvExport, true
	}
	tgt.related = true
	return nil
}

// PlanBatch applies a batch to the rows loaded for its keys (live and
// deleted): deletes first (a missing code is tolerated), then creates and
// merging updates, then relations. Any failing item fails the whole batch
// with an *ItemError. Rows written get srvDateUTC = NextSrvDate(now, stored)
// and the batch's srvExport; rows sent unchanged are not written.
func PlanBatch(b Batch, existing []Row, now time.Time) (Plan, error) {
	pl := planner{rows: make(map[RowKey]*rowState, len(existing)+len(b.upserts)), srvExport: b.srvExport}
	for _, r := range existing {
		pl.rows[r.Key()] = &rowState{row: r, stored: true, present: true, previous: r.srvDate}
	}
	for _, d := range b.deletes {
		pl.remove(d)
	}
	for _, u := range b.upserts {
		pl.write(u)
	}
	for _, r := range b.relations {
		if err := pl.relate(r); err != nil {
			return Plan{}, err
		}
	}
	return pl.plan(b.entities, now), nil
}

// plan lists the rows to write, sorted by key, and counts the results per
// entity in the order the batch named them.
func (pl *planner) plan(entities []EntityName, now time.Time) Plan {
	results := make(map[string]*EntityResult, len(entities))
	for _, e := range entities {
		results[e.Key()] = &EntityResult{Entity: e.Display()}
	}
	var plan Plan
	for k, st := range pl.rows {
		res := results[k.Entity]
		if res == nil { // a loaded row of an entity the batch never named: impossible, but harmless
			continue
		}
		res.add(st)
		if !st.dirty {
			continue
		}
		st.row.srvDate = NextSrvDate(now, st.previous)
		if st.stored {
			plan.Updates = append(plan.Updates, st.row)
		} else {
			plan.Creates = append(plan.Creates, st.row)
		}
	}
	byKey := func(a, b Row) int { return CompareKeys(a.Key(), b.Key()) }
	slices.SortFunc(plan.Creates, byKey)
	slices.SortFunc(plan.Updates, byKey)
	for _, e := range entities {
		plan.Results = append(plan.Results, *results[e.Key()])
	}
	return plan
}

// add counts one row's state.
func (res *EntityResult) add(st *rowState) {
	switch st.outcome {
	case created:
		res.Created++
	case updated:
		res.Updated++
	case unchanged:
		res.Unchanged++
	}
	if st.deleted {
		res.Deleted++
	}
	if st.related {
		res.Related++
	}
}

// NewRow builds the row a single create writes: its code is read from the
// <entity>_ID field. existing is the stored row of that code, if any: a live
// one is a conflict, a deleted one is revived.
func NewRow(entity EntityName, fields Fields, existing *Row, srvExport int, now time.Time) (Row, error) {
	code, err := codeOf(entity, fields)
	if err != nil {
		return Row{}, domain.InvalidAt(err, "row_code", entity.Display()+"_ID")
	}
	var prev time.Time
	if existing != nil {
		if existing.IsLive() {
			return Row{}, domain.Conflict("row %s/%s already exists", entity.Display(), code)
		}
		prev, entity = existing.srvDate, existing.entity
	}
	return Row{entity: entity, code: code, fields: fields.Clone(), srvDate: NextSrvDate(now, prev), srvExport: srvExport}, nil
}

// Update merges fields into a live row. The row's own code field may be
// given only with the row's code. changed is false when nothing differs (the
// row is then returned as it was, srvDateUTC untouched).
func (r Row) Update(fields Fields, srvExport int, now time.Time) (updated Row, changed bool, err error) {
	if f, ok := fields[r.entity.IDField()]; ok {
		code, err := CodeFromJSON(f.Value)
		if err != nil || code != r.code {
			return Row{}, false, domain.Invalid("row_code", domain.Params{domain.RuleParam: "code_changed", "code": r.code.String()}, f.Name)
		}
	}
	merged, changed := r.fields.merge(fields)
	if !changed && srvExport == r.srvExport {
		return r, false, nil
	}
	r.fields, r.srvExport, r.srvDate = merged, srvExport, NextSrvDate(now, r.srvDate)
	return r, true, nil
}

// Delete turns a live row into a tombstone with a new srvDateUTC.
func (r Row) Delete(srvExport int, now time.Time) Row {
	r.srvAttrib, r.srvExport, r.srvDate = Deleted, srvExport, NextSrvDate(now, r.srvDate)
	return r
}

// WithExport is the row with another export status; srvDateUTC is untouched.
func (r Row) WithExport(v int) Row {
	r.srvExport = v
	return r
}

// KeyOf is the key of an entity's code.
func KeyOf(e EntityName, code RowCode) RowKey { return RowKey{Entity: e.Key(), Code: code} }
