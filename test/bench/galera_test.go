package bench

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/parc-hq/parc/adapters/database"
	"github.com/parc-hq/parc/adapters/gormstore"
	"github.com/parc-hq/parc/test/apitest"
	"github.com/parc-hq/parc/test/dbtest"
)

// galeraDeployments are the shapes the Galera benchmarks compare, on one
// database of the cluster: one Parc instance on node 1 (all traffic through
// one node, the others standing by), three instances on the three nodes
// with callers spread over them, and the same without the read-your-writes
// wait (wsrep_sync_wait=0), to price it.
func galeraDeployments(b *testing.B) map[string][]*httptest.Server {
	b.Helper()
	targets := dbtest.Instances(b, dbtest.Galera(), 3)
	var noWait []*dbtest.Target
	for _, t := range targets {
		noWait = append(noWait, withoutSyncWait(b, t))
	}
	return map[string][]*httptest.Server{
		"1 node":                     servers(b, targets[:1]),
		"3 nodes":                    servers(b, targets),
		"3 nodes, wsrep_sync_wait=0": servers(b, noWait),
	}
}

// galeraShapes orders the deployments in reports.
var galeraShapes = []string{"1 node", "3 nodes", "3 nodes, wsrep_sync_wait=0"}

func withoutSyncWait(b *testing.B, t *dbtest.Target) *dbtest.Target {
	b.Helper()
	u, err := url.Parse(t.URL)
	if err != nil {
		b.Fatal(err)
	}
	q := u.Query()
	q.Set("wsrep_sync_wait", "0")
	u.RawQuery = q.Encode()
	db, err := database.Open(database.Config{URL: u.String()}, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = database.Close(db) })
	return &dbtest.Target{Backend: t.Backend, URL: u.String(), DB: db, Store: gormstore.New(db)}
}

func servers(b *testing.B, targets []*dbtest.Target) []*httptest.Server {
	b.Helper()
	var out []*httptest.Server
	for _, t := range targets {
		_, srv := server(b, t)
		out = append(out, srv)
	}
	return out
}

// spread runs callers goroutines, caller c talking to server c mod the
// number of servers, each making calls calls; it returns the time they took
// and the first error.
func spread(srvs []*httptest.Server, callers, calls int, call func(client *http.Client, base string, c, k int) error) (time.Duration, error) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: callers}}
	return concurrently(callers, calls, func(c, k int) error { return call(client, srvs[c%len(srvs)].URL, c, k) })
}

func okStatus(resp *http.Response, body []byte, err error) error {
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("status %d: %.300s", resp.StatusCode, body)
	}
	return err
}

// BenchmarkGaleraLicences: 30 callers each make 10 bulk calls of one new
// active account, through one node or spread over three. "one project":
// every call takes the same project's licence guard (the worst case on a
// cluster, where concurrent holders on different nodes abort one another);
// "a project each": every caller has its own, as independent tenants do.
// Reports calls/s; needs PARC_TEST_GALERA.
func BenchmarkGaleraLicences(b *testing.B) {
	deployments := galeraDeployments(b)
	api := apitest.New(b, dbtest.Instances(b, dbtest.Galera(), 3)[0])
	const callers, calls = 30, 10
	for _, shared := range []bool{true, false} {
		for _, shape := range galeraShapes {
			name := map[bool]string{true: "one project", false: "a project each"}[shared] + "/" + shape
			b.Run(name, func(b *testing.B) {
				var elapsed time.Duration
				for iter := range b.N {
					projects := make([]string, callers)
					keys := make([]string, callers)
					for c := range callers {
						if c == 0 || !shared {
							company, project := newProject(b, api, callers*calls)
							projects[c], keys[c] = project, company.Key
							continue
						}
						projects[c], keys[c] = projects[0], keys[0]
					}
					took, err := spread(deployments[shape], callers, calls, func(client *http.Client, base string, c, k int) error {
						body := accountItems(fmt.Sprintf("g%d-c%02d-k%02d", iter, c, k), 1, "active")
						resp, out, err := send(client, http.MethodPost, base+"/v1/Accounts/"+projects[c], keys[c], body)
						return okStatus(resp, out, err)
					})
					if err != nil {
						b.Fatalf("licence call: %v", err)
					}
					elapsed += took
				}
				perSec := float64(callers*calls*b.N) / elapsed.Seconds()
				b.ReportMetric(perSec, "calls/s")
				b.Logf("galera licences, %s: %.0f calls/s", name, perSec)
			})
		}
	}
}

// BenchmarkGaleraInventory: 6 agents each push 5 batches of 20 computers ×
// 25 programs (500 records; every batch after the first changes every
// version), each agent for its own company, through one node or spread over
// three. Reports records/s; needs PARC_TEST_GALERA.
func BenchmarkGaleraInventory(b *testing.B) {
	deployments := galeraDeployments(b)
	api := apitest.New(b, dbtest.Instances(b, dbtest.Galera(), 3)[0])
	const agents, batches, computers, programs = 6, 5, 20, 25
	for _, shape := range galeraShapes {
		b.Run(shape, func(b *testing.B) {
			var elapsed time.Duration
			for range b.N {
				keys := make([]string, agents)
				for a := range agents {
					keys[a] = api.NewCompany(b).Key
				}
				took, err := spread(deployments[shape], agents, batches, func(client *http.Client, base string, a, k int) error {
					records := make([]map[string]string, 0, computers*programs)
					for c := range computers {
						for p := range programs {
							records = append(records, map[string]string{"computer_name": fmt.Sprintf("pc-%03d", c),
								"program": fmt.Sprintf("program-%02d", p), "version": fmt.Sprintf("1.%d", k)})
						}
					}
					body, _ := json.Marshal(records)
					resp, out, err := send(client, http.MethodPost, base+"/client-data", keys[a], body)
					return okStatus(resp, out, err)
				})
				if err != nil {
					b.Fatalf("push: %v", err)
				}
				elapsed += took
			}
			perSec := float64(agents*batches*computers*programs*b.N) / elapsed.Seconds()
			b.ReportMetric(perSec, "records/s")
			b.Logf("galera inventory, %s: %.0f records/s", shape, perSec)
		})
	}
}

// BenchmarkGaleraReadYourWrites prices wsrep_sync_wait=1: one caller writes
// a data-set row through one node and reads it at once through the next,
// 100 times, with three Parc instances whose sessions wait for causality
// and three whose sessions do not, the two interleaved three times. Reports
// the median milliseconds per read of each, and the reads that came back
// stale without the wait.
func BenchmarkGaleraReadYourWrites(b *testing.B) {
	deployments := galeraDeployments(b)
	api := apitest.New(b, dbtest.Instances(b, dbtest.Galera(), 3)[0])
	owner := api.NewCompany(b)
	code := "RYW-" + fmt.Sprint(time.Now().UnixNano())
	resp := api.Admin(b, http.MethodPost, "/admin/projects", map[string]any{"code": code, "licenses": 1, "companies": []string{owner.Code}})
	if resp.Status != http.StatusCreated {
		b.Fatalf("create project: %d %s", resp.Status, resp.Body)
	}
	client := &http.Client{}
	const tries = 100
	run := func(shape string, round int) (perRead time.Duration, stale int) {
		srvs := deployments[shape]
		var reading time.Duration
		for i := range tries {
			row := fmt.Sprintf("%s-%d-%03d", shape[:1]+fmt.Sprint(len(shape)), round, i)
			path := "/v1/Data/" + code + "/note"
			body, _ := json.Marshal(map[string]any{"note_ID": row, "text": "x"})
			w, out, err := send(client, http.MethodPost, srvs[i%len(srvs)].URL+path, owner.Key, body)
			if err != nil || w.StatusCode != http.StatusCreated {
				b.Fatalf("write: %v %.300s", err, out)
			}
			start := time.Now()
			r, _, err := send(client, http.MethodGet, srvs[(i+1)%len(srvs)].URL+path+"/"+row, owner.Key, nil)
			reading += time.Since(start)
			if err != nil {
				b.Fatal(err)
			}
			if r.StatusCode != http.StatusOK {
				stale++
			}
		}
		return reading / tries, stale
	}
	for range b.N {
		got := map[string][]time.Duration{}
		stale := map[string]int{}
		for round := range 3 {
			for _, shape := range galeraShapes[1:] {
				d, s := run(shape, round)
				got[shape] = append(got[shape], d)
				stale[shape] += s
			}
		}
		for _, shape := range galeraShapes[1:] {
			m := medianDuration(got[shape])
			b.ReportMetric(float64(m.Microseconds())/1000, "ms/read("+map[bool]string{true: "wait", false: "no-wait"}[shape == "3 nodes"]+")")
			b.Logf("galera read after write through another node, %s: %.2f ms per read (median of 3 × %d), %d of %d stale",
				shape, float64(m.Microseconds())/1000, tries, stale[shape], 3*tries)
		}
	}
}

func medianDuration(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}
