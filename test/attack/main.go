// Command attack measures how a running `parc serve` stands hostile and
// clumsy clients, as an outsider sees it: peak memory per request (VmHWM of
// the server process) for large and invalid bodies, a slow body, guessing
// rates with throttling, the timing gap between unknown and known key
// prefixes, and how long Selects run past the request budget. Each case
// starts a fresh server, so that the peak it reads is that case's.
// `make attack` runs it on SQLite; -db picks another backend.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

const adminToken = "attack-admin-token"

var (
	flagDB    = flag.String("db", "", "PARC_DATABASE_URL of the server (default: SQLite in a temporary directory)")
	flagBin   = flag.String("bin", "", "parc binary (default: built from ./cmd/parc)")
	flagCases = flag.String("cases", "memory,budget,slow,guess,timing,cancel", "comma-separated cases to run")
	flagSizes = flag.String("rds", "3000000,9500000,28000000", "RelationalDataSet body sizes of the memory case, in bytes")
	flagBurst = flag.String("burst", "push", "body of the 20 concurrent 32 MiB requests: push or rds")
	flagRows  = flag.Int("cancel-rows", 200_000, "rows of the data set the cancel case selects from")
	flagEnv   = flag.String("env", "", "extra environment of the servers, comma-separated KEY=VALUE (GODEBUG=gctrace=1, GOGC=50, …)")
)

func main() {
	flag.Parse()
	log.SetFlags(0)
	dir, err := os.MkdirTemp("", "parc-attack-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	bin := *flagBin
	if bin == "" {
		bin = filepath.Join(dir, "parc")
		if out, err := exec.Command("go", "build", "-o", bin, "./cmd/parc").CombinedOutput(); err != nil {
			log.Fatalf("build parc: %v\n%s", err, out)
		}
	}
	a := &attack{bin: bin, dir: dir, db: *flagDB}
	for _, c := range strings.Split(*flagCases, ",") {
		switch strings.TrimSpace(c) {
		case "memory":
			a.memory()
		case "budget":
			a.budget()
		case "slow":
			a.slowBody()
		case "guess":
			a.guessing()
		case "timing":
			a.prefixTiming()
		case "cancel":
			a.cancelLatency()
		default:
			log.Fatalf("unknown case %q", c)
		}
	}
}

type attack struct {
	bin, dir, db string
	run          int
}

// server is one parc serve process.
type server struct {
	cmd   *exec.Cmd
	base  string
	key   string // a company's key
	valid string // another company's key, never guessed at
	code  string // its project's code
	db    string // its PARC_DATABASE_URL
}

func freePort() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// start runs a fresh server with env added, and makes a company with a
// key and a project.
func (a *attack) start(env ...string) *server {
	a.run++
	db := a.db
	if db == "" {
		db = "sqlite:" + filepath.Join(a.dir, fmt.Sprintf("run%d.db", a.run))
	}
	s := a.serve(db, env...)
	code := fmt.Sprintf("ATK%d%d", a.run, time.Now().UnixNano()%100000)
	var company struct {
		APIKey string `json:"api_key"`
	}
	s.admin("POST", "/admin/companies", map[string]any{"code": code, "name": "Attack " + code}, &company)
	s.key = company.APIKey
	var other struct {
		APIKey string `json:"api_key"`
	}
	s.admin("POST", "/admin/companies", map[string]any{"code": code + "B", "name": "Other " + code}, &other)
	s.valid = other.APIKey
	s.code = "P" + code
	s.admin("POST", "/admin/projects", map[string]any{"code": s.code, "licenses": 10, "companies": []string{code}, "owner": code}, nil)
	return s
}

// serve runs a server with env added on the database db.
func (a *attack) serve(db string, env ...string) *server {
	addr := freePort()
	cmd := exec.Command(a.bin, "serve")
	cmd.Env = append(os.Environ(), append([]string{"PARC_DATABASE_URL=" + db, "PARC_ADDR=" + addr,
		"PARC_ADMIN_TOKEN=" + adminToken, "PARC_LOG_LEVEL=error"}, env...)...)
	if *flagEnv != "" {
		cmd.Env = append(cmd.Env, strings.Split(*flagEnv, ",")...)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		log.Fatal(err)
	}
	s := &server{cmd: cmd, base: "http://" + addr, db: db}
	for i := 0; ; i++ {
		resp, err := http.Get(s.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if i > 300 {
			log.Fatal("the server did not start")
		}
		time.Sleep(100 * time.Millisecond)
	}
	return s
}

func (s *server) admin(method, path string, body, out any) {
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, s.base+path, bytes.NewReader(raw))
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		log.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if out != nil {
		_ = json.Unmarshal(b, out)
	}
}

func (s *server) stop() {
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
}

// memKB reads a field (VmRSS, VmHWM) of the server's /proc status, in KiB.
func (s *server) memKB(field string) int {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		log.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return n
		}
	}
	return 0
}

// post sends body and returns the status and the answer's size.
func (s *server) post(path string, body []byte) (int, int, error) {
	req, _ := http.NewRequest("POST", s.base+path, bytes.NewReader(body))
	req.Header.Set("Authorization", s.key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	n, _ := io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, int(n), nil
}

const mib = 1 << 20

// datasetBody is {"data":{"e":[{"e_ID":"r0","a":0},…]}} of about size bytes.
func datasetBody(size int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"data":{"e":[`)
	for i := 0; b.Len() < size-40; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"e_ID":"r%d","a":%d}`, i, i)
	}
	b.WriteString(`]}}`)
	return b.Bytes()
}

// invalidDatasetBody is {"data":{"e":[{"a":0},…]}} of about size bytes:
// no row has its code, so each is a problem of the answer.
func invalidDatasetBody(size int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"data":{"e":[`)
	for i := 0; b.Len() < size-40; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"a":%d}`, i)
	}
	b.WriteString(`]}}`)
	return b.Bytes()
}

// deletesBody is {"deletes":{"e":["r0",…]}} of about size bytes (codes
// never written: deleting them is tolerated).
func deletesBody(size int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"deletes":{"e":[`)
	for i := 0; b.Len() < size-40; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"r%d"`, i)
	}
	b.WriteString(`]}}`)
	return b.Bytes()
}

// relationsBody is {"relations":[…]} of about size bytes, relating rows
// that do not exist: every item is checked, then the batch fails (422).
func relationsBody(size int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"relations":[`)
	for i := 0; b.Len() < size-200; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"SourceEntityName":"s","SourceRowCode":"s%d","TargetEntityName":"t","TargetFieldName":"s_ID","TargetRowCode":"t%d"}`, i, i)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// distinctPushBody is an inventory push of about size bytes whose every
// record is another installation (1,000 computers, a program each).
func distinctPushBody(size int) []byte {
	var b bytes.Buffer
	b.WriteByte('[')
	for i := 0; b.Len() < size-100; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"computer_name":"PC-%d","program":"Program %d","version":"1.%d"}`, i%1000, i, i)
	}
	b.WriteByte(']')
	return b.Bytes()
}

// pushBody is an inventory push of about size bytes; invalid makes every
// record fail (no computer name).
func pushBody(size int, invalid bool) []byte {
	var b bytes.Buffer
	b.WriteByte('[')
	for i := 0; b.Len() < size-100; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		if invalid {
			fmt.Fprintf(&b, `{"computer_name":"","program":"Program %d","version":"1.%d"}`, i%5000, i)
		} else {
			fmt.Fprintf(&b, `{"computer_name":"PC-%d","program":"Program %d","version":"1.%d"}`, i%400, i%5000, i)
		}
	}
	b.WriteByte(']')
	return b.Bytes()
}

func (a *attack) memory() {
	fmt.Println("## Peak memory per request (fresh server each; growth = VmHWM after - VmRSS before; bound 4 x body + 32 MiB)")
	fmt.Printf("%-34s %9s %7s %11s %11s %9s %7s %s\n", "request", "body MiB", "status", "growth MiB", "bound MiB", "answer B", "time s", "within")
	type memCase struct {
		name  string
		path  func(*server) string
		body  []byte
		prior bool // the body is sent once before, on another server: measured, it rewrites stored rows
	}
	var cases []memCase
	for _, size := range strings.Split(*flagSizes, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(size)); err == nil && n > 0 {
			cases = append(cases, memCase{fmt.Sprintf("RelationalDataSet %.1f MB", float64(n)/1e6), rds, datasetBody(n), false})
		}
	}
	for _, c := range append(cases, []memCase{
		{"RelationalDataSet 4 MB, all invalid", rds, invalidDatasetBody(4_000_000), false},
		{"RelationalDataSet 9.5 MB of upserts", rds, datasetBody(9_500_000), true},
		{"RelationalDataSet 9.5 MB of deletes", rds, deletesBody(9_500_000), false},
		{"RelationalDataSet 9.5 MB of relations", rds, relationsBody(9_500_000), false},
		{"inventory push 24 MB", push, pushBody(24_000_000, false), false},
		{"inventory push 24 MB, all distinct", push, distinctPushBody(24_000_000), false},
		{"inventory push 5 MB, all invalid", push, pushBody(5_000_000, true), false},
	}...) {
		s := a.start()
		if c.prior {
			if status, _, err := s.post(c.path(s), c.body); err != nil || status != 200 {
				log.Fatalf("%s: first send: %d %v", c.name, status, err)
			}
			s.stop()
			t := a.serve(s.db)
			t.key, t.code = s.key, s.code
			s = t
		}
		before := s.memKB("VmRSS")
		start := time.Now()
		status, answer, err := s.post(c.path(s), c.body)
		took := time.Since(start).Seconds()
		if err != nil {
			fmt.Printf("%-34s no answer: %v\n", c.name, err)
			s.stop()
			continue
		}
		growth := float64(s.memKB("VmHWM")-before) / 1024
		body := float64(len(c.body)) / mib
		bound := 4*body + 32
		fmt.Printf("%-34s %9.1f %7d %11.0f %11.0f %9d %7.1f %v\n", c.name, body, status, growth, bound, answer, took, growth <= bound)
		s.stop()
	}
}

func rds(s *server) string  { return "/v1/Data/" + s.code + "/RelationalDataSet" }
func push(s *server) string { return "/client-data" }

// budget sends 20 bodies of 32 MiB at once: the peak must stay under 2 GiB.
func (a *attack) budget() {
	fmt.Printf("## 20 concurrent 32 MiB requests (%s bodies, default budget)\n", *flagBurst)
	s := a.start()
	defer s.stop()
	body, path := pushBody(32*mib-64, false), push(s)
	if *flagBurst == "rds" {
		body, path = datasetBody(32*mib-64), rds(s)
	}
	statuses := map[int]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for range 20 {
		wg.Go(func() {
			status, _, err := s.post(path, body)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				statuses[-1]++
				return
			}
			statuses[status]++
		})
	}
	wg.Wait()
	fmt.Printf("statuses %v in %s; server peak RSS (VmHWM) %d MiB (must be < 2048)\n",
		statuses, time.Since(start).Round(time.Millisecond), s.memKB("VmHWM")/1024)
}

// slowBody sends one byte every 2 s of a declared 10 MB body.
func (a *attack) slowBody() {
	fmt.Println("## Slow body: Content-Length 10000000, one byte every 2 s (PARC_BODY_TIMEOUT=10s)")
	s := a.start("PARC_BODY_TIMEOUT=10s")
	defer s.stop()
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.base, "http://"))
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /client-data HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n", s.key)
	start := time.Now()
	go func() {
		for {
			if _, err := conn.Write([]byte("[")); err != nil {
				return
			}
			time.Sleep(2 * time.Second)
		}
	}()
	_ = conn.SetReadDeadline(time.Now().Add(60 * time.Second))
	answer, _ := io.ReadAll(conn) // until the server closes
	status := strings.SplitN(string(answer), "\r\n", 2)[0]
	fmt.Printf("answer %q after %s, then the connection was closed by the server\n", status, time.Since(start).Round(100*time.Millisecond))
}

// guessing tries admin tokens and API keys as fast as 8 clients can for 3 s.
func (a *attack) guessing() {
	fmt.Println("## Guessing for 3 s with 8 connections (default throttling)")
	s := a.start()
	defer s.stop()
	for _, g := range []struct {
		name, path, header, from string
	}{
		{"admin token", "/admin/companies", "Bearer guess-%d", "127.0.0.2"},
		{"API key", "/me", "parc_" + s.key[5:13] + "_%032d", "127.0.0.3"},
	} {
		client := clientFrom(g.from)
		counts := map[int]int{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		deadline := time.Now().Add(3 * time.Second)
		for w := range 8 {
			wg.Go(func() {
				for i := w; time.Now().Before(deadline); i += 8 {
					req, _ := http.NewRequest("GET", s.base+g.path, nil)
					req.Header.Set("Authorization", fmt.Sprintf(g.header, i))
					resp, err := client.Do(req)
					if err != nil {
						continue
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					mu.Lock()
					counts[resp.StatusCode]++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		fmt.Printf("%-12s statuses %v: %.0f wrong guesses checked per second\n", g.name, counts, float64(counts[401])/3)
		// A valid key (another prefix) from another address is not slowed
		// by the guessing just done; from the guessing address it waits.
		for _, from := range []string{"127.0.0.9", g.from} {
			req, _ := http.NewRequest("GET", s.base+"/me", nil)
			req.Header.Set("Authorization", s.valid)
			t0 := time.Now()
			resp, err := clientFrom(from).Do(req)
			if err == nil {
				resp.Body.Close()
				fmt.Printf("%-12s then a valid key from %s: %d in %s\n", "", from, resp.StatusCode, time.Since(t0).Round(time.Microsecond))
			}
		}
	}
}

// prefixTiming compares, over 2,000 tries each, interleaved, an unknown
// prefix with the known prefix and a wrong secret (throttling lifted).
func (a *attack) prefixTiming() {
	fmt.Println("## Prefix timing: 2,000 tries each, interleaved, throttling lifted")
	s := a.start("PARC_AUTH_FAILURES_PER_MINUTE=100000000")
	defer s.stop()
	known := "parc_" + s.key[5:13] + "_" + strings.Repeat("a", 32)
	unknown := "parc_zzzzzzzz_" + strings.Repeat("a", 32)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	try := func(key string) time.Duration {
		req, _ := http.NewRequest("GET", s.base+"/me", nil)
		req.Header.Set("Authorization", key)
		t0 := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			log.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 401 {
			log.Fatalf("expected 401, got %d", resp.StatusCode)
		}
		return time.Since(t0)
	}
	for range 200 { // warm up
		try(known)
		try(unknown)
	}
	var k, u []time.Duration
	for i := range 2000 { // which goes first alternates, so that order cannot bias
		if i%2 == 0 {
			k = append(k, try(known))
			u = append(u, try(unknown))
		} else {
			u = append(u, try(unknown))
			k = append(k, try(known))
		}
	}
	slices.Sort(k)
	slices.Sort(u)
	mk, mu := k[len(k)/2], u[len(u)/2]
	gap := mk - mu
	if gap < 0 {
		gap = -gap
	}
	fmt.Printf("median known prefix + wrong secret %s, unknown prefix %s: gap %s (must be < 20µs)\n", mk, mu, gap)
}

// cancelLatency times Selects that outlast the request budget: each is
// answered 503 once its database work stops, so the time past the budget
// is how long that work ran on after its context ended. The rows are loaded
// under the default budget, then the server restarts on the same database
// with a budget of 300 ms.
func (a *attack) cancelLatency() {
	const budget = 300 * time.Millisecond
	fmt.Printf("## Cancelled Selects: %d rows, PARC_REQUEST_TIMEOUT=%s, time past the budget\n", *flagRows, budget)
	s := a.start()
	for start := 0; start < *flagRows; start += 10_000 {
		var b bytes.Buffer
		b.WriteString(`{"data":{"e":[`)
		for i := start; i < min(start+10_000, *flagRows); i++ {
			if i > start {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"e_ID":"r%d","a":"%x","b":%d}`, i, uint32(i)*2654435761, i%1000)
		}
		b.WriteString(`]}}`)
		if status, _, err := s.post(rds(s), b.Bytes()); err != nil || status != 200 {
			log.Fatalf("load rows: %d %v", status, err)
		}
	}
	s.stop()
	t := a.serve(s.db, "PARC_REQUEST_TIMEOUT="+budget.String())
	defer t.stop()
	t.key, t.code = s.key, s.code
	selects := []struct{ name, body string }{
		{"sorted by a field", `{"entityName":"e","sortFields":[{"fieldName":"a"}],"limit":10}`},
		{"sorted, filtered on a field", `{"entityName":"e","filterFields":[{"fieldName":"a","operator":"StartWith","filterValues":["f"]}],"sortFields":[{"fieldName":"a","direction":"DESC"}],"limit":10}`},
		{"filter matching nothing", `{"entityName":"e","filterFields":[{"fieldName":"a","operator":"StartWith","filterValues":["zz"]}],"limit":10}`},
	}
	for _, q := range selects {
		var over []time.Duration
		statuses := map[int]int{}
		for range 5 {
			t0 := time.Now()
			status, _, err := t.post("/v1/Data/"+t.code+"/Select", []byte(q.body))
			if err != nil {
				log.Fatal(err)
			}
			statuses[status]++
			over = append(over, time.Since(t0)-budget)
		}
		slices.Sort(over)
		fmt.Printf("%-30s statuses %v, past the budget: median %s, max %s\n", q.name, statuses,
			over[len(over)/2].Round(time.Millisecond), over[len(over)-1].Round(time.Millisecond))
	}
}

// clientFrom is a client whose connections start from the loopback
// address from, so that the server sees distinct client addresses.
func clientFrom(from string) *http.Client {
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	return &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext, MaxIdleConnsPerHost: 8}}
}
