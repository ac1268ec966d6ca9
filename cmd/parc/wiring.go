package main

import (
	"context"
	"log/slog"

	"go.uber.org/fx"
	"go.uber.org/fx/fxevent"

	"github.com/parc-hq/parc/adapters/database"
	"github.com/parc-hq/parc/adapters/gormstore"
	httpapi "github.com/parc-hq/parc/adapters/http"
	"github.com/parc-hq/parc/adapters/system"
	"github.com/parc-hq/parc/app"
	"github.com/parc-hq/parc/ports"
)

// useCases provides the app services; they depend only on ports, which the
// adapter modules provide.
var useCases = fx.Module("app",
	fx.Provide(
		app.NewTenantService,
		app.NewProjectService,
		app.NewAccountService,
		app.NewClientService,
		app.NewInventoryService,
		app.NewAgentService,
		app.NewDataSetService,
	),
)

// coreOptions wires storage and use cases: everything but the HTTP server.
// The CLI's admin commands run on it; serve adds the HTTP module.
func coreOptions(cfg *config, log *slog.Logger) fx.Option {
	return fx.Options(
		fx.Supply(cfg.DB, cfg.HTTP, log),
		fx.WithLogger(func() fxevent.Logger {
			l := &fxevent.SlogLogger{Logger: log}
			l.UseLogLevel(slog.LevelDebug)
			// A failed start is returned and reported by its root cause; the
			// graph's full error chain is only for debugging.
			l.UseErrorLevel(slog.LevelDebug)
			return l
		}),
		database.Module,
		gormstore.Module,
		system.Module,
		useCases,
	)
}

// serveOptions is the whole server: the schema is migrated before the HTTP
// server starts listening.
func serveOptions(cfg *config, log *slog.Logger) fx.Option {
	return fx.Options(
		coreOptions(cfg, log),
		// A module, not a root Invoke: fx runs module invokes before the
		// root's, in order, and the schema must be ready before the
		// server's start hook opens the port.
		fx.Module("migrate", fx.Invoke(migrateOnStart)),
		httpapi.Module,
		fx.StopTimeout(cfg.ShutdownTimeout),
	)
}

func migrateOnStart(lc fx.Lifecycle, store *gormstore.Store, clock ports.Clock) {
	lc.Append(fx.StartHook(func(ctx context.Context) error { return store.Migrate(ctx, clock) }))
}
