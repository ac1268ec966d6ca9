package bench

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// customersAndContacts is a RelationalDataSet of n customers and n contacts,
// each contact related to its customer.
func customersAndContacts(prefix string, n int, version int) []byte {
	customers := make([]map[string]any, n)
	contacts := make([]map[string]any, n)
	relations := make([]map[string]any, n)
	for i := range n {
		cust, cont := fmt.Sprintf("%sC%06d", prefix, i), fmt.Sprintf("%sK%06d", prefix, i)
		customers[i] = map[string]any{"customer_ID": cust, "name": fmt.Sprintf("Customer %d v%d", i, version), "city": "Lyon", "zip": 69000 + i%100}
		contacts[i] = map[string]any{"customerContact_ID": cont, "name": fmt.Sprintf("Contact %d v%d", i, version), "email": fmt.Sprintf("c%d@example.com", i)}
		relations[i] = map[string]any{"SourceEntityName": "customer", "SourceRowCode": cust, "TargetEntityName": "customerContact",
			"TargetFieldName": "customer_ID", "TargetRowCode": cont}
	}
	body, _ := json.Marshal(map[string]any{"data": map[string]any{"customer": customers, "customerContact": contacts}, "relations": relations})
	return body
}

// BenchmarkRelationalDataSet sends batches of 10,000 rows over two entities
// with 5,000 relations through HTTP to PostgreSQL: first creating the rows,
// then changing every one of them.
func BenchmarkRelationalDataSet(b *testing.B) {
	target := backend(b, "postgres")
	api, srv := server(b, target)
	company, project := newProject(b, api, 1)
	key := company.Key
	url := srv.URL + "/v1/Data/" + project + "/RelationalDataSet"
	const perEntity = 5000
	for _, mode := range []string{"create", "update"} {
		b.Run(mode, func(b *testing.B) {
			var total time.Duration
			for i := range b.N {
				prefix := fmt.Sprintf("%d-", i)
				version := 1
				if mode == "update" {
					b.StopTimer()
					mustSend(b, http.DefaultClient, http.MethodPost, url, key, customersAndContacts(prefix+"u", perEntity, 1))
					b.StartTimer()
					prefix, version = prefix+"u", 2
				}
				body := customersAndContacts(prefix, perEntity, version)
				start := time.Now()
				mustSend(b, http.DefaultClient, http.MethodPost, url, key, body)
				total += time.Since(start)
			}
			rowsPerSec := float64(2*perEntity*b.N) / total.Seconds()
			b.ReportMetric(rowsPerSec, "rows/s")
			b.ReportMetric(0, "ns/op")
			b.Logf("RelationalDataSet %-6s | 10,000 rows + 5,000 relations | %8.0f ms | %8.0f rows/s (target ≥ 20,000)",
				mode, total.Seconds()*1000/float64(b.N), rowsPerSec)
		})
	}
}

// BenchmarkChangedSinceSelect reads the 1,000 rows changed since a date
// among 100,000 rows of one entity on PostgreSQL, as an integration's
// "everything changed since my last run, not yet exported" read.
func BenchmarkChangedSinceSelect(b *testing.B) {
	target := backend(b, "postgres")
	api, srv := server(b, target)
	company, project := newProject(b, api, 1)
	key := company.Key
	base := srv.URL + "/v1/Data/" + project + "/"
	const total, changed, chunk = 100_000, 1_000, 10_000
	for start := 0; start < total; start += chunk {
		items := make([]map[string]any, chunk)
		for i := range chunk {
			items[i] = map[string]any{"intervention_ID": fmt.Sprintf("I%07d", start+i), "status": "open", "tech": fmt.Sprintf("T%03d", (start+i)%500)}
		}
		body, _ := json.Marshal(map[string]any{"data": map[string]any{"intervention": items}})
		mustSend(b, http.DefaultClient, http.MethodPost, base+"RelationalDataSet", key, body)
	}
	time.Sleep(2 * time.Millisecond)
	since := time.Now().UTC().Format("2006-01-02T15:04:05.000000Z")
	time.Sleep(2 * time.Millisecond)
	items := make([]map[string]any, changed)
	for i := range changed {
		items[i] = map[string]any{"intervention_ID": fmt.Sprintf("I%07d", i*(total/changed)), "status": "done"}
	}
	body, _ := json.Marshal(map[string]any{"data": map[string]any{"intervention": items}})
	mustSend(b, http.DefaultClient, http.MethodPost, base+"RelationalDataSet", key, body)
	if err := target.DB.Exec("ANALYZE dataset_rows").Error; err != nil {
		b.Fatal(err)
	}

	query, _ := json.Marshal(map[string]any{"entityName": "intervention", "srvExport": 0, "limit": 1000,
		"filterFields": []any{map[string]any{"fieldName": "srvDateUTC", "operator": "GreaterThan", "filterValues": []any{since}}}})
	var ids struct{ ProjectID, CompanyID string }
	target.DB.Raw(`SELECT p.id AS project_id, m.company_id FROM projects p JOIN project_members m ON m.project_id = p.id WHERE p.code = ?`, project).Scan(&ids)
	var plan []string
	target.DB.Raw(`EXPLAIN SELECT * FROM dataset_rows WHERE project_id = ? AND entity_key = 'intervention' AND company_id = ?
		AND srv_export = 0 AND srv_date > ? ORDER BY srv_date ASC, row_key ASC LIMIT 1000`, ids.ProjectID, ids.CompanyID, since).Scan(&plan)

	const reads = 200
	var latencies []time.Duration
	b.ResetTimer()
	for range b.N {
		for range reads {
			start := time.Now()
			resp, out := mustSend(b, http.DefaultClient, http.MethodPost, base+"Select", key, query)
			latencies = append(latencies, time.Since(start))
			if resp.Header.Get("X-Total-Count") != fmt.Sprint(changed) {
				b.Fatalf("X-Total-Count = %s, want %d (%d bytes)", resp.Header.Get("X-Total-Count"), changed, len(out))
			}
		}
	}
	b.StopTimer()
	slices.Sort(latencies)
	pct := func(p float64) time.Duration { return latencies[int(p*float64(len(latencies)-1))] }
	b.ReportMetric(float64(pct(0.50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(pct(0.99).Microseconds())/1000, "p99-ms")
	b.ReportMetric(0, "ns/op")
	b.Logf("changed-since Select | 1,000 of 100,000 rows | p50 %6.1f ms | p99 %6.1f ms (target < 50 ms) | %d reads",
		float64(pct(0.50).Microseconds())/1000, float64(pct(0.99).Microseconds())/1000, len(latencies))
	for _, line := range plan {
		if strings.Contains(line, "Scan") {
			b.Logf("plan: %s", strings.TrimSpace(line))
		}
	}
}
