// Package bench holds the performance benchmarks of `make bench`. They run
// against real servers (httptest on the real engine) and real databases,
// report throughput with b.ReportMetric, and print their figures.
package bench

import (
	"net/http/httptest"
	"testing"

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
