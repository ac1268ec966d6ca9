package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/parc-hq/parc/test/dbtest"
)

// The inventory push benchmark: 100,000 records (1,000 computers × 100
// programs) pushed in requests of 5,000 to a real `parc serve` process over
// loopback, three times: the first load, a re-push with every version
// changed, and an unchanged re-push. On PostgreSQL the same rows are also
// written by a bare pgx unnest upsert into a scratch table shaped like
// installations (same columns and indexes), the yardstick of the ratios.

const (
	benchComputers  = 1000
	benchPrograms   = 100
	benchPerRequest = 5000
)

type benchRecord struct {
	ComputerName string `json:"computer_name"`
	IPAddress    string `json:"ip_address"`
	Program      string `json:"program"`
	Version      string `json:"version"`
}

// benchPass builds the records of a pass: version 1 of every program, or
// with changed version 2 of every one of them.
func benchPass(changed bool) []benchRecord {
	out := make([]benchRecord, 0, benchComputers*benchPrograms)
	for c := range benchComputers {
		for p := range benchPrograms {
			version := fmt.Sprintf("1.%d.0", p)
			if changed {
				version = fmt.Sprintf("2.%d.0", p)
			}
			out = append(out, benchRecord{
				ComputerName: fmt.Sprintf("BENCH-PC-%04d", c), IPAddress: fmt.Sprintf("10.0.%d.%d", c/250, c%250+1),
				Program: fmt.Sprintf("Program %03d", p), Version: version,
			})
		}
	}
	return out
}

func requestBodies(b *testing.B, records []benchRecord) [][]byte {
	var out [][]byte
	for start := 0; start < len(records); start += benchPerRequest {
		raw, err := json.Marshal(records[start:min(start+benchPerRequest, len(records))])
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, raw)
	}
	return out
}

var (
	buildOnce sync.Once
	parcBin   string
	buildErr  error
)

// parcBinary builds cmd/parc once per benchmark binary, or takes the one
// PARC_BENCH_BIN names (to measure another version with the same
// benchmark).
func parcBinary(b *testing.B) string {
	if bin := os.Getenv("PARC_BENCH_BIN"); bin != "" {
		return bin
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "parc-bench-")
		if err != nil {
			buildErr = err
			return
		}
		parcBin = filepath.Join(dir, "parc")
		out, err := exec.Command("go", "build", "-o", parcBin, "github.com/parc-hq/parc/cmd/parc").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("build parc: %v: %s", err, out)
		}
	})
	if buildErr != nil {
		b.Fatal(buildErr)
	}
	return parcBin
}

// parcServer is a `parc serve` process on the benchmark database.
type parcServer struct {
	bin     string
	cmd     *exec.Cmd
	base    string
	key     string
	company string // the code of the company the key belongs to
	env     []string
	// pgDatabase names the server's database on PostgreSQL ("" elsewhere),
	// whose backends' CPU a pass reads (see pushPass).
	pgDatabase string
}

func startParc(b *testing.B, target *dbtest.Target) *parcServer {
	return startParcBinary(b, target, parcBinary(b))
}

// startParcBinary starts the given build of parc on the target.
func startParcBinary(b *testing.B, target *dbtest.Target, bin string) *parcServer {
	env := append(os.Environ(), "PARC_DATABASE_URL="+target.URL)
	code := "BENCH-" + uuid.NewString()[:8]
	create := exec.Command(bin, "company", "create", "--code", code, "--name", "Benchmark")
	create.Env = env
	out, err := create.Output()
	if err != nil {
		b.Fatalf("parc company create: %v", err)
	}
	var company struct {
		APIKey string `json:"api_key"`
	}
	if err := json.Unmarshal(out, &company); err != nil || company.APIKey == "" {
		b.Fatalf("parc company create printed %q: %v", out, err)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, "serve", "--addr", addr)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	s := &parcServer{bin: bin, cmd: cmd, base: "http://" + addr, key: company.APIKey, company: code, env: env}
	if target.Backend == "postgres" {
		u, err := url.Parse(target.URL)
		if err != nil {
			b.Fatal(err)
		}
		s.pgDatabase = strings.TrimPrefix(u.Path, "/")
	}
	b.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			b.Fatalf("parc serve did not become ready: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *parcServer) push(b *testing.B, client *http.Client, body []byte) {
	b.Helper()
	if _, answer := mustSend(b, client, http.MethodPost, s.base+"/client-data", s.key, body); !bytes.Contains(answer, []byte(`"success"`)) {
		b.Fatalf("push: %s", answer)
	}
}

// memKiB reads a field of /proc/<pid>/status, in KiB (VmHWM: peak RSS).
func (s *parcServer) memKiB(b *testing.B, field string) int {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return n
		}
	}
	b.Fatalf("no %s in /proc status", field)
	return 0
}

// passResult is one pass of one writer: how long its records took, and
// the CPU time its server process (parc only) and its PostgreSQL backends
// (on PostgreSQL only) spent on them.
type passResult struct {
	records                int
	elapsed                time.Duration
	serverCPU, databaseCPU time.Duration
}

func (p passResult) rate() float64 { return float64(p.records) / p.elapsed.Seconds() }

// passFigures are one writer's results of one pass, one per round: its
// rate in records/s, and its CPU times in ms per request.
type passFigures struct {
	rates, serverCPU, databaseCPU []float64
}

func (f *passFigures) add(r passResult) {
	f.rates = append(f.rates, r.rate())
	f.serverCPU = append(f.serverCPU, msPerRequest(r.serverCPU, r.records))
	f.databaseCPU = append(f.databaseCPU, msPerRequest(r.databaseCPU, r.records))
}

var benchPassNames = []string{"first load", "every version changed", "unchanged"}

// benchRounds is how many times each pass runs; the table gives medians.
const benchRounds = 3

// BenchmarkInventoryPush runs, benchRounds times on a fresh company, the
// three passes: the first load, a push changing every version (Parc also
// writes the history), and an unchanged re-push. On PostgreSQL each of
// Parc's passes follows the bare upsert of the same rows, so that both meet
// the same load on a shared machine: bare, Parc, bare, Parc.
func BenchmarkInventoryPush(b *testing.B) {
	passes, bodies := inventoryPasses(b)
	for _, name := range []string{"postgres", "mysql", "sqlite"} {
		b.Run(name, func(b *testing.B) {
			target := backend(b, name)
			srv := startParc(b, target)
			client := &http.Client{Timeout: 5 * time.Minute}
			warm, _ := json.Marshal([]benchRecord{{ComputerName: "WARM-UP", Program: "p", Version: "1"}})
			srv.push(b, client, warm)
			before := srv.memKiB(b, "VmHWM")
			var bare *bareUpserter
			if name == "postgres" {
				bare = newBareUpserter(b, target)
				defer bare.close(b)
			}
			figures, bareFigures := inventoryRounds(b, client, []*parcServer{srv}, bare, passes, bodies)
			peak := srv.memKiB(b, "VmHWM")
			growthMiB := float64(peak-before) / 1024
			b.Logf("inventory push on %s: %d records per pass, requests of %d, medians of %d rounds; CPU in ms per request", name, benchComputers*benchPrograms, benchPerRequest, benchRounds)
			b.Logf("%-22s %12s %14s %8s %9s %9s %11s", "pass", "records/s", "bare records/s", "ratio", "parc CPU", "db CPU", "bare db CPU")
			for i := range passes {
				f := figures[0][i]
				rate := median(f.rates)
				line := fmt.Sprintf("%-22s %12.0f", benchPassNames[i], rate)
				if bare != nil {
					line += fmt.Sprintf(" %14.0f %8.2f %9.1f %9.1f %11.1f", median(bareFigures[i].rates), rate/median(bareFigures[i].rates),
						median(f.serverCPU), median(f.databaseCPU), median(bareFigures[i].databaseCPU))
					b.ReportMetric(rate/median(bareFigures[i].rates), fmt.Sprintf("ratio_pass%d", i+1))
				} else {
					line += fmt.Sprintf(" %14s %8s %9.1f", "", "", median(f.serverCPU))
				}
				b.Logf("%s", line)
				b.ReportMetric(rate, fmt.Sprintf("rec/s_pass%d", i+1))
			}
			b.Logf("server peak RSS: %.1f MiB before, %.1f MiB after (growth %.1f MiB)", float64(before)/1024, float64(peak)/1024, growthMiB)
			b.ReportMetric(growthMiB, "rss_growth_MiB")
		})
	}
}

// inventoryPasses are the records of the three passes and their request
// bodies.
func inventoryPasses(b *testing.B) ([][]benchRecord, [][][]byte) {
	passes := [][]benchRecord{benchPass(false), benchPass(true), benchPass(true)}
	bodies := make([][][]byte, len(passes))
	for i, records := range passes {
		bodies[i] = requestBodies(b, records)
	}
	return passes, bodies
}

// inventoryRounds runs the passes benchRounds times, each round on fresh
// companies: every pass runs the bare upsert (when there is one), then each
// server, which server goes first alternating from round to round, so that
// all meet the same load on a shared machine. It returns the figures by
// server and pass, and the bare upsert's by pass.
func inventoryRounds(b *testing.B, client *http.Client, servers []*parcServer, bare *bareUpserter, passes [][]benchRecord, bodies [][][]byte) (figures [][]passFigures, bareFigures []passFigures) {
	figures = make([][]passFigures, len(servers))
	for s := range servers {
		figures[s] = make([]passFigures, len(passes))
	}
	bareFigures = make([]passFigures, len(passes))
	var backends *pgx.Conn // asks PostgreSQL for the servers' backends
	if bare != nil {
		backends = bare.conn
	}
	for round := range benchRounds {
		if round > 0 {
			for _, srv := range servers {
				srv.key = srv.newCompanyKey(b)
			}
		}
		bare.newCompany()
		for i, records := range passes {
			if bare != nil {
				bareFigures[i].add(bare.pass(b, records))
			}
			for k := range servers {
				s := (k + round) % len(servers)
				figures[s][i].add(servers[s].pushPass(b, client, backends, bodies[i], len(records)))
			}
		}
	}
	return figures, bareFigures
}

// pushPass pushes the request bodies of a pass, one after the other, and
// reads the CPU time spent: the server's, and on PostgreSQL (asked through
// conn, nil elsewhere) that of its database's backends.
func (s *parcServer) pushPass(b *testing.B, client *http.Client, conn *pgx.Conn, bodies [][]byte, records int) passResult {
	var backends map[int]time.Duration
	if conn != nil {
		backends = backendsCPU(b, conn, s.pgDatabase)
	}
	cpu := processCPU(s.cmd.Process.Pid)
	start := time.Now()
	for _, body := range bodies {
		s.push(b, client, body)
	}
	res := passResult{records: records, elapsed: time.Since(start), serverCPU: processCPU(s.cmd.Process.Pid) - cpu}
	if conn != nil {
		res.databaseCPU = cpuSince(backends, backendsCPU(b, conn, s.pgDatabase))
	}
	return res
}

// newCompanyKey creates another company with the CLI and returns its key.
func (s *parcServer) newCompanyKey(b *testing.B) string {
	code := "BENCH-" + uuid.NewString()[:8]
	cmd := exec.Command(s.bin, "company", "create", "--code", code, "--name", "Benchmark")
	cmd.Env = s.env
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("parc company create: %v", err)
	}
	var company struct {
		APIKey string `json:"api_key"`
	}
	if err := json.Unmarshal(out, &company); err != nil || company.APIKey == "" {
		b.Fatalf("parc company create printed %q: %v", out, err)
	}
	return company.APIKey
}

// bareUpserter writes rows with pgx, one unnest upsert per 5,000 rows,
// into a scratch table created LIKE installations (columns, primary key and
// indexes): the fastest plain way to put those rows in PostgreSQL. Each
// round writes a company of its own into the one table (see newCompany).
type bareUpserter struct {
	conn        *pgx.Conn
	companyID   string
	computerIDs map[string]string
}

func newBareUpserter(b *testing.B, target *dbtest.Target) *bareUpserter {
	conn := connectPG(b, target)
	if _, err := conn.Exec(context.Background(), `DROP TABLE IF EXISTS bench_installations; CREATE TABLE bench_installations (LIKE installations INCLUDING ALL)`); err != nil {
		b.Fatal(err)
	}
	return &bareUpserter{conn: conn, companyID: uuid.NewString(), computerIDs: map[string]string{}}
}

// newCompany starts a round on a fresh company, as Parc's rounds do: the
// scratch table keeps the rows of the rounds before, like installations,
// so that both write into tables of the same size. (Emptying it instead
// gave the bare upsert smaller indexes and no dead rows from the round
// before: a lighter table than Parc's from the second round on.)
func (u *bareUpserter) newCompany() {
	if u == nil {
		return
	}
	u.companyID = uuid.NewString()
	clear(u.computerIDs)
}

// close drops the scratch table; the connection closes with b.
func (u *bareUpserter) close(b *testing.B) {
	if _, err := u.conn.Exec(context.Background(), `DROP TABLE bench_installations`); err != nil {
		b.Error(err)
	}
}

const bareUpsertSQL = `INSERT INTO bench_installations (company_id, equipment_id, program_key, program, version, removed, installed_at, changed_at)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bool[], $7::timestamptz[], $8::timestamptz[])
ON CONFLICT (company_id, equipment_id, program_key) DO UPDATE SET version = excluded.version, removed = excluded.removed, changed_at = excluded.changed_at
WHERE (bench_installations.version, bench_installations.removed) IS DISTINCT FROM (excluded.version, excluded.removed)`

func (u *bareUpserter) pass(b *testing.B, records []benchRecord) passResult {
	ctx := context.Background()
	backend := int(u.conn.PgConn().PID())
	cpu := backendCPU(backend)
	start := time.Now()
	for from := 0; from < len(records); from += benchPerRequest {
		batch := records[from:min(from+benchPerRequest, len(records))]
		n := len(batch)
		company, equipment, key, program, version := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		removed, installed, changed := make([]bool, n), make([]time.Time, n), make([]time.Time, n)
		now := time.Now().UTC()
		for j, r := range batch {
			id, ok := u.computerIDs[r.ComputerName]
			if !ok {
				id = uuid.NewString()
				u.computerIDs[r.ComputerName] = id
			}
			company[j], equipment[j], key[j] = u.companyID, id, strings.ToLower(r.Program)
			program[j], version[j], installed[j], changed[j] = r.Program, r.Version, now, now
		}
		if _, err := u.conn.Exec(ctx, bareUpsertSQL, company, equipment, key, program, version, removed, installed, changed); err != nil {
			b.Fatal(err)
		}
	}
	return passResult{records: len(records), elapsed: time.Since(start), databaseCPU: backendCPU(backend) - cpu}
}
