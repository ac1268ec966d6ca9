package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"go.uber.org/dig"
	"go.uber.org/fx"

	"github.com/parc-hq/parc/adapters/database"
	"github.com/parc-hq/parc/internal/buildinfo"
)

var serveCommand = &command{
	name: "serve", synopsis: "[--addr HOST:PORT] [--database-url URL]", database: true,
	summary: "serve the HTTP API (migrates the schema first)",
	setup: func(fs *flag.FlagSet, cfg *config) func(context.Context, []string, io.Writer) error {
		fs.StringVar(&cfg.HTTP.Addr, "addr", cfg.HTTP.Addr, "listen address (env PARC_ADDR)")
		return func(ctx context.Context, _ []string, _ io.Writer) error { return serve(ctx, cfg) }
	},
}

// serve runs the API until ctx ends (SIGINT or SIGTERM), then drains
// requests in flight (up to PARC_SHUTDOWN_TIMEOUT) and returns.
func serve(ctx context.Context, cfg *config) error {
	log := newLogger(cfg, os.Stderr)
	build := buildinfo.Read()
	log.Info("starting parc", "version", build.Version, "revision", build.Revision, "go", build.GoVersion,
		"database", database.Redact(cfg.DB.URL), "admin_api", cfg.HTTP.AdminToken != "", "tls", cfg.HTTP.TLSCertFile != "")
	application := fx.New(serveOptions(cfg, log))
	if err := application.Start(ctx); err != nil {
		if ctx.Err() != nil {
			// A signal during start-up (a slow migration, say) is a
			// request to stop, not a failure: fx has already stopped
			// the hooks that had started.
			log.Info("parc stopped during start-up")
			return nil
		}
		return startError(err)
	}
	<-ctx.Done()
	stopCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := application.Stop(stopCtx); err != nil {
		return fmt.Errorf("stop: %w", err)
	}
	log.Info("parc stopped")
	return nil
}

// withCore starts the storage and use cases (no HTTP), hands fn what it
// asks for through fx.Populate-style targets, and stops them after.
func withCore[T any](ctx context.Context, cfg *config, fn func(T) error) error {
	log := newLogger(cfg, os.Stderr)
	var target T
	application := fx.New(coreOptions(cfg, log), fx.Populate(&target))
	if err := application.Start(ctx); err != nil {
		return startError(err)
	}
	runErr := fn(target)
	if err := application.Stop(context.Background()); err != nil && runErr == nil {
		runErr = fmt.Errorf("stop: %w", err)
	}
	return runErr
}

// startError strips the dependency graph's wrapping ("could not build
// arguments for function ...") from a failed start, leaving the error of the
// constructor or hook that failed, e.g. the database's.
func startError(err error) error {
	return dig.RootCause(err)
}
