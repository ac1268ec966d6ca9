package gormstore

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"strings"
	"sync"

	"gorm.io/gorm/schema"
)

// table is how the multi-row writes of this package see a table: its name,
// columns and values all derived from its row struct, the one definition of
// the table (the same GORM schema the migrations create it from). A column
// added to, or moved in, the struct is written in its place with no other
// change; nothing lists columns beside positional values.
type table[T any] struct {
	name    string
	columns []string
	fields  []*schema.Field
}

// newTable derives the table of row struct T: every column but an
// auto-increment key and the read-only ones, in field order. It panics on a struct GORM cannot
// parse, a programming error found by any test.
func newTable[T any]() table[T] {
	sch, err := schema.Parse(new(T), &sync.Map{}, schema.NamingStrategy{})
	if err != nil {
		panic(fmt.Sprintf("row struct %T: %v", *new(T), err))
	}
	t := table[T]{name: sch.Table}
	for _, f := range sch.Fields {
		if f.DBName == "" || f.AutoIncrement || !f.Creatable {
			continue
		}
		t.columns = append(t.columns, f.DBName)
		t.fields = append(t.fields, f)
	}
	return t
}

// head is "INSERT INTO name (columns)", the start of every insert into it.
func (t table[T]) head() string {
	return "INSERT INTO " + t.name + " (" + strings.Join(t.columns, ", ") + ")"
}

// values reads the rows' column values, in column order.
func (t table[T]) values(rows []T) [][]any {
	return t.valuesWithin(rows, len(rows), math.MaxInt)
}

// valuesWithin reads the column values of the first rows, in column order:
// at most maxRows rows, and no more than fit in maxBytes as a statement
// carries them (valueBytes), one row at least.
func (t table[T]) valuesWithin(rows []T, maxRows, maxBytes int) [][]any {
	n := min(len(rows), maxRows)
	out := make([][]any, 0, n)
	flat := make([]any, n*len(t.fields))
	ctx := context.Background()
	size := 0
	for i := range n {
		v := reflect.ValueOf(&rows[i]).Elem()
		row := flat[i*len(t.fields) : (i+1)*len(t.fields) : (i+1)*len(t.fields)]
		rowSize := 0
		for c, f := range t.fields {
			row[c], _ = f.ValueOf(ctx, v)
			rowSize += valueBytes(row[c])
		}
		if size += rowSize; i > 0 && size > maxBytes {
			break
		}
		out = append(out, row)
	}
	return out
}

// valueBytes is the most bytes a value takes in a statement's text: a
// text escaped throughout and quoted, a separator after it.
func valueBytes(v any) int {
	switch x := v.(type) {
	case string:
		return 2*len(x) + 4
	case jsonDoc:
		return 2*len(x) + 4
	case *string:
		if x != nil {
			return 2*len(*x) + 4
		}
	case []byte:
		return 2*len(x) + 4
	}
	return 32 // numbers, times, booleans, NULL
}

// Tables whose rows this package writes in multi-row statements.
var (
	accountsTable           = newTable[accountRow]()
	equipmentTable          = newTable[equipmentRow]()
	installationsTable      = newTable[installationRow]()
	installationEventsTable = newTable[installationEventRow]()
	datasetRowsTable        = newTable[datasetRow]()
)
