package dataset

import (
	"testing"
	"time"
)

func TestPlanExportSetsOnlyRowsStillAsRead(t *testing.T) {
	read := time.Date(2025, 11, 6, 12, 0, 0, 123456000, time.UTC)
	a := stored("order", "A", nil, read, Live)
	b := stored("order", "B", nil, read.Add(time.Microsecond), Live) // written since
	e, items, err := ParseExport("Order", []ExportRowInput{
		{RowCode: "A", SrvDateUTC: "2025-11-06T13:00:00.123456+01:00"},
		{RowCode: "B", SrvDateUTC: FormatSrvDate(read)},
		{RowCode: "C", SrvDateUTC: FormatSrvDate(read)},
	})
	if err != nil || e.Display() != "Order" {
		t.Fatal(e, err)
	}
	plan := PlanExport(items, []Row{b, a}, 2)
	var got []ExportStatus
	for _, o := range plan.Outcomes {
		got = append(got, o.Status)
	}
	if len(got) != 3 || got[0] != ExportUpdated || got[1] != ExportChanged || got[2] != ExportNotFound {
		t.Fatalf("outcomes %v", got)
	}
	if len(plan.Set) != 1 || plan.Set[0].Code().String() != "A" || plan.Set[0].SrvExport() != 0 || plan.Outcomes[0].Row.SrvExport() != 2 {
		t.Fatalf("set %+v, outcome row %+v", plan.Set, plan.Outcomes[0].Row)
	}
	if _, _, err := ParseExport("order", []ExportRowInput{{RowCode: "", SrvDateUTC: "yesterday"}}); err == nil {
		t.Fatal("a bad row was accepted")
	}
}
