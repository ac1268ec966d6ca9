package gormstore

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/parc-hq/parc/domain/dataset"
	"github.com/parc-hq/parc/internal/jsonview"
)

// datasetReadColumns are the columns a row is rebuilt from; the scope
// columns are the query's own and are not read back. SQLite's srv_date is
// read as its text (see dialect.readDate).
func datasetReadColumns(d dialect) string {
	return "entity_name, row_key, fields, field_names, " + d.readDate("srv_date") + ", srv_export, srv_attrib"
}

// scanDatasetRows runs a query of datasetReadColumns and rebuilds its rows.
// It scans each row into plain variables rather than through GORM's
// reflection, and decodes the JSON columns from the driver's buffer without
// copying them first: a page of a thousand rows is read several times
// faster so. The page is sized for up to sizeHint rows at once (capped at
// maxRowsHint): growing it by appends took an eighth of the memory a page
// read allocated.
func scanDatasetRows(db *gorm.DB, sizeHint int) ([]dataset.Row, error) {
	d := dialectOf(db)
	rs, err := db.Select(datasetReadColumns(d)).Rows()
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	return readDatasetRows(rs, d, sizeHint)
}

// readDatasetRows rebuilds the rows of a query of datasetReadColumns(d),
// the pages of Select and the one row of a one-row write alike.
func readDatasetRows(rs *sql.Rows, d dialect, sizeHint int) ([]dataset.Row, error) {
	out := make([]dataset.Row, 0, min(max(sizeHint, 0), maxRowsHint))
	var (
		entity, code      string
		fields, names     sql.RawBytes
		date              time.Time
		dateText          sql.RawBytes
		srvExport, attrib int
		err               error
	)
	dest := []any{&entity, &code, &fields, &names, &date, &srvExport, &attrib}
	if d.datesAsText() {
		dest[4] = &dateText
	}
	for rs.Next() {
		if err := rs.Scan(dest...); err != nil {
			return nil, err
		}
		if d.datesAsText() {
			if date, err = parseSQLiteTime(dateText); err != nil {
				return nil, fmt.Errorf("read srv_date of %s/%s: %w", entity, code, err)
			}
		}
		row, err := restoreDatasetRow(entity, code, fields, names, date, srvExport, attrib)
		if err != nil {
			return nil, err
		}
		out = append(out, row)
	}
	return out, rs.Err()
}

// restoreDatasetRow rebuilds a stored row from its columns: fields holds the
// values by case-folded name, names the display names that differ from it.
func restoreDatasetRow(entity, code string, fields, names []byte, date time.Time, srvExport, attrib int) (dataset.Row, error) {
	// The values are slices of one copy of the document: the driver may
	// reuse its buffer for the next row.
	doc := bytes.Clone(fields)
	out := make(dataset.Fields, 8)
	// A stored document is always an object Parc wrote: it is read in one
	// pass, where json.Unmarshal into a map costs a quarter of a page read.
	isObject := jsonview.EachMember(doc, func(key string, value []byte, _ int) {
		out[key] = dataset.Field{Name: key, Value: value}
	})
	if !isObject {
		return dataset.Row{}, fmt.Errorf("decode fields of %s/%s: %w", entity, code, errNotObject)
	}
	if len(names) > 0 && string(names) != "{}" {
		valid := jsonview.EachMember(names, func(key string, value []byte, _ int) {
			f, ok := out[key]
			if name, isString := jsonview.Unquote(value); ok && isString && name != "" {
				f.Name = name
				out[key] = f
			}
		})
		if !valid {
			return dataset.Row{}, fmt.Errorf("decode field names of %s/%s: %w", entity, code, errNotObject)
		}
	}
	return dataset.RestoreRow(dataset.RowRecord{Entity: dataset.RestoreEntityName(entity), Code: dataset.RestoreRowCode(code),
		Fields: out, SrvDate: date, SrvExport: srvExport, SrvAttrib: attrib}), nil
}

// maxRowsHint bounds what a page's size hint reserves before any row is
// read: a large limit costs memory only for the rows there are.
const maxRowsHint = 1024

var errNotObject = errors.New("not a JSON object")
