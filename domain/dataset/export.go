package dataset

import (
	"time"

	"github.com/parc-hq/parc/domain"
)

// SrvExport marks rows as exported, but only rows that did not change since
// the caller read them: the caller names each row with the srvDateUTC it
// read, and a row whose srvDateUTC moved is reported, untouched. This is a
// compare-and-set per row; srvDateUTC itself never changes.

// ExportStatus is what SrvExport did to one row.
type ExportStatus string

const (
	ExportUpdated  ExportStatus = "updated"   // srvExport set
	ExportChanged  ExportStatus = "changed"   // the row changed since it was read: untouched
	ExportNotFound ExportStatus = "not_found" // no such row
)

// ExportRowInput is one row of a SrvExport request, as sent.
type ExportRowInput struct {
	RowCode    string
	SrvDateUTC string
}

// ExportItem is one validated row of a SrvExport request.
type ExportItem struct {
	Key     RowKey
	SrvDate time.Time // as the caller read it
}

// ParseExport validates a SrvExport request: the entity name and, per row,
// its code and the srvDateUTC read. Every problem is reported with its path.
func ParseExport(entityName string, rows []ExportRowInput) (EntityName, []ExportItem, error) {
	problems := &domain.ValidationError{}
	e, err := ParseEntityName(entityName)
	if err != nil {
		problems.AddAt(err, "entity_name", "entityName")
	}
	items := make([]ExportItem, 0, len(rows))
	for i, r := range rows {
		code, err := ParseRowCode(r.RowCode)
		if err != nil {
			problems.AddAt(err, "row_code", "rows", i, "rowCode")
			continue
		}
		t, err := ParseSrvDate(r.SrvDateUTC)
		if err != nil {
			problems.AddAt(err, "date", "rows", i, "srvDateUTC")
			continue
		}
		items = append(items, ExportItem{Key: KeyOf(e, code), SrvDate: t})
	}
	if err := problems.OrNil(); err != nil {
		return EntityName{}, nil, err
	}
	return e, items, nil
}

// ExportOutcome is the decision for one requested row.
type ExportOutcome struct {
	Code   RowCode
	Status ExportStatus
	// Row is the stored row with its export status after the call; Found
	// is false (and Row unset) when there is no such row.
	Row   Row
	Found bool
}

// ExportPlan is the decision of a SrvExport call: an outcome per requested
// row, in request order, and the stored rows to set (as they were read:
// the repository sets them only while their srvDateUTC is still that one).
type ExportPlan struct {
	Outcomes []ExportOutcome
	Set      []Row
}

// PlanExport decides a SrvExport call on the rows read for its items
// (stored, any order): a row is set to value when its srvDateUTC is still
// the one the caller read.
func PlanExport(items []ExportItem, stored []Row, value int) ExportPlan {
	byKey := make(map[RowKey]Row, len(stored))
	for _, r := range stored {
		byKey[r.Key()] = r
	}
	plan := ExportPlan{Outcomes: make([]ExportOutcome, len(items))}
	for i, it := range items {
		out := ExportOutcome{Code: it.Key.Code}
		row, ok := byKey[it.Key]
		switch {
		case !ok:
			out.Status = ExportNotFound
		case FormatSrvDate(row.SrvDate()) != FormatSrvDate(it.SrvDate):
			out.Status, out.Row, out.Found = ExportChanged, row, true
		default:
			out.Status, out.Row, out.Found = ExportUpdated, row.WithExport(value), true
			plan.Set = append(plan.Set, row)
		}
		plan.Outcomes[i] = out
	}
	return plan
}

// Keys are the keys of the items, for reading the stored rows.
func ExportKeys(items []ExportItem) []RowKey {
	keys := make([]RowKey, len(items))
	for i, it := range items {
		keys[i] = it.Key
	}
	return keys
}
