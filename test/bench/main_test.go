// Package bench holds the performance benchmarks of `make bench`. They run
// against real servers (httptest on the real engine) and real databases,
// report throughput with b.ReportMetric, and print their figures.
package bench

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/parc-hq/parc/test/apitest"
	"github.com/parc-hq/parc/test/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// backend returns the named backend's database, or skips the benchmark.
func backend(b *testing.B, name string) *dbtest.Target {
	b.Helper()
	for _, be := range dbtest.Backends() {
		if be.Name == name {
			return dbtest.Get(b, be)
		}
	}
	b.Fatalf("unknown backend %q", name)
	return nil
}

// server starts the real engine on a loopback port over the target.
func server(b *testing.B, target *dbtest.Target) (*apitest.API, *httptest.Server) {
	b.Helper()
	api := apitest.New(b, target)
	srv := httptest.NewServer(api.Handler)
	b.Cleanup(srv.Close)
	return api, srv
}

// newProject creates a company and a project of it with the given licences,
// and returns the company (with its key) and the project's code.
func newProject(b *testing.B, api *apitest.API, licenses int) (apitest.Company, string) {
	b.Helper()
	company := api.NewCompany(b)
	code := "BENCH-" + uuid.NewString()[:8]
	resp := api.Admin(b, http.MethodPost, "/admin/projects", map[string]any{"code": code, "licenses": licenses, "companies": []string{company.Code}})
	if resp.Status != http.StatusCreated {
		b.Fatalf("create project: %d %s", resp.Status, resp.Body)
	}
	return company, code
}

// send makes one call with the key and a JSON body (nil for none), and reads
// the whole answer. It reports errors instead of failing, so that it can run
// on any goroutine.
func send(client *http.Client, method, url, key string, body []byte) (*http.Response, []byte, error) {
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, url, reader)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Authorization", key)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return resp, out, err
}

// mustSend is send on the benchmark's goroutine: an error, or a status other
// than 200, ends the benchmark.
func mustSend(b *testing.B, client *http.Client, method, url, key string, body []byte) (*http.Response, []byte) {
	b.Helper()
	resp, out, err := send(client, method, url, key, body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("status %d: %.300s", resp.StatusCode, out)
	}
	if err != nil {
		b.Fatalf("%s %s: %v", method, url, err)
	}
	return resp, out
}

// concurrently runs callers goroutines, caller c making calls calls of
// call(c, k), and returns the time they all took and the first error; a
// caller stops at its first error.
func concurrently(callers, calls int, call func(c, k int) error) (time.Duration, error) {
	var wg sync.WaitGroup
	var first atomic.Value
	start := time.Now()
	for c := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range calls {
				if err := call(c, k); err != nil {
					first.CompareAndSwap(nil, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	err, _ := first.Load().(error)
	return time.Since(start), err
}
