package bench

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/parc-hq/parc/adapters/database"
	"github.com/parc-hq/parc/test/dbtest"
)

// bareServer answers the single-row creates of the data-set suite with the
// least a server can do for them: net/http, the body decoded as a JSON
// object, one INSERT of the row in autocommit through database/sql, on the
// same database with Parc's connection settings, and the body sent back.
// No key, no project, no transaction, no announcement to changed-since
// readers, no history. Its figures are the ceiling Parc's single-row writes
// are read against: what one machine, its driver and its database give one
// INSERT per HTTP request.
type bareServer struct {
	url string
}

func newBareServer(b *testing.B, target *dbtest.Target) *bareServer {
	b.Helper()
	gdb, err := database.Open(database.Config{URL: target.URL}, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	db, err := gdb.DB()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = db.Close() })
	for _, stmt := range []string{"DROP TABLE IF EXISTS bench_rows",
		"CREATE TABLE bench_rows (entity VARCHAR(64) NOT NULL, code VARCHAR(255) NOT NULL, fields TEXT NOT NULL, srv_date VARCHAR(32) NOT NULL, PRIMARY KEY (entity, code))"} {
		if _, err := db.Exec(stmt); err != nil {
			b.Fatalf("%s: %v", stmt, err)
		}
	}
	insert := "INSERT INTO bench_rows (entity, code, fields, srv_date) VALUES (?, ?, ?, ?)"
	if target.Backend == "postgres" {
		insert = "INSERT INTO bench_rows (entity, code, fields, srv_date) VALUES ($1, $2, $3, $4)"
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /{entity}", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		var row map[string]json.RawMessage
		if err == nil {
			err = json.Unmarshal(body, &row)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		entity := r.PathValue("entity")
		code := strings.Trim(string(row[entity+"_ID"]), `"`)
		if _, err := db.ExecContext(r.Context(), insert, strings.ToLower(entity), code, body, time.Now().UTC().Format(time.RFC3339Nano)); err != nil {
			http.Error(w, err.Error(), http.StatusConflict)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write(body)
	})
	srv := httptest.NewServer(mux)
	b.Cleanup(srv.Close)
	return &bareServer{url: srv.URL}
}
