package gormstore

import (
	"bytes"
	"cmp"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/parc-hq/parc/domain/dataset"
)

// datasetReadColumns are the columns a row is rebuilt from; the scope
// columns are the query's own and are not read back.
const datasetReadColumns = "entity_name, row_key, fields, field_names, srv_date, srv_export, srv_attrib"

// scanDatasetRows runs a query of datasetReadColumns and rebuilds its rows.
// It scans each row into plain variables rather than through GORM's
// reflection, and decodes the JSON columns from the driver's buffer without
// copying them first: a page of a thousand rows is read several times
// faster so.
func scanDatasetRows(db *gorm.DB) ([]dataset.Row, error) {
	rs, err := db.Select(datasetReadColumns).Rows()
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []dataset.Row
	var (
		entity, code      string
		fields, names     sql.RawBytes
		date              time.Time
		srvExport, attrib int
	)
	for rs.Next() {
		if err := rs.Scan(&entity, &code, &fields, &names, &date, &srvExport, &attrib); err != nil {
			return nil, err
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
	err := eachMember(doc, func(key string, value []byte) {
		out[key] = dataset.Field{Name: key, Value: value}
	})
	if err != nil {
		return dataset.Row{}, fmt.Errorf("decode fields of %s/%s: %w", entity, code, err)
	}
	if len(names) > 0 && string(names) != "{}" {
		var bad error
		err := eachMember(names, func(key string, value []byte) {
			f, ok := out[key]
			if !ok || len(value) < 2 || value[0] != '"' {
				return
			}
			name, err := memberKey(value)
			if err != nil {
				bad = err
				return
			}
			if name != "" {
				f.Name = name
				out[key] = f
			}
		})
		if err = cmp.Or(err, bad); err != nil {
			return dataset.Row{}, fmt.Errorf("decode field names of %s/%s: %w", entity, code, err)
		}
	}
	return dataset.RestoreRow(dataset.RowRecord{Entity: dataset.RestoreEntityName(entity), Code: dataset.RestoreRowCode(code),
		Fields: out, SrvDate: date, SrvExport: srvExport, SrvAttrib: attrib}), nil
}

// eachMember calls fn with each member of the JSON object doc, the key
// decoded and the value as it is in doc. A stored fields document is always
// an object that Parc wrote; this reads it in one pass, where
// json.Unmarshal into a map costs a quarter of a page read.
func eachMember(doc []byte, fn func(key string, value []byte)) error {
	i := skipSpace(doc, 0)
	if i >= len(doc) || doc[i] != '{' {
		return errNotObject
	}
	i = skipSpace(doc, i+1)
	if i < len(doc) && doc[i] == '}' {
		return nil
	}
	for i < len(doc) {
		end := stringEnd(doc, i)
		if end < 0 {
			return errNotObject
		}
		key, err := memberKey(doc[i:end])
		if err != nil {
			return err
		}
		i = skipSpace(doc, end)
		if i >= len(doc) || doc[i] != ':' {
			return errNotObject
		}
		start := skipSpace(doc, i+1)
		stop := valueEnd(doc, start)
		if stop < 0 {
			return errNotObject
		}
		fn(key, doc[start:stop])
		i = skipSpace(doc, stop)
		switch {
		case i < len(doc) && doc[i] == ',':
			i = skipSpace(doc, i+1)
		case i < len(doc) && doc[i] == '}':
			return nil
		default:
			return errNotObject
		}
	}
	return errNotObject
}

var errNotObject = errors.New("not a JSON object")

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index after the JSON string starting at b[i], or -1.
func stringEnd(b []byte, i int) int {
	if i >= len(b) || b[i] != '"' {
		return -1
	}
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return -1
}

// valueEnd returns the index after the JSON value starting at b[i], or -1.
func valueEnd(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				if j = stringEnd(b, j); j < 0 {
					return -1
				}
				j--
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\t' && b[j] != '\n' && b[j] != '\r' {
		j++
	}
	if j == i {
		return -1
	}
	return j
}

// memberKey decodes a quoted string (a key, or a display name); only those
// with escapes (or bytes that are not UTF-8, which the decoder replaces)
// need the decoder.
func memberKey(quoted []byte) (string, error) {
	if bytes.IndexByte(quoted, '\\') < 0 && utf8.Valid(quoted) {
		return string(quoted[1 : len(quoted)-1]), nil
	}
	var s string
	err := json.Unmarshal(quoted, &s)
	return s, err
}
