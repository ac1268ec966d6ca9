package dataset

import (
	"encoding/json"
	"fmt"
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

// ItemError names the item of a batch that failed and why. It unwraps to a
// *domain.ValidationError whose path is the item's, e.g. data.customer[3] or
// relations[1].
type ItemError struct {
	Path   []any
	Type   string
	Reason string
}

func (e *ItemError) Error() string {
	return domain.FieldError{Path: e.Path, Message: e.Reason}.String()
}

// Unwrap lets errors.Is(err, domain.ErrInvalid) and errors.As(err,
// **domain.ValidationError) see the item error.
func (e *ItemError) Unwrap() error { return domain.Invalid(e.Type, e.Reason, e.Path...) }

// ParseBatch validates a request: entity and field names, row codes, and
// relation items. Every problem is reported with its path.
func ParseBatch(in BatchInput) (Batch, error) {
	b := Batch{srvExport: in.SrvExport}
	problems := &domain.ValidationError{}
	seen := map[string]bool{}
	note := func(e EntityName) {
		if !seen[e.Key()] {
			seen[e.Key()] = true
			b.entities = append(b.entities, e)
		}
	}
	for _, group := range in.Deletes {
		entity, err := ParseEntityName(group.Entity)
		if err != nil {
			problems.AddAt(err, "entity_name", "deletes", group.Entity)
			continue
		}
		note(entity)
		for i, raw := range group.Codes {
			code, err := CodeFromJSON(raw)
			if err != nil {
				problems.AddAt(err, "row_code", "deletes", group.Entity, i)
				continue
			}
			b.deletes = append(b.deletes, deletion{entity: entity, code: code})
		}
	}
	for _, group := range in.Data {
		entity, err := ParseEntityName(group.Entity)
		if err != nil {
			problems.AddAt(err, "entity_name", "data", group.Entity)
			continue
		}
		note(entity)
		for i, obj := range group.Rows {
			path := []any{"data", group.Entity, i}
			if obj == nil {
				problems.Add("type", "a row must be a JSON object", path...)
				continue
			}
			fields, err := ParseFields(obj, path...)
			if err != nil {
				problems.Collect(err)
				continue
			}
			code, err := codeOf(entity, fields)
			if err != nil {
				problems.AddAt(err, "row_code", path...)
				continue
			}
			b.upserts = append(b.upserts, upsert{entity: entity, code: code, fields: fields, path: path})
		}
	}
	for i, r := range in.Relations {
		rel := relation{path: []any{"relations", i}}
		var err error
		if rel.source, err = ParseEntityName(r.SourceEntityName); err != nil {
			problems.AddAt(err, "entity_name", "relations", i, "SourceEntityName")
		}
		if rel.target, err = ParseEntityName(r.TargetEntityName); err != nil {
			problems.AddAt(err, "entity_name", "relations", i, "TargetEntityName")
		}
		if rel.sourceCode, err = ParseRowCode(r.SourceRowCode); err != nil {
			problems.AddAt(err, "row_code", "relations", i, "SourceRowCode")
		}
		if rel.targetCode, err = ParseRowCode(r.TargetRowCode); err != nil {
			problems.AddAt(err, "row_code", "relations", i, "TargetRowCode")
		}
		if rel.field, err = ParseFieldName(r.TargetFieldName); err != nil {
			problems.AddAt(err, "field_name", "relations", i, "TargetFieldName")
		} else if rel.target.Key() != "" && rel.field.Key() == rel.target.IDField() {
			problems.Add("field_name", "TargetFieldName may not be the target's own code field", "relations", i, "TargetFieldName")
		} else if IsServerField(rel.field.Display()) {
			problems.Add("field_name", "TargetFieldName may not be a server field", "relations", i, "TargetFieldName")
		}
		if rel.source.Key() != "" && rel.target.Key() != "" {
			note(rel.source)
			note(rel.target)
		}
		b.relations = append(b.relations, rel)
	}
	if err := problems.OrNil(); err != nil {
		return Batch{}, err
	}
	return b, nil
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

type planned struct {
	row                          Row
	stored                       bool // the row was loaded (live or deleted)
	exists                       bool // a row (live or deleted) is in state
	dirty, created, deleted, upd bool
	unchangedOnly                bool
	previous                     time.Time
}

// PlanBatch applies a batch to the rows loaded for its keys (live and
// deleted): deletes first (a missing code is tolerated), then creates and
// merging updates, then relations. Any failing item fails the whole batch
// with an *ItemError. Rows written get srvDateUTC = NextSrvDate(now, stored)
// and the batch's srvExport; rows sent unchanged are not written.
func PlanBatch(b Batch, existing []Row, now time.Time) (Plan, error) {
	state := make(map[RowKey]*planned, len(existing)+len(b.upserts))
	for _, r := range existing {
		state[r.Key()] = &planned{row: r, stored: true, exists: true, previous: r.srvDate}
	}
	get := func(k RowKey) *planned {
		p := state[k]
		if p == nil {
			p = &planned{}
			state[k] = p
		}
		return p
	}
	for _, d := range b.deletes {
		p := get(RowKey{d.entity.Key(), d.code})
		if !p.exists || !p.row.IsLive() {
			continue // deleting a missing row is tolerated
		}
		p.row.srvAttrib = Deleted
		p.row.srvExport = b.srvExport
		p.dirty, p.deleted = true, true
	}
	for _, u := range b.upserts {
		p := get(RowKey{u.entity.Key(), u.code})
		if !p.exists || !p.row.IsLive() {
			entity := u.entity
			if p.exists {
				entity = p.row.entity // the stored spelling stays
			}
			p.row = Row{entity: entity, code: u.code, fields: u.fields.Clone(), srvExport: b.srvExport, srvAttrib: Live}
			p.exists, p.dirty, p.created = true, true, true
			continue
		}
		merged, changed := p.row.fields.merge(u.fields)
		if changed || p.row.srvExport != b.srvExport {
			p.row.fields, p.row.srvExport = merged, b.srvExport
			p.dirty = true
			if !p.created {
				p.upd = true
			}
		} else if !p.created && !p.upd {
			p.unchangedOnly = true
		}
	}
	related := map[RowKey]bool{}
	for _, r := range b.relations {
		src := state[RowKey{r.source.Key(), r.sourceCode}]
		if src == nil || !src.exists || !src.row.IsLive() {
			return Plan{}, &ItemError{Path: r.path, Type: "not_found",
				Reason: fmt.Sprintf("source row %s/%s does not exist", r.source.Display(), r.sourceCode)}
		}
		tk := RowKey{r.target.Key(), r.targetCode}
		tgt := state[tk]
		if tgt == nil || !tgt.exists || !tgt.row.IsLive() {
			return Plan{}, &ItemError{Path: r.path, Type: "not_found",
				Reason: fmt.Sprintf("target row %s/%s does not exist", r.target.Display(), r.targetCode)}
		}
		value, _ := json.Marshal(string(r.sourceCode))
		merged, changed := tgt.row.fields.merge(Fields{r.field.Key(): {Name: r.field.Display(), Value: value}})
		if changed {
			tgt.row.fields, tgt.row.srvExport = merged, b.srvExport
			tgt.dirty = true
		}
		related[tk] = true
	}

	results := make(map[string]*EntityResult, len(b.entities))
	var order []string
	for _, e := range b.entities {
		results[e.Key()] = &EntityResult{Entity: e.Display()}
		order = append(order, e.Key())
	}
	var plan Plan
	for k, p := range state {
		res := results[k.Entity]
		if res == nil { // a loaded row of an entity the batch never named: impossible, but harmless
			continue
		}
		switch {
		case p.created:
			res.Created++
		case p.upd:
			res.Updated++
		case p.unchangedOnly:
			res.Unchanged++
		}
		if p.deleted {
			res.Deleted++
		}
		if related[k] {
			res.Related++
		}
		if !p.dirty {
			continue
		}
		p.row.srvDate = NextSrvDate(now, p.previous)
		if p.stored {
			plan.Updates = append(plan.Updates, p.row)
		} else {
			plan.Creates = append(plan.Creates, p.row)
		}
	}
	byKey := func(a, b Row) int { return CompareKeys(a.Key(), b.Key()) }
	slices.SortFunc(plan.Creates, byKey)
	slices.SortFunc(plan.Updates, byKey)
	for _, k := range order {
		plan.Results = append(plan.Results, *results[k])
	}
	return plan, nil
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
			return Row{}, false, domain.Invalid("row_code", fmt.Sprintf("%s may not change the row's code %q", f.Name, r.code), f.Name)
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
