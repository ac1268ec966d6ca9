package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// clientDataSize is one company's clients, sites (per client) and
// equipment (spread over the sites).
type clientDataSize struct {
	clients, sitesPerClient, equipment int
}

// BenchmarkClientReads measures GET /clients/{id}/infos and
// GET /clients/all?limit=100 on PostgreSQL, on a company of 1,000 clients and
// on one of 10,000 clients (30,000 sites, 100,000 equipment): latency
// percentiles, and SQL statements per request, which must not grow with the
// data (the counts come from one aggregate query).
func BenchmarkClientReads(b *testing.B) {
	target := backend(b, "postgres")
	api, srv := server(b, target)
	statements := countStatements(b, target.DB)
	sizes := []clientDataSize{{1_000, 3, 10_000}, {10_000, 3, 100_000}}
	const requests = 200

	type result struct {
		size                   clientDataSize
		endpoint               string
		p50, p99, queriesPerRq float64
	}
	var results []result
	for b.Loop() {
		results = results[:0]
		for _, size := range sizes {
			company := api.NewCompany(b)
			ids := seedClients(b, target.DB, company.ID, size)
			endpoints := []struct {
				name string
				path func(i int) string
			}{
				{"/clients/{id}/infos", func(int) string { return "/clients/" + ids[rand.IntN(len(ids))] + "/infos" }},
				{"/clients/all?limit=100", func(int) string { return "/clients/all?limit=100" }},
			}
			for _, ep := range endpoints {
				for i := range 20 { // warm-up: connections, plans, caches
					mustSend(b, http.DefaultClient, http.MethodGet, srv.URL+ep.path(i), company.Key, nil)
				}
				durations := make([]time.Duration, requests)
				before := statements.Load()
				for i := range requests {
					start := time.Now()
					mustSend(b, http.DefaultClient, http.MethodGet, srv.URL+ep.path(i), company.Key, nil)
					durations[i] = time.Since(start)
				}
				queries := float64(statements.Load()-before) / requests
				slices.Sort(durations)
				results = append(results, result{size, ep.name, ms(durations[requests/2]), ms(durations[requests*99/100]), queries})
			}
		}
	}

	var table strings.Builder
	fmt.Fprintf(&table, "\n%-8s %-8s %-9s  %-24s %8s %8s %12s\n", "clients", "sites", "equipment", "endpoint", "p50 ms", "p99 ms", "queries/req")
	for _, r := range results {
		fmt.Fprintf(&table, "%-8d %-8d %-9d  %-24s %8.2f %8.2f %12.2f\n", r.size.clients, r.size.clients*r.size.sitesPerClient,
			r.size.equipment, r.endpoint, r.p50, r.p99, r.queriesPerRq)
		if r.size == sizes[len(sizes)-1] {
			name := strings.NewReplacer("/clients/{id}/infos", "infos", "/clients/all?limit=100", "all100").Replace(r.endpoint)
			b.ReportMetric(r.p50, name+"-p50-ms")
			b.ReportMetric(r.p99, name+"-p99-ms")
			b.ReportMetric(r.queriesPerRq, name+"-queries/req")
		}
	}
	b.Log(table.String())
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// countStatements counts every SQL statement GORM sends on db.
func countStatements(b *testing.B, db *gorm.DB) *atomic.Int64 {
	b.Helper()
	n := &atomic.Int64{}
	count := func(*gorm.DB) { n.Add(1) }
	cb := db.Callback()
	for _, err := range []error{
		cb.Query().Before("gorm:query").Register("bench:count_query", count),
		cb.Row().Before("gorm:row").Register("bench:count_row", count),
		cb.Raw().Before("gorm:raw").Register("bench:count_raw", count),
		cb.Create().Before("gorm:create").Register("bench:count_create", count),
		cb.Update().Before("gorm:update").Register("bench:count_update", count),
		cb.Delete().Before("gorm:delete").Register("bench:count_delete", count),
	} {
		if err != nil {
			b.Fatal(err)
		}
	}
	return n
}

// seedClients writes a company's clients, sites and equipment with
// multi-row inserts, and returns the client ids.
func seedClients(b *testing.B, db *gorm.DB, companyID string, size clientDataSize) []string {
	b.Helper()
	start := time.Now()
	now := time.Now().UTC().Truncate(time.Microsecond)
	clients := make([][]any, size.clients)
	var sites [][]any
	for i := range clients {
		id := uuid.NewString()
		clients[i] = []any{id, companyID, fmt.Sprintf("Client %05d", i), int64(i), "active", now, now}
		for j := range size.sitesPerClient {
			sites = append(sites, []any{uuid.NewString(), companyID, id, fmt.Sprintf("Site %d", j), "active", now, now})
		}
	}
	equipment := make([][]any, size.equipment)
	for i := range equipment {
		site := sites[i%len(sites)][0]
		name := fmt.Sprintf("EQ-%07d", i)
		equipment[i] = []any{uuid.NewString(), companyID, site, name, strings.ToLower(name), "computer", "", "", "active", now, now}
	}
	insertRows(b, db, "clients", "id, company_id, nom, code, status, created_at, updated_at", clients)
	insertRows(b, db, "sites", "id, company_id, client_id, nom, status, created_at, updated_at", sites)
	insertRows(b, db, "equipment", "id, company_id, site_id, name, name_key, type, serial, ip_address, status, created_at, updated_at", equipment)
	if err := db.WithContext(context.Background()).Exec("ANALYZE clients, sites, equipment").Error; err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d clients, %d sites, %d equipment in %v", len(clients), len(sites), len(equipment), time.Since(start).Round(time.Millisecond))
	ids := make([]string, len(clients))
	for i, c := range clients {
		ids[i] = c[0].(string)
	}
	return ids
}

func insertRows(b *testing.B, db *gorm.DB, table, columns string, rows [][]any) {
	b.Helper()
	if len(rows) == 0 {
		return
	}
	width := len(rows[0])
	tuple := "(" + strings.TrimSuffix(strings.Repeat("?,", width), ",") + ")"
	const batch = 2000
	for start := 0; start < len(rows); start += batch {
		chunk := rows[start:min(start+batch, len(rows))]
		args := make([]any, 0, len(chunk)*width)
		for _, r := range chunk {
			args = append(args, r...)
		}
		sql := "INSERT INTO " + table + " (" + columns + ") VALUES " + strings.TrimSuffix(strings.Repeat(tuple+",", len(chunk)), ",")
		if err := db.Exec(sql, args...).Error; err != nil {
			b.Fatalf("insert %s: %v", table, err)
		}
	}
}
