package gormstore

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

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
// read allocated. On PostgreSQL the rows come through pgx's own interface
// (see scanPgRows).
func (s *Store) scanDatasetRows(db *gorm.DB, sizeHint int) ([]dataset.Row, error) {
	d := dialectOf(db)
	db = db.Select(datasetReadColumns(d))
	if c, ok := db.Statement.ConnPool.(driverConner); ok {
		return s.scanPgRows(db, c, sizeHint)
	}
	rs, err := db.Rows()
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	return readDatasetRows(rs, d, sizeHint)
}

// driverConner is a PostgreSQL pool or transaction that lends its pgx
// connection (the database package's).
type driverConner interface {
	WithDriverConn(ctx context.Context, fn func(*pgx.Conn) error) error
}

// scanPgRows runs the query db describes on a pgx connection. Through
// database/sql, pgx made a string or a copy of every text and JSON value
// and boxed each value in an interface, which database/sql then converted
// into the scan's variables: a fifth of the CPU and a quarter of the
// memory of a changed-since page of a thousand rows. pgx's own Scan reads
// them in place. The query keeps what GORM's callbacks give the others
// (see rawDone).
func (s *Store) scanPgRows(db *gorm.DB, c driverConner, sizeHint int) ([]dataset.Row, error) {
	ctx := db.Statement.Context
	if err := abortedBefore(ctx); err != nil {
		return nil, err
	}
	stmt := db.Session(&gorm.Session{DryRun: true, Logger: logger.Discard}).Find(&[]datasetRow{})
	if stmt.Error != nil {
		return nil, stmt.Error
	}
	query := stmt.Statement.SQL.String()
	begin := time.Now()
	var out []dataset.Row
	err := c.WithDriverConn(ctx, func(conn *pgx.Conn) error {
		rows, err := conn.Query(ctx, query, stmt.Statement.Vars...)
		if err != nil {
			return err
		}
		defer rows.Close()
		out, err = readPgRows(rows, sizeHint)
		return err
	})
	return out, s.rawDone(ctx, begin, query, int64(len(out)), err)
}

// readPgRows is readDatasetRows on pgx's rows. The text and JSON columns
// are read in the driver's buffer (valid until the next row); restore
// copies what it keeps.
func readPgRows(rows pgx.Rows, sizeHint int) ([]dataset.Row, error) {
	page, out := newPage(sizeHint)
	var (
		entity, code, fields, names pgtype.DriverBytes
		date                        time.Time
		srvExport, attrib           int
		entityName                  string
	)
	dest := []any{&entity, &code, &fields, &names, &date, &srvExport, &attrib} // made once, not per row
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		if string(entity) != entityName { // the rows of a page are mostly of one entity
			entityName = string(entity)
		}
		row, err := page.restore(entityName, string(code), fields, names, date, srvExport, attrib)
		if err != nil {
			return nil, err
		}
		out = append(out, row)
	}
	return out, rows.Err()
}

// readDatasetRows rebuilds the rows of a query of datasetReadColumns(d),
// the pages of Select and the one row of a one-row write alike.
func readDatasetRows(rs *sql.Rows, d dialect, sizeHint int) ([]dataset.Row, error) {
	page, out := newPage(sizeHint)
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
		row, err := page.restore(entity, code, fields, names, date, srvExport, attrib)
		if err != nil {
			return nil, err
		}
		out = append(out, row)
	}
	return out, rs.Err()
}

// pageReader rebuilds the rows of one query. The rows' documents and
// fields are copied into chunks shared by the rows that follow, sized for
// the rows still expected: a page of a thousand rows spent most of its
// allocations on a copy and a slice per row.
type pageReader struct {
	left    int // rows still expected, at least 1
	docs    []byte
	fields  []dataset.StoredField
	scratch []dataset.StoredField
	keys    keyCache
	// names is the last names document parsed (see displayNames), pairs
	// what it holds.
	names []byte
	pairs []displayName
}

// newPage starts reading a page of up to sizeHint rows: its reader, and
// the rows' slice, reserved for at most maxRowsHint of them.
func newPage(sizeHint int) (pageReader, []dataset.Row) {
	return pageReader{left: max(sizeHint, 1), keys: keyCache{}}, make([]dataset.Row, 0, min(max(sizeHint, 0), maxRowsHint))
}

// arenaChunk bounds a chunk of documents (bytes) or of fields (entries).
const arenaChunk = 64 << 10

// restore rebuilds a stored row from its columns: fields holds the values
// by case-folded name, names the display names that differ from it.
func (p *pageReader) restore(entity, code string, fields, names []byte, date time.Time, srvExport, attrib int) (dataset.Row, error) {
	// The values are slices of a copy of the document: the driver may
	// reuse its buffer for the next row.
	doc := p.copyDoc(fields)
	fs := p.scratch[:0]
	// A stored document is always an object Parc wrote: it is read in one
	// pass, where json.Unmarshal into a map costs a quarter of a page read.
	isObject := jsonview.EachRawMember(doc, func(quoted, value []byte, _ int) bool {
		key, ok := p.keys.key(quoted)
		fs = append(fs, dataset.StoredField{Key: key, Field: dataset.Field{Name: key, Value: value}})
		return ok
	})
	p.scratch = fs
	if !isObject {
		return dataset.Row{}, fmt.Errorf("decode fields of %s/%s: %w", entity, code, errNotObject)
	}
	if len(names) > 0 && string(names) != "{}" {
		if err := p.displayNames(fs, names); err != nil {
			return dataset.Row{}, fmt.Errorf("decode field names of %s/%s: %w", entity, code, err)
		}
	}
	stored := p.keep(fs)
	p.left = max(p.left-1, 1)
	return dataset.RestoreRow(dataset.RowRecord{Entity: dataset.RestoreEntityName(entity), Code: dataset.RestoreRowCode(code),
		Stored: stored, SrvDate: date, SrvExport: srvExport, SrvAttrib: attrib}), nil
}

// displayNames gives the fields the display names of the names document.
// Its keys come in the order of the fields document's: each is looked for
// from where the last one was found. The rows of a page mostly have the
// same names document: it is parsed again only when it differs from the
// row before's.
func (p *pageReader) displayNames(fs []dataset.StoredField, names []byte) error {
	if !bytes.Equal(names, p.names) {
		p.names = append(p.names[:0], names...)
		p.pairs = p.pairs[:0]
		valid := jsonview.EachMember(names, func(key string, value []byte, _ int) {
			if name, isString := jsonview.Unquote(value); isString && name != "" {
				p.pairs = append(p.pairs, displayName{key: key, name: name})
			}
		})
		if !valid {
			p.names = p.names[:0] // not a document to keep
			return errNotObject
		}
	}
	at := 0
	for _, pair := range p.pairs {
		for range fs {
			if at >= len(fs) {
				at = 0
			}
			if fs[at].Key == pair.key {
				fs[at].Name = pair.name
				break
			}
			at++
		}
	}
	return nil
}

// displayName is a field's display name, by its key.
type displayName struct{ key, name string }

// copyDoc copies a document into the page's current chunk.
func (p *pageReader) copyDoc(b []byte) []byte {
	if cap(p.docs)-len(p.docs) < len(b) {
		p.docs = make([]byte, 0, max(len(b), min(len(b)*p.left, arenaChunk)))
	}
	start := len(p.docs)
	p.docs = append(p.docs, b...)
	return p.docs[start:len(p.docs):len(p.docs)]
}

// keep copies a row's fields into the page's current chunk of fields.
func (p *pageReader) keep(fs []dataset.StoredField) []dataset.StoredField {
	if len(fs) == 0 {
		return []dataset.StoredField{}
	}
	if cap(p.fields)-len(p.fields) < len(fs) {
		p.fields = make([]dataset.StoredField, 0, max(len(fs), min(len(fs)*p.left, arenaChunk/16)))
	}
	start := len(p.fields)
	p.fields = append(p.fields, fs...)
	return p.fields[start:len(p.fields):len(p.fields)]
}

// keyCache holds the keys of the documents read so far, by their JSON
// spelling: the rows of a page mostly have the same keys, read once.
type keyCache map[string]string

// maxCachedKeys bounds a page's cache of keys.
const maxCachedKeys = 256

func (c keyCache) key(quoted []byte) (string, bool) {
	if k, ok := c[string(quoted)]; ok {
		return k, true
	}
	k, ok := jsonview.Unquote(quoted)
	if ok && c != nil && len(c) < maxCachedKeys {
		c[string(quoted)] = k
	}
	return k, ok
}

// maxRowsHint bounds what a page's size hint reserves before any row is
// read: a large limit costs memory only for the rows there are.
const maxRowsHint = 1024

var errNotObject = errors.New("not a JSON object")
