// Package database opens a GORM connection from a PARC_DATABASE_URL:
// sqlite:PATH (the embedded default), postgres://… or mysql://… .
package database

import (
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"
	"github.com/libtnb/sqlite"
	"gorm.io/driver/mysql"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	moderncsqlite "modernc.org/sqlite"
)

// DefaultURL is the embedded SQLite database in the working directory.
const DefaultURL = "sqlite:parc.db"

// Config says where the database is and how to pool connections to it.
type Config struct {
	URL             string
	MaxOpenConns    int           // 0: the backend's default (SQLite 4, others 20)
	MaxIdleConns    int           // 0: same as MaxOpenConns
	ConnMaxLifetime time.Duration // 0: 30 minutes
	// SlowQuery logs statements slower than this at warn level; 0 turns it off.
	SlowQuery time.Duration
}

// Backend names a supported database engine.
type Backend string

const (
	SQLite   Backend = "sqlite"
	Postgres Backend = "postgres"
	MySQL    Backend = "mysql"
)

// Open connects to the database the URL names and configures its pool.
func Open(cfg Config, log *slog.Logger) (*gorm.DB, error) {
	if cfg.URL == "" {
		cfg.URL = DefaultURL
	}
	backend, dialector, err := Dialector(cfg.URL)
	if err != nil {
		return nil, err
	}
	gormCfg := &gorm.Config{
		TranslateError:         true,
		Logger:                 newSlowLog(log, cfg.SlowQuery),
		SkipDefaultTransaction: true, // writes that need a transaction ask for one explicitly
		NowFunc:                func() time.Time { return time.Now().UTC() },
	}
	db, err := gorm.Open(dialector, gormCfg)
	// The first connection to a new SQLite file turns on WAL, which needs
	// the file to itself: SQLite answers SQLITE_BUSY at once, without its
	// busy handler, when another process or pool is doing the same (several
	// Parc processes starting together). It succeeds once the other is done.
	for attempt := 1; backend == SQLite && sqliteBusy(err) && attempt < 50; attempt++ {
		time.Sleep(time.Duration(10+rand.IntN(20)) * time.Millisecond)
		db, err = gorm.Open(dialector, gormCfg)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", backend, err)
	}
	if backend == SQLite {
		cacheStatements(db)
	}
	if backend == Postgres {
		beginWithFirstStatement(db)
	}
	if backend == MySQL {
		if db, err = readYourWrites(db, cfg.URL, log); err != nil {
			return nil, fmt.Errorf("open %s database: %w", backend, err)
		}
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", backend, err)
	}
	maxOpen := cfg.MaxOpenConns
	if maxOpen == 0 {
		maxOpen = 20
		if backend == SQLite {
			maxOpen = 4 // one writer at a time anyway; a few readers alongside it
		}
	}
	maxIdle := cfg.MaxIdleConns
	if maxIdle == 0 {
		maxIdle = maxOpen
	}
	lifetime := cfg.ConnMaxLifetime
	if lifetime == 0 {
		lifetime = 30 * time.Minute
	}
	sqlDB.SetMaxOpenConns(maxOpen)
	sqlDB.SetMaxIdleConns(maxIdle)
	sqlDB.SetConnMaxLifetime(lifetime)
	return db, nil
}

// Close closes a database Open opened. On SQLite it first stops the work
// done beside the callers (checkpoints, statement preparations) and waits
// for it, so that nothing opens a connection, or SQLite's files beside the
// database, after Close: a process may remove the database's directory
// once it returns.
func Close(db *gorm.DB) error {
	if cache, ok := db.ConnPool.(*stmtCache); ok {
		cache.close()
	}
	sqlDB, err := db.DB()
	if err != nil {
		return fmt.Errorf("close database: %w", err)
	}
	if err := sqlDB.Close(); err != nil {
		return fmt.Errorf("close database: %w", err)
	}
	return nil
}

// Dialector turns a database URL into the GORM dialector for its backend.
func Dialector(rawURL string) (Backend, gorm.Dialector, error) {
	scheme, rest, ok := strings.Cut(rawURL, ":")
	if !ok {
		return "", nil, fmt.Errorf("database URL %q: want sqlite:PATH, postgres://… or mysql://…", redact(rawURL))
	}
	switch strings.ToLower(scheme) {
	case "sqlite", "sqlite3", "file":
		if err := sqliteDirExists(rest); err != nil {
			return "", nil, err
		}
		return SQLite, sqlite.New(sqlite.Config{DriverName: sqliteDriverName, DSN: sqliteDSN(rest)}), nil
	case "postgres", "postgresql":
		// pgx quotes the faulty escape of a URL it cannot parse, which may
		// be part of the password.
		if _, err := url.Parse(rawURL); err != nil {
			return "", nil, unparsable(Postgres)
		}
		return Postgres, postgres.Open(rawURL), nil
	case "mysql", "mariadb":
		dsn, err := mysqlDSN(rawURL, nil)
		if err != nil {
			return "", nil, err
		}
		return MySQL, mysql.Open(dsn), nil
	}
	return "", nil, fmt.Errorf("database URL scheme %q: want sqlite, postgres or mysql", scheme)
}

// sqliteDirExists refuses a database file in a directory that does not
// exist, which SQLite itself reports as "out of memory (14)".
func sqliteDirExists(path string) error {
	path, _, _ = strings.Cut(strings.TrimPrefix(path, "//"), "?")
	if path == "" || strings.HasPrefix(path, ":") {
		return nil // in-memory
	}
	dir := filepath.Dir(path)
	info, err := os.Stat(dir)
	switch {
	case err != nil:
		return fmt.Errorf("sqlite database %s: directory %s does not exist or cannot be read", path, dir)
	case !info.IsDir():
		return fmt.Errorf("sqlite database %s: %s is not a directory", path, dir)
	}
	return nil
}

// sqliteBusy reports SQLite's SQLITE_BUSY.
func sqliteBusy(err error) bool {
	var liteErr *moderncsqlite.Error
	return errors.As(err, &liteErr) && liteErr.Code()&0xff == 5
}

// sqliteDSN adds the settings Parc relies on to a file path: WAL so readers do
// not wait for the writer, a busy timeout so writers queue instead of failing,
// BEGIN IMMEDIATE so a transaction takes the write lock up front rather
// than failing when it upgrades from reading to writing, and an 8 MiB page
// cache per connection instead of SQLite's 2 MiB. A large write transaction
// fills its connection's cache, and modernc.org/sqlite allocates each 4 KiB
// page and its header apart, which takes about twice the cache's size in
// memory: 32 MiB made the first large write of a connection grow the
// process by 60 MiB, more than a request of a few megabytes may (see
// test/attack), for batch and single-row throughputs within the noise of
// those with 8 MiB (BenchmarkDataSets on SQLite, three runs each). No
// commit checkpoints the log: walCheckpointer does, beside the writers.
func sqliteDSN(path string) string {
	path = strings.TrimPrefix(path, "//")
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)&_pragma=cache_size(-8192)&_pragma=temp_store(MEMORY)&_pragma=wal_autocheckpoint(0)&_txlock=immediate"
}

// mysqlDSN converts mysql://user:pass@host:port/db?params to the driver's DSN,
// with the settings Parc relies on: times parsed as UTC with microseconds,
// utf8mb4 throughout, and parameters interpolated by the client. The URL's
// own parameters (session variables or driver settings) come next, then
// session, which holds the variables Parc chose after looking at the
// server, unless the URL set them.
//
// Interpolation is not a matter of taste: with server-side prepared
// statements, a transaction aborted by a Galera cluster's certification was
// seen to go unreported, the next statement running in autocommit outside
// the transaction. With the text protocol every abort reaches Parc, as
// error 1213, at the next statement or at COMMIT. It also saves a round
// trip per statement.
func mysqlDSN(rawURL string, session map[string]string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", unparsable(MySQL)
	}
	cfg := mysqldriver.NewConfig()
	cfg.Net = "tcp"
	cfg.Addr = u.Host
	if u.Port() == "" {
		cfg.Addr = u.Host + ":3306"
	}
	if u.User != nil {
		cfg.User = u.User.Username()
		cfg.Passwd, _ = u.User.Password()
	}
	cfg.DBName = strings.TrimPrefix(u.Path, "/")
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	cfg.Collation = "utf8mb4_bin"
	// An UPDATE's affected rows are the rows it matched, as on PostgreSQL
	// and SQLite, not only those whose values changed.
	cfg.ClientFoundRows = true
	cfg.Params = map[string]string{"time_zone": "'+00:00'"}
	for k, v := range u.Query() {
		cfg.Params[k] = v[len(v)-1]
	}
	for k, v := range session {
		if _, set := cfg.Params[k]; !set {
			cfg.Params[k] = v
		}
	}
	// Set last: a URL parameter cannot turn it off (the driver would take
	// interpolateParams=false from Params otherwise).
	delete(cfg.Params, "interpolateParams")
	cfg.InterpolateParams = true
	return cfg.FormatDSN(), nil
}

// unparsable reports a URL that net/url rejects. Its url.Error quotes the
// raw URL, password included, so it is neither shown nor wrapped.
func unparsable(b Backend) error {
	return fmt.Errorf("%s database URL does not parse: write it %s://user:password@host:port/database, with reserved characters of the password percent-encoded", b, b)
}

// Redact hides the password of a database URL, for logs and errors.
func Redact(rawURL string) string { return redact(rawURL) }

func redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(unparsable database URL)"
	}
	if u.User == nil {
		return rawURL
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}
