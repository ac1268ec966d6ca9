package database

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"gorm.io/gorm"
)

// SQLite statements are prepared once, whether first run in a transaction
// or not, and transactions keep their meaning: a rollback undoes, a commit
// keeps, texts past the cache's cap still run.
func TestSQLiteStatementsArePreparedOnceInAndOutOfTransactions(t *testing.T) {
	db, err := Open(Config{URL: "sqlite:" + filepath.Join(t.TempDir(), "stmt.db")}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	cache, ok := db.ConnPool.(*stmtCache)
	if !ok {
		t.Fatalf("SQLite pool is %T, want *stmtCache", db.ConnPool)
	}
	if err := db.Exec("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)").Error; err != nil {
		t.Fatal(err)
	}
	insert := "INSERT INTO t (k, v) VALUES (?, ?)"
	rollback := errors.New("roll back")
	for i := range 3 {
		err := db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Exec(insert, fmt.Sprint("k", i), i).Error; err != nil {
				return err
			}
			if i == 1 {
				return rollback
			}
			return nil
		})
		if err != nil && !errors.Is(err, rollback) {
			t.Fatal(err)
		}
	}
	if err := db.Exec(insert, "k9", 9).Error; err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := db.Raw("SELECT count(*) FROM t").Scan(&n).Error; err != nil || n != 3 {
		t.Fatalf("rows: %d, %v; want 3 (k0, k2, k9)", n, err)
	}
	if _, cached := cache.stmts[insert]; !cached {
		t.Fatalf("the insert was not kept prepared: %v", cache.stmts)
	}

	// Past the cap, texts run unprepared.
	for i := range maxCachedStmts + 10 {
		if err := db.Exec(fmt.Sprintf("UPDATE t SET v = %d WHERE k = ?", i), "k0").Error; err != nil {
			t.Fatal(err)
		}
	}
	if len(cache.stmts) > maxCachedStmts {
		t.Fatalf("%d statements cached, cap %d", len(cache.stmts), maxCachedStmts)
	}
}

// A transaction runs a text not prepared yet without waiting for another
// connection of the pool: the others may all be writers waiting for the
// write lock the transaction holds.
func TestSQLiteTransactionNeedsNoOtherConnection(t *testing.T) {
	db, err := Open(Config{URL: "sqlite:" + filepath.Join(t.TempDir(), "stmt.db"), MaxOpenConns: 2}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("CREATE TABLE t (k TEXT PRIMARY KEY)").Error; err != nil {
		t.Fatal(err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	err = db.Transaction(func(tx *gorm.DB) error {
		held, err := sqlDB.Conn(context.Background()) // the pool's other connection
		if err != nil {
			return err
		}
		defer held.Close()
		go func() { done <- tx.Exec("INSERT INTO t (k) VALUES (?)", "a").Error }()
		select {
		case err := <-done:
			return err
		case <-time.After(5 * time.Second):
			t.Fatal("the transaction waited for a connection of the pool")
			return nil
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}
