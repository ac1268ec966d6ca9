package gormstore

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files of TestWriteStatements")

// TestWriteStatements prints every multi-row write of the package, as each
// backend receives it (for two rows), into testdata/writes.<backend>.golden:
// the complete statements, which the source only holds in pieces (columns
// from the row structs, row sources from the dialect). A change to a row
// struct or a dialect shows in the diff of these files; run
// `go test ./adapters/gormstore -run TestWriteStatements -update` to accept it.
func TestWriteStatements(t *testing.T) {
	at := time.Date(2025, 11, 6, 16, 55, 1, 544123000, time.UTC)
	for _, d := range []dialect{dialectSQLite, dialectPostgres, dialectMySQL} {
		t.Run(string(d), func(t *testing.T) {
			var out strings.Builder
			write := func(name string, sql string, args []any) {
				fmt.Fprintf(&out, "-- %s (%d arguments)\n%s;\n\n", name, len(args), sql)
			}
			site := "site-1"
			write(statement(d, "insert accounts", accountsTable, "", []accountRow{{ID: "a1", CreatedAt: at}, {ID: "a2", CreatedAt: at}}))
			write(statement(d, "upsert computers (inventory push)", equipmentTable, computerSeen(d), []equipmentRow{{ID: "e1", LastSeen: &at}, {ID: "e2", SiteID: &site, LastSeen: &at}}))
			write(statement(d, "write installations", installationsTable, installationUpdate(d), []installationRow{{InstalledAt: at}, {InstalledAt: at}}))
			write(statement(d, "write installation history", installationEventsTable, "", []installationEventRow{{OccurredAt: at}, {OccurredAt: at}}))
			write(statement(d, "insert data-set rows", datasetRowsTable, datasetTail(d, false), []datasetRow{{Fields: "{}"}, {Fields: "{}"}}))
			write(statement(d, "save data-set rows", datasetRowsTable, datasetTail(d, true), []datasetRow{{Fields: "{}"}, {Fields: "{}"}}))

			path := filepath.Join("testdata", "writes."+string(d)+".golden")
			if *update {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(out.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got := out.String(); got != string(want) {
				t.Errorf("the write statements of %s changed; if that is meant, run with -update and review the diff.\ngot:\n%s", d, got)
			}
		})
	}
}

// statement renders the statement insertRows sends for rows into t.
func statement[T any](d dialect, name string, t table[T], tail string, rows []T) (string, string, []any) {
	sql, args := d.insertStatement(t.head(), tail, t.values(rows))
	return name, sql, args
}

func TestTablesFollowTheirRowStructs(t *testing.T) {
	// An auto-increment key is the database's to give; every other field
	// is a column, in field order.
	if got := strings.Join(installationEventsTable.columns, ","); got != "company_id,equipment_id,program_key,program,kind,from_version,to_version,occurred_at" {
		t.Errorf("installation_events columns: %s", got)
	}
	row := installationEventRow{ID: 7, CompanyID: "c", EquipmentID: "e", ProgramKey: "k", Program: "P", Kind: "installed", FromVersion: "1", ToVersion: "2"}
	values := installationEventsTable.values([]installationEventRow{row})[0]
	if fmt.Sprint(values[:7]) != "[c e k P installed 1 2]" {
		t.Errorf("values out of column order: %v", values)
	}
}

// TestStatementsStopBeforeTheirSize: a multi-row write of large rows is
// split so that no statement's values, escaped, pass the size given, with
// one row at least in each, whatever the row limit.
func TestStatementsStopBeforeTheirSize(t *testing.T) {
	rows := make([]datasetRow, 10)
	for i := range rows {
		rows[i] = datasetRow{RowKey: fmt.Sprint(i), Fields: jsonDoc(`{"t":"` + strings.Repeat("x", 1000) + `"}`)}
	}
	one := datasetRowsTable.valuesWithin(rows, len(rows), 1)
	if len(one) != 1 {
		t.Errorf("below one row's size: %d rows, want 1", len(one))
	}
	perRow := 0
	for _, v := range one[0] {
		perRow += valueBytes(v)
	}
	for _, c := range []struct{ maxRows, maxBytes, want int }{{10, 3*perRow + perRow/2, 3}, {2, 100 * perRow, 2}, {10, 10 * perRow, 10}} {
		if got := datasetRowsTable.valuesWithin(rows, c.maxRows, c.maxBytes); len(got) != c.want {
			t.Errorf("%d rows, %d bytes at most: %d rows, want %d", c.maxRows, c.maxBytes, len(got), c.want)
		}
	}
	if perRow < 2*1000 {
		t.Errorf("a row of 1,000 bytes of text counts %d bytes: escaping may double it", perRow)
	}
}
