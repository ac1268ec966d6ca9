package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parc-hq/parc/test/dbtest"
)

// CPU time, read from /proc on the machine that runs the benchmark: a
// pass's rate says how long its requests took, these say who spent that
// time, the parc process or the database. On another platform, or for a
// database on another machine, they read zero.

// userHZ is the unit of /proc's CPU times: USER_HZ, 100 on Linux.
const userHZ = 100

// processCPU is the CPU time (user and system) that process pid has used
// so far, 0 where /proc cannot tell.
func processCPU(pid int) time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name, in parentheses, may hold spaces: the fields are
	// counted after it, from the state (field 3) on, so that utime and
	// stime (fields 14 and 15) are the 12th and 13th.
	fields := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+1:]))
	if len(fields) < 13 {
		return 0
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	return time.Duration(utime+stime) * time.Second / userHZ
}

// selfCPU is processCPU of this process.
func selfCPU() time.Duration { return processCPU(os.Getpid()) }

// connectPG opens a connection of the benchmark to target, closed at the
// end of b.
func connectPG(b *testing.B, target *dbtest.Target) *pgx.Conn {
	b.Helper()
	conn, err := pgx.Connect(context.Background(), target.URL)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

// backendsCPU is the CPU time used so far by each PostgreSQL backend
// connected to database db, by pid, asked through conn (a connection of
// the benchmark, which is left out).
func backendsCPU(b *testing.B, conn *pgx.Conn, db string) map[int]time.Duration {
	b.Helper()
	rows, err := conn.Query(context.Background(),
		"SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", db)
	if err != nil {
		b.Fatal(err)
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		b.Fatal(err)
	}
	out := make(map[int]time.Duration, len(pids))
	for _, pid := range pids {
		out[int(pid)] = backendCPU(int(pid))
	}
	return out
}

// backendCPU is processCPU of PostgreSQL backend pid, 0 where pid is no
// postgres process of this machine (the server runs on another).
func backendCPU(pid int) time.Duration {
	comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if err != nil || !strings.HasPrefix(string(comm), "postgres") {
		return 0
	}
	return processCPU(pid)
}

// cpuSince is the CPU time the backends of now used since then; a backend
// that started in between counts whole. One that ended in between is not
// seen: parc's pool keeps its connections.
func cpuSince(then, now map[int]time.Duration) time.Duration {
	var spent time.Duration
	for pid, cpu := range now {
		spent += cpu - then[pid]
	}
	return spent
}

// msPerRequest is a CPU time spread over the requests of a pass, in ms.
func msPerRequest(cpu time.Duration, records int) float64 {
	requests := (records + benchPerRequest - 1) / benchPerRequest
	return float64(cpu) / float64(time.Millisecond) / float64(requests)
}
