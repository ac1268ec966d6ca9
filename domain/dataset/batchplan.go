package dataset

import (
	"encoding/json"
	"iter"
	"time"

	"github.com/parc-hq/parc/domain"
)

// EntityResult counts what a batch did to one entity's rows.
type EntityResult struct {
	Entity    string // first spelling in the request
	Created   int    // new rows, and deleted rows written again
	Updated   int    // existing rows whose fields changed
	Unchanged int    // existing rows sent again with the same fields
	Deleted   int    // live rows deleted
	Related   int    // rows whose field received a relation
}

// Plan is what a batch, or a chunk of it, writes, sorted by key: rows never
// stored before (Creates) and stored rows that change (Updates, deleted rows
// revived included); and, for a whole batch (PlanBatch), the counts.
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

// remove deletes a live row; deleting a missing one is tolerated.
func (st *rowState) remove(srvExport int) {
	if !st.live() {
		return
	}
	st.row.srvAttrib, st.row.srvExport = Deleted, srvExport
	st.dirty, st.deleted = true, true
}

// write creates the row (or revives a deleted one, keeping its stored
// spelling) with fields, or merges them into the live one.
func (st *rowState) write(entity EntityName, code RowCode, fields Fields, srvExport int) {
	if !st.live() {
		if st.present {
			entity = st.row.entity
		}
		st.row = Row{entity: entity, code: code, fields: fields, srvExport: srvExport, srvAttrib: Live}
		st.present, st.dirty = true, true
		st.count(created)
		return
	}
	merged, changed := st.row.fieldMap().merge(fields)
	if !changed && st.row.srvExport == srvExport {
		st.count(unchanged)
		return
	}
	st.row.setFields(merged)
	st.row.srvExport, st.dirty = srvExport, true
	st.count(updated)
}

// relate sets the live row's field to a source row's code.
func (st *rowState) relate(field FieldName, sourceCode string, srvExport int) {
	value, _ := json.Marshal(sourceCode)
	if merged, changed := st.row.fieldMap().merge(Fields{field.Key(): {Name: field.Display(), Value: value}}); changed {
		st.row.setFields(merged)
		st.row.srvExport, st.dirty = srvExport, true
	}
	st.related = true
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

// Chunk sizes: the rows of a chunk are loaded, planned and written
// together, so that a batch of any size holds one chunk's rows decoded at a
// time (its index aside), while each chunk's reads and writes are still
// multi-row statements. A row decoded, planned and converted for storage
// takes about rowCost bytes besides a few times its JSON.
const (
	chunkKeys  = 2000    // rows one chunk names at most
	chunkBytes = 2 << 20 // estimated bytes of a chunk's rows in memory, at least one row's
	rowCost    = 1024
)

// BatchRun is one run of a batch's plan: deletes first (a missing code is
// tolerated), then creates and merging updates, then relations, applied a
// chunk of keys at a time in key order. Each key's items are in one chunk,
// and a key's outcome depends on nothing but its items, its stored row and
// the liveness of the sources of the relations that target it, so a run
// does what planning the whole batch at once does; a relation's source is
// checked in its own chunk. Rows written get srvDateUTC = NextSrvDate(now,
// stored) and the batch's srvExport; rows sent unchanged are not written.
//
// A run is meant to sit inside the transaction that writes it, reading and
// locking each chunk's rows (Chunk.Keys) before planning it: the locks are
// then taken in key order across the whole batch, as one multi-row write
// would take them. A transaction run again starts a new run.
type BatchRun struct {
	b       *Batch
	now     time.Time
	pos     [streams]int // the next item of each stream
	results []EntityResult
	// failure is the first failing relation, in request order, as 2×index
	// (its source is not live) or 2×index+1 (its target is not); -1 when
	// none failed. Once one failed, nothing more is written.
	failure          int
	created, updated int
	// scratch space of the row being decoded
	members  []member
	problems domain.ValidationError
}

// The sorted streams of items a run merges by key.
const (
	deleteStream = iota
	upsertStream
	targetStream // relations, by target
	sourceStream // relations, by source
	streams
)

// Run starts a run of the plan at now, the time rows written are dated.
func (b *Batch) Run(now time.Time) *BatchRun {
	r := &BatchRun{b: b, now: now, failure: -1, results: make([]EntityResult, len(b.entities))}
	for i, e := range b.entities {
		r.results[i].Entity = e.Display()
	}
	return r
}

// Chunk is the items of a run on a run of consecutive keys.
type Chunk struct {
	run    *BatchRun
	keys   []RowKey
	groups []group
}

// group is the items of one key: a range of each stream.
type group struct {
	key   key
	items [streams]struct{ from, to int }
}

// Chunks yields the run's chunks, in key order.
func (r *BatchRun) Chunks() iter.Seq[*Chunk] {
	return func(yield func(*Chunk) bool) {
		for {
			c := r.nextChunk()
			if len(c.groups) == 0 || !yield(c) {
				return
			}
		}
	}
}

func (r *BatchRun) nextChunk() *Chunk {
	c := &Chunk{run: r}
	size := 0
	for len(c.groups) < chunkKeys && size < chunkBytes {
		g, ok := r.nextGroup()
		if !ok {
			break
		}
		size += rowCost
		for i := g.items[upsertStream].from; i < g.items[upsertStream].to; i++ {
			size += 4 * r.b.upserts[i].row.len()
		}
		c.groups = append(c.groups, g)
		c.keys = append(c.keys, r.b.rowKey(g.key))
	}
	return c
}

// keyAt is the key of item i of stream s.
func (r *BatchRun) keyAt(s, i int) (key, bool) {
	b := r.b
	switch s {
	case deleteStream:
		if i < len(b.deletes) {
			return b.deletes[i], true
		}
	case upsertStream:
		if i < len(b.upserts) {
			return b.upserts[i].key, true
		}
	case targetStream:
		if i < len(b.byTarget) {
			return b.relations[b.byTarget[i]].target, true
		}
	case sourceStream:
		if i < len(b.bySource) {
			return b.relations[b.bySource[i]].source, true
		}
	}
	return key{}, false
}

// nextGroup takes the items of the next key in order from every stream.
func (r *BatchRun) nextGroup() (group, bool) {
	var g group
	found := false
	for s := range streams {
		if k, ok := r.keyAt(s, r.pos[s]); ok && (!found || r.b.compare(k, g.key) < 0) {
			g.key, found = k, true
		}
	}
	if !found {
		return g, false
	}
	for s := range streams {
		g.items[s].from = r.pos[s]
		for {
			k, ok := r.keyAt(s, r.pos[s])
			if !ok || r.b.compare(k, g.key) != 0 {
				break
			}
			r.pos[s]++
		}
		g.items[s].to = r.pos[s]
	}
	return g, true
}

// Keys are the rows the chunk names, sorted: read them, under their write
// locks, for Plan.
func (c *Chunk) Keys() []RowKey { return c.keys }

// Plan applies the chunk's items to its rows as stored (live or deleted;
// rows of other keys are ignored) and returns what to write, sorted by key.
// Once a relation of the run failed, it writes nothing.
func (c *Chunk) Plan(stored []Row) Plan {
	r := c.run
	byKey := make(map[RowKey]Row, len(stored))
	for _, row := range stored {
		byKey[row.Key()] = row
	}
	var plan Plan
	for i, g := range c.groups {
		var st rowState
		if row, ok := byKey[c.keys[i]]; ok {
			st = rowState{row: row, stored: true, present: true, previous: row.srvDate}
		}
		r.apply(&st, g, c.keys[i].Code)
		r.results[r.b.entityOf[g.key.name]].add(&st)
		if !st.dirty {
			continue
		}
		st.row.srvDate = NextSrvDate(r.now, st.previous)
		if st.stored {
			plan.Updates = append(plan.Updates, st.row)
		} else {
			plan.Creates = append(plan.Creates, st.row)
		}
	}
	if r.failure >= 0 {
		return Plan{}
	}
	r.created += len(plan.Creates)
	r.updated += len(plan.Updates)
	return plan
}

// apply runs the items of one key on its state.
func (r *BatchRun) apply(st *rowState, g group, code RowCode) {
	b := r.b
	for range g.items[deleteStream].to - g.items[deleteStream].from {
		st.remove(b.srvExport)
	}
	for _, u := range b.upserts[g.items[upsertStream].from:g.items[upsertStream].to] {
		st.write(b.names[u.key.name], code, r.fields(u.row), b.srvExport)
	}
	for _, i := range b.byTarget[g.items[targetStream].from:g.items[targetStream].to] {
		if !st.live() {
			r.fail(2*int(i) + 1)
			continue
		}
		rel := b.relations[i]
		st.relate(rel.field, string(b.codeBytes(rel.source)), b.srvExport)
	}
	for _, i := range b.bySource[g.items[sourceStream].from:g.items[sourceStream].to] {
		if !st.live() {
			r.fail(2 * int(i))
		}
	}
}

// fields decodes the fields of a row of the batch (already validated).
func (r *BatchRun) fields(row Span) Fields {
	out := Fields{}
	r.problems.Problems = r.problems.Problems[:0]
	r.members, _ = rowFields(out, r.members, r.b.doc, row, &r.problems, nil)
	return out
}

func (r *BatchRun) fail(f int) {
	if r.failure < 0 || f < r.failure {
		r.failure = f
	}
}

// BatchOutcome is what a run did: per entity, and the rows it wrote.
type BatchOutcome struct {
	Results          []EntityResult
	Created, Updated int
}

// Finish ends a run whose chunks were all planned (and written): it
// returns the counts, or the *ItemError of the first relation that failed
// (a row written meanwhile must then be rolled back).
func (r *BatchRun) Finish() (BatchOutcome, error) {
	if r.failure >= 0 {
		i := r.failure / 2
		rel := r.b.relations[i]
		rule, end := "no_target_row", rel.target
		if r.failure%2 == 0 {
			rule, end = "no_source_row", rel.source
		}
		return BatchOutcome{}, &ItemError{Path: []any{"relations", i}, Type: "not_found",
			Params: domain.Params{domain.RuleParam: rule, "entity": r.b.names[end.name].Display(), "code": string(r.b.codeBytes(end))}}
	}
	return BatchOutcome{Results: r.results, Created: r.created, Updated: r.updated}, nil
}

// PlanBatch plans a whole batch at once against the rows loaded for its
// keys (live and deleted): see BatchRun, which plans it a chunk at a time.
// Any failing item fails the whole batch with an *ItemError.
func PlanBatch(b Batch, existing []Row, now time.Time) (Plan, error) {
	run := b.Run(now)
	var plan Plan
	for c := range run.Chunks() {
		p := c.Plan(existing)
		plan.Creates = append(plan.Creates, p.Creates...)
		plan.Updates = append(plan.Updates, p.Updates...)
	}
	out, err := run.Finish()
	if err != nil {
		return Plan{}, err
	}
	plan.Results = out.Results
	return plan, nil
}
