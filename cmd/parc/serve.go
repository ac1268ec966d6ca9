package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"go.uber.org/dig"
	"go.uber.org/fx"

	"github.com/parc-hq/parc/adapters/database"
	"github.com/parc-hq/parc/adapters/gormstore"
)

// serve runs the API until SIGINT or SIGTERM, then drains requests in
// flight (up to PARC_SHUTDOWN_TIMEOUT) and exits.
func serve(ctx context.Context, cfg *config, _ []string, _ io.Writer) error {
	log := newLogger(cfg, os.Stderr)
	log.Info("starting parc", "database", database.Redact(cfg.DB.URL), "admin_api", cfg.HTTP.AdminToken != "")
	application := fx.New(serveOptions(cfg, log))
	if err := application.Start(ctx); err != nil {
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

// migrate creates or upgrades the schema and exits.
func migrate(ctx context.Context, cfg *config, _ []string, stdout io.Writer) error {
	return withCore(ctx, cfg, func(store *gormstore.Store) error {
		if err := store.Migrate(ctx); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "schema is up to date (%s)\n", store.Backend())
		return nil
	})
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
