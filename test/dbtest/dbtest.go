// Package dbtest gives tests a real, freshly created database on every
// backend that answers: SQLite always, PostgreSQL and MySQL/MariaDB when
// their servers are reachable. Each test binary creates one database per
// backend on first use and drops it when it ends; tests keep out of each
// other's way by creating their own companies, as real tenants do.
//
// A test package that uses it must call Main from its TestMain.
//
// Environment:
//
//	PARC_TEST_POSTGRES_URL  server to create databases on (default postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable)
//	PARC_TEST_MYSQL_URL     likewise (default mysql://root@127.0.0.1:3306/)
//	PARC_TEST_GALERA        comma-separated URLs of the nodes of a MariaDB Galera cluster (e.g. mysql://root@127.0.0.1:13306/,…),
//	                        for the multi-node tests (see Clusters); unset, they are skipped
//	PARC_TEST_REQUIRE       comma-separated backends that must answer (postgres,mysql,galera); a missing one fails instead of skipping
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/parc-hq/parc/adapters/database"
	"github.com/parc-hq/parc/adapters/gormstore"
	"github.com/parc-hq/parc/adapters/system"
)

// Backend is one database engine tests can run on.
type Backend struct {
	Name string // "sqlite", "postgres", "mysql" or "galera"
	// ServerURL is where databases are created (empty for SQLite).
	ServerURL string
	// NodeURLs are the servers that share the databases created on
	// ServerURL: the nodes of a cluster (ServerURL is the first), else
	// ServerURL alone.
	NodeURLs []string
}

// Backends lists the engines in the order tests run them.
func Backends() []Backend {
	return []Backend{
		{Name: "sqlite"},
		{Name: "postgres", ServerURL: envOr("PARC_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")},
		{Name: "mysql", ServerURL: envOr("PARC_TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306/")},
	}
}

// Galera is the cluster PARC_TEST_GALERA names; without it the backend has
// no nodes and its Probe says so.
func Galera() Backend {
	var nodes []string
	for _, u := range strings.Split(os.Getenv("PARC_TEST_GALERA"), ",") {
		if u = strings.TrimSpace(u); u != "" {
			nodes = append(nodes, u)
		}
	}
	b := Backend{Name: "galera", NodeURLs: nodes}
	if len(nodes) > 0 {
		b.ServerURL = nodes[0]
	}
	return b
}

// ProbedBackends are the backends dbprobe reports on: Backends and Galera.
func ProbedBackends() []Backend { return append(Backends(), Galera()) }

// nodes are the servers of b (see NodeURLs).
func (b Backend) nodes() []string {
	if len(b.NodeURLs) > 0 {
		return b.NodeURLs
	}
	return []string{b.ServerURL}
}

// Required reports whether PARC_TEST_REQUIRE names the backend.
func (b Backend) Required() bool {
	return slices.Contains(strings.Split(os.Getenv("PARC_TEST_REQUIRE"), ","), b.Name)
}

// Probe checks that the backend's server answers.
func (b Backend) Probe() error {
	switch {
	case b.Name == "sqlite":
		return nil
	case b.Name == "galera" && len(b.NodeURLs) < 2:
		return fmt.Errorf("PARC_TEST_GALERA names %d nodes, want at least 2 (start a cluster with scripts/galera start)", len(b.NodeURLs))
	}
	for _, u := range b.nodes() {
		if err := probe(u, b.Name == "galera"); err != nil {
			return fmt.Errorf("%s: %w", database.Redact(u), err)
		}
	}
	return nil
}

// probe checks that the server at u answers, and with galera that it is a
// synced node of a cluster of several.
func probe(u string, galera bool) error {
	db, err := database.Open(database.Config{URL: u, MaxOpenConns: 1}, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer database.Close(db)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := gormstore.New(db).Ping(ctx); err != nil || !galera {
		return err
	}
	var status []struct {
		Name  string `gorm:"column:Variable_name"`
		Value string `gorm:"column:Value"`
	}
	err = db.WithContext(ctx).Raw("SHOW STATUS WHERE Variable_name IN ('wsrep_cluster_size', 'wsrep_local_state_comment')").Scan(&status).Error
	if err != nil {
		return err
	}
	got := map[string]string{}
	for _, s := range status {
		got[s.Name] = s.Value
	}
	if size, _ := strconv.Atoi(got["wsrep_cluster_size"]); got["wsrep_local_state_comment"] != "Synced" || size < 2 {
		return fmt.Errorf("not a synced Galera node of a cluster of several (wsrep_cluster_size=%q, state=%q)", got["wsrep_cluster_size"], got["wsrep_local_state_comment"])
	}
	return nil
}

// Target is a ready, migrated database of one backend.
type Target struct {
	Backend string
	URL     string // a PARC_DATABASE_URL naming this database
	DB      *gorm.DB
	Store   *gormstore.Store
}

var (
	mu        sync.Mutex
	mainCalls bool
	targets   = map[string]*Target{}
	clusters  = map[string][]*Target{}
	failures  = map[string]error{}
	cleanups  []func()
)

// Main runs the tests, then drops every database they created.
func Main(m *testing.M) {
	mu.Lock()
	mainCalls = true
	mu.Unlock()
	code := m.Run()
	mu.Lock()
	for i := len(cleanups) - 1; i >= 0; i-- {
		cleanups[i]()
	}
	mu.Unlock()
	os.Exit(code)
}

// Each runs fn as one subtest per backend ("sqlite", "postgres", "mysql").
// A backend whose server does not answer is skipped, loudly, unless
// PARC_TEST_REQUIRE names it, in which case the subtest fails.
func Each(t *testing.T, fn func(t *testing.T, target *Target)) {
	t.Helper()
	for _, b := range Backends() {
		t.Run(b.Name, func(t *testing.T) {
			fn(t, Get(t, b))
		})
	}
}

// Get returns the binary's database for one backend, creating and migrating
// it on first use.
func Get(t testing.TB, b Backend) *Target {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	if !mainCalls {
		t.Fatal("dbtest: call dbtest.Main(m) from this package's TestMain, so that test databases are dropped")
	}
	if tg, ok := targets[b.Name]; ok {
		return tg
	}
	err, failed := failures[b.Name]
	if !failed {
		var tg *Target
		tg, err = create(b)
		if err == nil {
			targets[b.Name] = tg
			return tg
		}
		failures[b.Name] = err
	}
	if b.Required() {
		t.Fatalf("dbtest: %s is required (PARC_TEST_REQUIRE) but unavailable: %v", b.Name, err)
	}
	t.Skipf("SKIPPED %s: server unavailable (%v); set PARC_TEST_REQUIRE=%s to fail instead", b.Name, err, b.Name)
	return nil
}

// UniqueName returns a database name no other run uses, for tests that
// create a database of their own: two runs on one server never meet.
func UniqueName(purpose string) string {
	return "parc_test_" + purpose + "_" + randomSuffix()
}

// EmptyDatabase creates a database of backend b with no schema, dropped
// when the test binary ends, and returns its URL: for tests of the schema
// itself. An unavailable backend is skipped loudly unless required.
func EmptyDatabase(t testing.TB, b Backend) string {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	if !mainCalls {
		t.Fatal("dbtest: call dbtest.Main(m) from this package's TestMain, so that test databases are dropped")
	}
	urls, err := createDatabase(b)
	if err == nil {
		return urls[0]
	}
	if b.Required() {
		t.Fatalf("dbtest: %s is required (PARC_TEST_REQUIRE) but unavailable: %v", b.Name, err)
	}
	t.Skipf("SKIPPED %s: server unavailable (%v); set PARC_TEST_REQUIRE=%s to fail instead", b.Name, err, b.Name)
	return ""
}

// EachCluster runs fn as one subtest per backend of ProbedBackends with n
// Parc instances sharing one database (see Instances): several pools on one
// SQLite file, PostgreSQL or MariaDB server, or one pool per node of the
// Galera cluster. An unavailable backend is skipped loudly unless required.
func EachCluster(t *testing.T, n int, fn func(t *testing.T, nodes []*Target)) {
	t.Helper()
	for _, b := range ProbedBackends() {
		t.Run(b.Name, func(t *testing.T) {
			fn(t, Instances(t, b, n))
		})
	}
}

// Instances returns the binary's n instances of backend b: targets on one
// database, each with its own connection pool; instance i connects to node
// i mod the number of nodes, so that on a cluster consecutive instances use
// different nodes. The first migrated the schema.
func Instances(t testing.TB, b Backend, n int) []*Target {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	if !mainCalls {
		t.Fatal("dbtest: call dbtest.Main(m) from this package's TestMain, so that test databases are dropped")
	}
	key := fmt.Sprintf("%s×%d", b.Name, n)
	if c, ok := clusters[key]; ok {
		return c
	}
	err, failed := failures[key]
	if !failed {
		var c []*Target
		if c, err = createInstances(b, n); err == nil {
			clusters[key] = c
			return c
		}
		failures[key] = err
	}
	if b.Required() {
		t.Fatalf("dbtest: %s is required (PARC_TEST_REQUIRE) but unavailable: %v", b.Name, err)
	}
	t.Skipf("SKIPPED %s: server unavailable (%v); set PARC_TEST_REQUIRE=%s to fail instead", b.Name, err, b.Name)
	return nil
}

func createInstances(b Backend, n int) ([]*Target, error) {
	urls, err := createDatabase(b)
	if err != nil {
		return nil, err
	}
	out := make([]*Target, n)
	for i := range n {
		if out[i], err = open(b, urls[i%len(urls)], i == 0, instancePool); err != nil {
			return nil, fmt.Errorf("instance %d: %w", i+1, err)
		}
	}
	return out, nil
}

func create(b Backend) (*Target, error) {
	urls, err := createDatabase(b)
	if err != nil {
		return nil, err
	}
	return open(b, urls[0], true, 0)
}

// createDatabase creates a fresh database on b's server and returns the
// URL naming it on each of b's nodes; it is dropped when the binary ends.
func createDatabase(b Backend) ([]string, error) {
	name := "parc_test_" + randomSuffix()
	if b.Name == "sqlite" {
		dir, err := os.MkdirTemp("", "parc-test-")
		if err != nil {
			return nil, err
		}
		cleanups = append(cleanups, func() { os.RemoveAll(dir) })
		return []string{"sqlite:" + filepath.Join(dir, name+".db")}, nil
	}
	if err := b.Probe(); err != nil {
		return nil, err
	}
	admin, err := database.Open(database.Config{URL: b.ServerURL, MaxOpenConns: 1}, slog.Default())
	if err != nil {
		return nil, err
	}
	createSQL, dropSQL := "CREATE DATABASE "+name, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"
	if b.Name != "postgres" {
		createSQL += " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
		dropSQL = "DROP DATABASE IF EXISTS " + name
	}
	if err := admin.Exec(createSQL).Error; err != nil {
		_ = database.Close(admin)
		return nil, fmt.Errorf("create database: %w", err)
	}
	cleanups = append(cleanups, func() {
		if err := admin.Exec(dropSQL).Error; err != nil {
			fmt.Fprintf(os.Stderr, "dbtest: drop %s database %s: %v\n", b.Name, name, err)
		}
		_ = database.Close(admin)
	})
	var urls []string
	for _, node := range b.nodes() {
		u, err := url.Parse(node)
		if err != nil {
			return nil, err
		}
		u.Path = "/" + name
		urls = append(urls, u.String())
	}
	return urls, nil
}

// instancePool is the connection pool of each of several instances: the
// instances of a test binary hold theirs until it ends, on servers that
// other test binaries use at the same time.
const instancePool = 8

// open connects to dbURL with a pool of maxOpen connections (0: the
// default), migrating the schema with migrate. A database just created on
// one node of a cluster reaches the others a moment later: the connection
// is tried for a few seconds.
func open(b Backend, dbURL string, migrate bool, maxOpen int) (*Target, error) {
	var db *gorm.DB
	var err error
	for try := 0; try < 50; try++ {
		if db, err = database.Open(database.Config{URL: dbURL, MaxOpenConns: maxOpen}, slog.Default()); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		return nil, err
	}
	cleanups = append(cleanups, func() { _ = database.Close(db) })
	store := gormstore.New(db)
	if migrate {
		if err := store.Migrate(context.Background(), system.Clock{}); err != nil {
			return nil, err
		}
	}
	return &Target{Backend: b.Name, URL: dbURL, DB: db, Store: store}, nil
}

func randomSuffix() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
