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
//	PARC_TEST_REQUIRE       comma-separated backends that must answer (postgres,mysql); a missing one fails instead of skipping
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
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/parc-hq/parc/adapters/database"
	"github.com/parc-hq/parc/adapters/gormstore"
)

// Backend is one database engine tests can run on.
type Backend struct {
	Name string // "sqlite", "postgres" or "mysql"
	// ServerURL is where databases are created (empty for SQLite).
	ServerURL string
}

// Backends lists the engines in the order tests run them.
func Backends() []Backend {
	return []Backend{
		{Name: "sqlite"},
		{Name: "postgres", ServerURL: envOr("PARC_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")},
		{Name: "mysql", ServerURL: envOr("PARC_TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306/")},
	}
}

// Required reports whether PARC_TEST_REQUIRE names the backend.
func (b Backend) Required() bool {
	return slices.Contains(strings.Split(os.Getenv("PARC_TEST_REQUIRE"), ","), b.Name)
}

// Probe checks that the backend's server answers.
func (b Backend) Probe() error {
	if b.Name == "sqlite" {
		return nil
	}
	db, err := database.Open(database.Config{URL: b.ServerURL, MaxOpenConns: 1}, slog.Default())
	if err != nil {
		return err
	}
	defer closeDB(db)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	return gormstore.New(db).Ping(ctx)
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

func create(b Backend) (*Target, error) {
	name := "parc_test_" + randomSuffix()
	var dbURL string
	switch b.Name {
	case "sqlite":
		dir, err := os.MkdirTemp("", "parc-test-")
		if err != nil {
			return nil, err
		}
		cleanups = append(cleanups, func() { os.RemoveAll(dir) })
		dbURL = "sqlite:" + filepath.Join(dir, name+".db")
	default:
		if err := b.Probe(); err != nil {
			return nil, err
		}
		admin, err := database.Open(database.Config{URL: b.ServerURL, MaxOpenConns: 1}, slog.Default())
		if err != nil {
			return nil, err
		}
		createSQL, dropSQL := "CREATE DATABASE "+name, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"
		if b.Name == "mysql" {
			createSQL += " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
			dropSQL = "DROP DATABASE IF EXISTS " + name
		}
		if err := admin.Exec(createSQL).Error; err != nil {
			closeDB(admin)
			return nil, fmt.Errorf("create database: %w", err)
		}
		cleanups = append(cleanups, func() {
			if err := admin.Exec(dropSQL).Error; err != nil {
				fmt.Fprintf(os.Stderr, "dbtest: drop %s database %s: %v\n", b.Name, name, err)
			}
			closeDB(admin)
		})
		u, err := url.Parse(b.ServerURL)
		if err != nil {
			return nil, err
		}
		u.Path = "/" + name
		dbURL = u.String()
	}
	db, err := database.Open(database.Config{URL: dbURL}, slog.Default())
	if err != nil {
		return nil, err
	}
	cleanups = append(cleanups, func() { closeDB(db) })
	store := gormstore.New(db)
	if err := store.Migrate(context.Background()); err != nil {
		return nil, err
	}
	return &Target{Backend: b.Name, URL: dbURL, DB: db, Store: store}, nil
}

func closeDB(db *gorm.DB) {
	if sqlDB, err := db.DB(); err == nil {
		sqlDB.Close()
	}
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
