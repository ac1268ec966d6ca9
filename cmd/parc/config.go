package main

import (
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/parc-hq/parc/adapters/database"
	httpapi "github.com/parc-hq/parc/adapters/http"
)

// config is everything the binary can be told, from the environment first,
// then flags.
type config struct {
	DB              database.Config
	HTTP            httpapi.Config
	LogLevel        slog.Level
	ShutdownTimeout time.Duration
}

func envString(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return def
}

// loadConfig reads the environment; each command then declares the flags
// that may override it (--database-url, --addr).
func loadConfig() (*config, error) {
	cfg := &config{
		DB: database.Config{URL: envString("PARC_DATABASE_URL", database.DefaultURL)},
		HTTP: httpapi.Config{Addr: envString("PARC_ADDR", "127.0.0.1:8080"), AdminToken: os.Getenv("PARC_ADMIN_TOKEN"),
			TLSCertFile: os.Getenv("PARC_TLS_CERT_FILE"), TLSKeyFile: os.Getenv("PARC_TLS_KEY_FILE")},
	}
	var err error
	num := func(key string, def int64) int64 {
		v := os.Getenv(key)
		if v == "" || err != nil {
			return def
		}
		n, perr := strconv.ParseInt(v, 10, 64)
		if perr != nil || n < 0 {
			err = fmt.Errorf("%s=%q: want a non-negative whole number", key, v)
		}
		return n
	}
	dur := func(key string, def time.Duration) time.Duration {
		v := os.Getenv(key)
		if v == "" || err != nil {
			return def
		}
		d, perr := time.ParseDuration(v)
		if perr != nil {
			err = fmt.Errorf("%s=%q: want a duration such as 30s or 5m", key, v)
		}
		return d
	}
	cfg.HTTP.BodyLimit = num("PARC_BODY_LIMIT", httpapi.DefaultBodyLimit)
	cfg.HTTP.BodyBudget = num("PARC_BODY_BUDGET", httpapi.DefaultBodyBudget)
	cfg.HTTP.BodyTimeout = dur("PARC_BODY_TIMEOUT", httpapi.DefaultBodyTimeout)
	cfg.HTTP.RequestTimeout = dur("PARC_REQUEST_TIMEOUT", httpapi.DefaultRequestTimeout)
	cfg.HTTP.WriteTimeout = dur("PARC_WRITE_TIMEOUT", httpapi.DefaultWriteTimeout)
	cfg.HTTP.MaxValueBytes = int(num("PARC_MAX_VALUE_BYTES", httpapi.DefaultMaxValue))
	cfg.HTTP.MaxProblems = int(num("PARC_MAX_PROBLEMS", httpapi.DefaultMaxIssue))
	cfg.HTTP.AuthFailuresPerMinute = int(num("PARC_AUTH_FAILURES_PER_MINUTE", httpapi.DefaultAuthFailures))
	cfg.DB.MaxOpenConns = int(num("PARC_DB_MAX_OPEN_CONNS", 0))
	cfg.DB.MaxIdleConns = int(num("PARC_DB_MAX_IDLE_CONNS", 0))
	cfg.DB.ConnMaxLifetime = dur("PARC_DB_CONN_MAX_LIFETIME", 0)
	cfg.DB.SlowQuery = dur("PARC_DB_SLOW_QUERY", 500*time.Millisecond)
	cfg.ShutdownTimeout = dur("PARC_SHUTDOWN_TIMEOUT", 30*time.Second)
	if list := os.Getenv("PARC_TRUSTED_PROXIES"); list != "" && err == nil {
		if cfg.HTTP.TrustedProxies, err = httpapi.ParseTrustedProxies(list); err != nil {
			err = fmt.Errorf("PARC_TRUSTED_PROXIES: %w", err)
		}
	}
	if lvl := os.Getenv("PARC_LOG_LEVEL"); lvl != "" && err == nil {
		if uerr := cfg.LogLevel.UnmarshalText([]byte(strings.ToLower(lvl))); uerr != nil {
			err = fmt.Errorf("PARC_LOG_LEVEL=%q: want debug, info, warn or error", lvl)
		}
	}
	if err == nil && (cfg.HTTP.TLSCertFile == "") != (cfg.HTTP.TLSKeyFile == "") {
		err = fmt.Errorf("PARC_TLS_CERT_FILE and PARC_TLS_KEY_FILE go together: set both, or neither")
	}
	if err != nil {
		return nil, err
	}
	return cfg, nil
}
