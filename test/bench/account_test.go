package bench

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/parc-hq/parc/test/apitest"
)

func accountItems(prefix string, n int, status string) []byte {
	items := make([]map[string]string, n)
	for i := range items {
		login := fmt.Sprintf("%s-%05d", prefix, i)
		items[i] = map[string]string{"login": login, "email": login + "@example.com", "name": "User " + login, "status": status}
	}
	body, _ := json.Marshal(items)
	return body
}

// activeCount re-checks the invariant through the API: the project's active
// accounts, counted by listing them, and the licence count.
func activeCount(b *testing.B, api *apitest.API, key, project string) (active, licenses int) {
	b.Helper()
	resp := api.Call(b, http.MethodGet, "/v1/Accounts/"+project+"?status=active&limit=1", key, nil)
	if resp.Status != http.StatusOK {
		b.Fatalf("list accounts: %d %s", resp.Status, resp.Body)
	}
	var out struct {
		Licenses int `json:"licenses"`
		Used     int `json:"used"`
	}
	resp.JSON(b, &out)
	total, _ := strconv.Atoi(resp.Header.Get("X-Total-Count"))
	if total != out.Used {
		b.Fatalf("listed %d active accounts, usage says %d", total, out.Used)
	}
	return total, out.Licenses
}

// BenchmarkAccountsBulk1000 times one bulk call of 1,000 new accounts (500
// licences: half are created disabled), then the same call again (every
// account unchanged), then 1,000 status changes (the 500 active ones freed,
// the 500 disabled ones taking their licences).
func BenchmarkAccountsBulk1000(b *testing.B) {
	for _, name := range []string{"postgres", "mysql", "sqlite"} {
		b.Run(name, func(b *testing.B) {
			api, srv := server(b, backend(b, name))
			const n = 1000
			var create, resend, flip time.Duration
			for range b.N {
				company, project := newProject(b, api, n/2)
				url := srv.URL + "/v1/Accounts/" + project
				body := accountItems("user", n, "active")
				flipItems := make([]map[string]string, n)
				for i := range flipItems {
					status := "active"
					if i < n/2 {
						status = "disabled"
					}
					flipItems[i] = map[string]string{"login": fmt.Sprintf("user-%05d", i), "status": status}
				}
				flipBody, _ := json.Marshal(flipItems)
				for _, step := range []struct {
					body []byte
					into *time.Duration
				}{{body, &create}, {body, &resend}, {flipBody, &flip}} {
					start := time.Now()
					mustSend(b, srv.Client(), http.MethodPost, url, company.Key, step.body)
					*step.into += time.Since(start)
				}
				if active, licenses := activeCount(b, api, company.Key, project); active != licenses {
					b.Fatalf("%d active accounts for %d licences", active, licenses)
				}
			}
			perCall := func(d time.Duration) float64 { return float64(d.Milliseconds()) / float64(b.N) }
			perSec := func(d time.Duration) float64 { return float64(n*b.N) / d.Seconds() }
			b.ReportMetric(perSec(create), "created/s")
			b.ReportMetric(perSec(resend), "unchanged/s")
			b.ReportMetric(perSec(flip), "updated/s")
			b.Logf("%s, 1,000 accounts per call: create %.0f ms (%.0f/s), resend %.0f ms (%.0f/s), status flip %.0f ms (%.0f/s)",
				name, perCall(create), perSec(create), perCall(resend), perSec(resend), perCall(flip), perSec(flip))
		})
	}
}

// BenchmarkAccountsConcurrent has 50 callers each make 20 bulk calls of one
// new active account at once, over HTTP, for a project with 500 licences:
// the calls serialise on the project's lock. It reports calls/s and fails if
// the project ends with more active accounts than licences (or fewer: every
// licence must have been handed out).
func BenchmarkAccountsConcurrent(b *testing.B) {
	for _, name := range []string{"postgres", "mysql", "sqlite"} {
		b.Run(name, func(b *testing.B) {
			api, srv := server(b, backend(b, name))
			const callers, callsEach, licenses = 50, 20, 500
			var elapsed time.Duration
			for iter := range b.N {
				company, project := newProject(b, api, licenses)
				url := srv.URL + "/v1/Accounts/" + project
				client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: callers}}
				took, err := concurrently(callers, callsEach, func(c, k int) error {
					body := accountItems(fmt.Sprintf("i%d-c%02d-k%02d", iter, c, k), 1, "active")
					return okStatus(send(client, http.MethodPost, url, company.Key, body))
				})
				elapsed += took
				if err != nil {
					b.Fatalf("concurrent call: %v", err)
				}
				if active, got := activeCount(b, api, company.Key, project); active != licenses || got != licenses {
					b.Fatalf("%d active accounts for %d licences", active, got)
				}
			}
			calls := float64(callers * callsEach * b.N)
			b.ReportMetric(calls/elapsed.Seconds(), "calls/s")
			b.Logf("%s, %d callers × %d calls: %.0f calls/s, %.2f ms/call on average; invariant held: %d active == %d licences",
				name, callers, callsEach, calls/elapsed.Seconds(), float64(elapsed.Microseconds())/1000/calls*callers, licenses, licenses)
		})
	}
}
