package dataset

import (
	"bytes"
	"cmp"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/parc-hq/parc/domain"
)

// BatchInput is a RelationalDataSet request as sent: its JSON document and
// where its parts are in it. The parsed batch keeps the document (and never
// changes it) while it lives: a row is read in place, not copied.
type BatchInput struct {
	Doc []byte
	// Data is an object of entity names to arrays of rows to create or
	// update, Deletes an object of entity names to arrays of row codes,
	// Relations an array of relation objects (see relationInput); an empty
	// Span is a part not given.
	Data, Deletes, Relations Span
	// SrvExport is the export status every row written gets (default 0).
	SrvExport int
	// MaxProblems bounds the problems a refusal lists (0: no bound); the
	// others are counted, not kept, so that a hostile request cannot make
	// its answer, or the memory that builds it, grow without bound.
	MaxProblems int
}

// relationInput is one item of "relations": the target row's field
// TargetFieldName receives the source row's code. Its member names are
// matched without regard to case; the codes are JSON values (strings or
// numbers) in the document, an empty Span when not given.
type relationInput struct {
	SourceEntityName string
	SourceRowCode    Span
	TargetEntityName string
	TargetFieldName  string
	TargetRowCode    Span
}

// key is where the key of a row that a batch names is: the spelling of the
// entity and the text of the code, in the document or, when the document
// holds it escaped, decoded in the batch's arena. It takes 8 bytes, so that
// a batch indexes a million rows in a few megabytes.
type key struct {
	code  uint32 // offset of the code's text
	name  uint16 // the entity's spelling: an index of Batch.names
	n     uint8  // length of the code's text (at most MaxRowCodeLen)
	arena bool   // the text is in Batch.arena, not in Batch.doc
}

// maxNames bounds the spellings of entity names in one batch (key.name).
const maxNames = math.MaxUint16 + 1

type upsert struct {
	key key
	row Span // the row's object in the document
}

type relation struct {
	source, target key
	field          FieldName
}

// Batch is a validated RelationalDataSet request, ready to be planned a
// chunk at a time (see Run).
type Batch struct {
	doc, arena []byte
	names      []EntityName // every spelling of an entity, in order of appearance
	entityOf   []uint16     // the entity of names[i]: an index of entities
	nameRank   []uint16     // the place of names[i]'s entity in the order of entity keys
	entities   []EntityName // the first spelling of each entity, in order of appearance
	upserts    []upsert     // sorted by key, then in request order
	deletes    []key        // sorted
	relations  []relation   // in request order
	bySource   []int32      // indexes of relations, sorted by source key, then in request order
	byTarget   []int32      // the same by target key
	srvExport  int
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

// ParseBatch validates a request: its shape, entity and field names, rows,
// row codes, and relation items. Every problem is reported with its path
// (at most in.MaxProblems of them, and how many there were in all).
func ParseBatch(in BatchInput) (Batch, error) {
	if len(in.Doc) > MaxDocSize {
		return Batch{}, domain.Invalid("too_large", domain.Params{domain.RuleParam: "batch_bytes", "max_bytes": int64(MaxDocSize)}, "body")
	}
	bp := batchParser{b: Batch{doc: in.Doc, srvExport: in.SrvExport}, problems: &domain.ValidationError{}, max: in.MaxProblems,
		spellings: map[string]uint16{}, entityKeys: map[string]uint16{}, fieldNames: map[string]FieldName{}, fields: Fields{}}
	bp.reserve(in)
	bp.groups(in.Deletes, "deletes", ItemsRowCodes, bp.deletes)
	bp.groups(in.Data, "data", ItemsRows, bp.data)
	if in.Relations.len() > 0 {
		bp.relations(in.Relations)
	}
	if err := bp.err(); err != nil {
		return Batch{}, err
	}
	bp.b.sort()
	return bp.b, nil
}

// batchParser gathers a batch and the problems of its items.
type batchParser struct {
	b          Batch
	problems   *domain.ValidationError
	max        int // problems kept (0: all)
	dropped    int // problems found past max
	spellings  map[string]uint16
	entityKeys map[string]uint16
	fieldNames map[string]FieldName // relations' target fields, each parsed once
	// scratch space of the row being read
	fields      Fields
	members     []member
	rowProblems domain.ValidationError
}

// reserve sizes the lists of rows and codes exactly, so that a large batch
// does not grow them by copies.
func (bp *batchParser) reserve(in BatchInput) {
	count := func(part Span) (n int) {
		members(in.Doc, part, func(_ string, list Span) bool {
			elements(in.Doc, list, func(Span) bool { n++; return true })
			return true
		})
		return n
	}
	bp.b.upserts = make([]upsert, 0, count(in.Data))
	bp.b.deletes = make([]key, 0, count(in.Deletes))
}

// What the lists of a batch hold, as its problems name them ("items").
const (
	ItemsRows     = "rows"
	ItemsRowCodes = "row_codes"
)

// groups reads the part member of a batch (data or deletes), an object of
// entity names to arrays of what (ItemsRows or ItemsRowCodes), calling read with each of them in order.
func (bp *batchParser) groups(part Span, member, what string, read func(entity string, list Span)) {
	if part.len() == 0 {
		return
	}
	isObject := members(bp.b.doc, part, func(entity string, list Span) bool {
		raw := list.in(bp.b.doc)
		if len(raw) == 0 || raw[0] != '[' {
			bp.problems.Add("type", domain.Params{domain.RuleParam: "entity_list", "items": what}, member, entity)
		} else {
			read(entity, list)
		}
		bp.bound()
		return true
	})
	if !isObject && !isNull(part.in(bp.b.doc)) {
		bp.problems.Add("type", domain.Params{domain.RuleParam: "entity_lists", "items": what}, member)
	}
}

// bound keeps at most max problems, counting the others.
func (bp *batchParser) bound() {
	if bp.max > 0 && len(bp.problems.Problems) > bp.max {
		bp.dropped += len(bp.problems.Problems) - bp.max
		clear(bp.problems.Problems[bp.max:])
		bp.problems.Problems = bp.problems.Problems[:bp.max]
	}
}

func (bp *batchParser) err() error {
	if bp.dropped > 0 {
		domain.BoundProblems(bp.problems, len(bp.problems.Problems)+bp.dropped, bp.max)
	}
	return bp.problems.OrNil()
}

// note records a spelling of an entity, the entity under its first
// spelling, and returns the spelling's index.
func (bp *batchParser) note(e EntityName) (uint16, bool) {
	if i, ok := bp.spellings[e.Display()]; ok {
		return i, true
	}
	if len(bp.b.names) == maxNames {
		return 0, false
	}
	entity, ok := bp.entityKeys[e.Key()]
	if !ok {
		entity = uint16(len(bp.b.entities))
		bp.entityKeys[e.Key()] = entity
		bp.b.entities = append(bp.b.entities, e)
	}
	i := uint16(len(bp.b.names))
	bp.spellings[e.Display()] = i
	bp.b.names = append(bp.b.names, e)
	bp.b.entityOf = append(bp.b.entityOf, entity)
	return i, true
}

// entity parses and notes the entity name of a group of member (data or
// deletes).
func (bp *batchParser) entity(name, member string) (EntityName, uint16, bool) {
	e, err := ParseEntityName(name)
	if err != nil {
		bp.problems.AddAt(err, "entity_name", member, name)
		return e, 0, false
	}
	i, ok := bp.note(e)
	if !ok {
		bp.problems.Add("too_many", domain.Params{domain.RuleParam: "max_entities", "max": maxNames}, member, name)
	}
	return e, i, ok
}

// code reads a row code (a JSON string or number at raw in the document)
// of the entity spelling name.
func (bp *batchParser) code(name uint16, raw Span) (key, error) {
	if raw.len() == 0 {
		_, err := ParseRowCode("")
		return key{}, err
	}
	text, at, err := codeText(raw.in(bp.b.doc))
	if err == nil {
		_, err = ParseRowCode(text)
	}
	if err != nil {
		return key{}, err
	}
	if at >= 0 {
		return key{code: raw.Start + uint32(at), n: uint8(len(text)), name: name}, nil
	}
	k := key{code: uint32(len(bp.b.arena)), n: uint8(len(text)), name: name, arena: true}
	bp.b.arena = append(bp.b.arena, text...)
	return k, nil
}

// deletes reads the codes of an entity under "deletes".
func (bp *batchParser) deletes(entity string, codes Span) {
	_, name, ok := bp.entity(entity, "deletes")
	if !ok {
		return
	}
	i := 0
	elements(bp.b.doc, codes, func(raw Span) bool {
		if k, err := bp.code(name, raw); err != nil {
			bp.problems.AddAt(err, "row_code", "deletes", entity, i)
		} else {
			bp.b.deletes = append(bp.b.deletes, k)
		}
		i++
		bp.bound()
		return true
	})
}

// data reads the rows of an entity under "data".
func (bp *batchParser) data(entity string, rows Span) {
	e, name, ok := bp.entity(entity, "data")
	if !ok {
		return
	}
	i := 0
	elements(bp.b.doc, rows, func(row Span) bool {
		bp.row(e, name, row, entity, i)
		i++
		bp.bound()
		return true
	})
}

// row validates the row data.<group>[i] and notes it with its code.
func (bp *batchParser) row(e EntityName, name uint16, row Span, group string, i int) {
	path := func() []any { return []any{"data", group, i} } // built only for a problem
	problems := &bp.rowProblems
	problems.Problems = problems.Problems[:0]
	var isObject bool
	bp.members, isObject = rowFields(bp.fields, bp.members, bp.b.doc, row, problems, nil)
	if !isObject {
		bp.problems.Add("type", domain.Params{domain.RuleParam: "row_object"}, path()...)
		return
	}
	if len(problems.Problems) > 0 {
		for _, p := range problems.Problems {
			p.Path = append(path(), p.Path...)
			bp.problems.Problems = append(bp.problems.Problems, p)
		}
		return
	}
	id, has := bp.fields[e.IDField()]
	if !has {
		bp.problems.AddAt(noCode(e), "row_code", path()...)
		return
	}
	// The code's value, where the document holds it.
	var at Span
	for _, m := range bp.members {
		if m.name == id.Name {
			at = m.value
		}
	}
	k, err := bp.code(name, at)
	if err != nil {
		bp.problems.AddAt(err, "row_code", path()...)
		return
	}
	bp.b.upserts = append(bp.b.upserts, upsert{key: k, row: row})
}

// relations reads the relations array.
func (bp *batchParser) relations(list Span) {
	i := 0
	isArray := elements(bp.b.doc, list, func(item Span) bool {
		if r, ok := bp.relationInput(item); ok {
			bp.relation(i, r)
		} else {
			bp.problems.Add("type", domain.Params{domain.RuleParam: "relation_object"}, "relations", i)
		}
		i++
		bp.bound()
		return true
	})
	if !isArray && !isNull(list.in(bp.b.doc)) {
		bp.problems.Add("type", domain.Params{domain.RuleParam: "kind", "expected": "array"}, "relations")
	}
}

// relationInput reads a relation object: its names are strings (or null),
// its codes any JSON value (ParseBatch checks them). Member names match
// without regard to case, the last of a name given twice winning, as
// encoding/json decodes a struct.
func (bp *batchParser) relationInput(item Span) (relationInput, bool) {
	var r relationInput
	ok := true
	text := func(v Span, dst *string) {
		raw := v.in(bp.b.doc)
		if isNull(raw) {
			*dst = ""
			return
		}
		s, isString := "", len(raw) > 0 && raw[0] == '"'
		if isString {
			s, isString = jsonString(raw)
		}
		*dst, ok = s, ok && isString
	}
	isObject := members(bp.b.doc, item, func(name string, v Span) bool {
		switch {
		case strings.EqualFold(name, "SourceEntityName"):
			text(v, &r.SourceEntityName)
		case strings.EqualFold(name, "TargetEntityName"):
			text(v, &r.TargetEntityName)
		case strings.EqualFold(name, "TargetFieldName"):
			text(v, &r.TargetFieldName)
		case strings.EqualFold(name, "SourceRowCode"):
			r.SourceRowCode = v
		case strings.EqualFold(name, "TargetRowCode"):
			r.TargetRowCode = v
		}
		return true
	})
	return r, ok && isObject
}

func (bp *batchParser) relation(i int, r relationInput) {
	source, err := ParseEntityName(r.SourceEntityName)
	if err != nil {
		bp.problems.AddAt(err, "entity_name", "relations", i, "SourceEntityName")
	}
	target, err := ParseEntityName(r.TargetEntityName)
	if err != nil {
		bp.problems.AddAt(err, "entity_name", "relations", i, "TargetEntityName")
	}
	var rel relation
	var named bool
	if source.Key() != "" && target.Key() != "" {
		var sourceOK, targetOK bool
		rel.source.name, sourceOK = bp.note(source)
		rel.target.name, targetOK = bp.note(target)
		if named = sourceOK && targetOK; !named {
			bp.problems.Add("too_many", domain.Params{domain.RuleParam: "max_entities", "max": maxNames}, "relations", i)
		}
	}
	if rel.source, err = bp.code(rel.source.name, r.SourceRowCode); err != nil {
		bp.problems.AddAt(err, "row_code", "relations", i, "SourceRowCode")
	}
	if rel.target, err = bp.code(rel.target.name, r.TargetRowCode); err != nil {
		bp.problems.AddAt(err, "row_code", "relations", i, "TargetRowCode")
	}
	rel.field = bp.targetField(i, r.TargetFieldName, target)
	if named {
		bp.b.relations = append(bp.b.relations, rel)
	}
}

// targetField is the field a relation writes: neither the target's code
// field nor a server field.
func (bp *batchParser) targetField(i int, name string, target EntityName) FieldName {
	field, known := bp.fieldNames[name]
	var err error
	if !known {
		if field, err = ParseFieldName(name); err == nil {
			bp.fieldNames[name] = field
		}
	}
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

// sort orders the rows and codes by key, and the relations by each end,
// so that a run takes the rows' locks in key order (see Run).
func (b *Batch) sort() {
	order := make([]int, len(b.entities))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(x, y int) int { return cmp.Compare(b.entities[x].Key(), b.entities[y].Key()) })
	rank := make([]uint16, len(b.entities))
	for place, entity := range order {
		rank[entity] = uint16(place)
	}
	b.nameRank = make([]uint16, len(b.names))
	for i, entity := range b.entityOf {
		b.nameRank[i] = rank[entity]
	}
	// Of one key, the rows keep their request order: the document's.
	slices.SortFunc(b.upserts, func(x, y upsert) int { return cmp.Or(b.compare(x.key, y.key), cmp.Compare(x.row.Start, y.row.Start)) })
	slices.SortFunc(b.deletes, b.compare)
	b.bySource = b.relationOrder(func(r relation) key { return r.source })
	b.byTarget = b.relationOrder(func(r relation) key { return r.target })
}

func (b *Batch) relationOrder(end func(relation) key) []int32 {
	out := make([]int32, len(b.relations))
	for i := range out {
		out[i] = int32(i)
	}
	slices.SortFunc(out, func(x, y int32) int {
		return cmp.Or(b.compare(end(b.relations[x]), end(b.relations[y])), cmp.Compare(x, y))
	})
	return out
}

// compare orders keys as CompareKeys orders their RowKeys.
func (b *Batch) compare(x, y key) int {
	return cmp.Or(cmp.Compare(b.nameRank[x.name], b.nameRank[y.name]), bytes.Compare(b.codeBytes(x), b.codeBytes(y)))
}

func (b *Batch) codeBytes(k key) []byte {
	if k.arena {
		return b.arena[k.code : k.code+uint32(k.n)]
	}
	return b.doc[k.code : k.code+uint32(k.n)]
}

// rowKey is the RowKey of k.
func (b *Batch) rowKey(k key) RowKey {
	return RowKey{Entity: b.entities[b.entityOf[k.name]].Key(), Code: RowCode{string(b.codeBytes(k))}}
}

// Size is the number of items in the batch.
func (b Batch) Size() int { return len(b.upserts) + len(b.deletes) + len(b.relations) }

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
	merged, changed := r.fieldMap().merge(fields)
	if !changed && srvExport == r.srvExport {
		return r, false, nil
	}
	r.setFields(merged)
	r.srvExport, r.srvDate = srvExport, NextSrvDate(now, r.srvDate)
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
