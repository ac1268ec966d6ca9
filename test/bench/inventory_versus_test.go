package bench

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/parc-hq/parc/test/dbtest"
)

// BenchmarkInventoryPushVersus compares two builds of parc on the passes of
// BenchmarkInventoryPush: the one PARC_BENCH_BASE_BIN names (skipped
// without it) and this tree's (or PARC_BENCH_BIN's). Both servers run at
// once, each on a database of its own that its own build migrated (so that
// a change of schema is measured too), each round on fresh companies, and
// every pass
// runs both builds (after the bare upsert on PostgreSQL), base first in
// one round and second in the next, so that both meet the same load on a
// shared machine. The table gives the medians
// and the ratio of this build to the base.
func BenchmarkInventoryPushVersus(b *testing.B) {
	baseBin := os.Getenv("PARC_BENCH_BASE_BIN")
	if baseBin == "" {
		b.Skip("PARC_BENCH_BASE_BIN names no base build of parc to compare with")
	}
	passes, bodies := inventoryPasses(b)
	for _, name := range []string{"postgres", "mysql", "sqlite"} {
		b.Run(name, func(b *testing.B) {
			thisBin := parcBinary(b)
			target := migratedDatabase(b, name, thisBin)
			servers := []*parcServer{startParcBinary(b, migratedDatabase(b, name, baseBin), baseBin), startParcBinary(b, target, thisBin)}
			client := &http.Client{Timeout: 5 * time.Minute}
			warm, _ := json.Marshal([]benchRecord{{ComputerName: "WARM-UP", Program: "p", Version: "1"}})
			for _, srv := range servers {
				srv.push(b, client, warm)
			}
			var bare *bareUpserter
			if name == "postgres" {
				bare = newBareUpserter(b, target)
				defer bare.close(b)
			}
			// figures[0] are the base build's, figures[1] this one's.
			figures, bareFigures := inventoryRounds(b, client, servers, bare, passes, bodies)
			b.Logf("inventory push on %s, base %s versus this build: medians of %d rounds", name, baseBin, benchRounds)
			b.Logf("%-22s %12s %12s %8s %12s %10s %10s", "pass", "base rec/s", "rec/s", "speedup", "bare rec/s", "base/bare", "this/bare")
			for i := range passes {
				base, this := median(figures[0][i].rates), median(figures[1][i].rates)
				line := fmt.Sprintf("%-22s %12.0f %12.0f %8.2f", benchPassNames[i], base, this, this/base)
				if bare != nil {
					line += fmt.Sprintf(" %12.0f %10.2f %10.2f", median(bareFigures[i].rates), base/median(bareFigures[i].rates), this/median(bareFigures[i].rates))
				}
				b.Logf("%s", line)
				b.ReportMetric(this/base, fmt.Sprintf("speedup_pass%d", i+1))
				b.ReportMetric(this, fmt.Sprintf("rec/s_pass%d", i+1))
			}
		})
	}
}

// migratedDatabase is a new database of the named backend, migrated by the
// given build of parc.
func migratedDatabase(b *testing.B, name, bin string) *dbtest.Target {
	b.Helper()
	for _, be := range dbtest.Backends() {
		if be.Name != name {
			continue
		}
		url := dbtest.EmptyDatabase(b, be)
		migrate := exec.Command(bin, "migrate")
		migrate.Env = append(os.Environ(), "PARC_DATABASE_URL="+url)
		if out, err := migrate.CombinedOutput(); err != nil {
			b.Fatalf("%s migrate: %v: %s", bin, err, out)
		}
		return &dbtest.Target{Backend: name, URL: url}
	}
	b.Fatalf("unknown backend %q", name)
	return nil
}
