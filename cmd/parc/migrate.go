package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"go.uber.org/fx"

	"github.com/parc-hq/parc/adapters/gormstore"
	"github.com/parc-hq/parc/ports"
)

// migrateDeps is what migrating needs: the store, and the clock that
// stamps each step applied.
type migrateDeps struct {
	fx.In
	Store *gormstore.Store
	Clock ports.Clock
}

var migrateCommand = &command{
	name: "migrate", synopsis: "[--database-url URL]", database: true,
	summary: "create or upgrade the schema, then exit",
	setup: func(_ *flag.FlagSet, cfg *config) func(context.Context, []string, io.Writer) error {
		return func(ctx context.Context, _ []string, out io.Writer) error {
			return withCore(ctx, cfg, func(d migrateDeps) error {
				if err := d.Store.Migrate(ctx, d.Clock); err != nil {
					return err
				}
				fmt.Fprintf(out, "schema is up to date: version %d (%s)\n", gormstore.LatestSchemaVersion(), d.Store.Backend())
				return nil
			})
		}
	},
}

var migrateStatusCommand = &command{
	name: "migrate status", synopsis: "[--database-url URL]", database: true,
	summary: "print the schema version of the database and the steps migrate would apply",
	setup: func(_ *flag.FlagSet, cfg *config) func(context.Context, []string, io.Writer) error {
		return func(ctx context.Context, _ []string, out io.Writer) error {
			return withCore(ctx, cfg, func(store *gormstore.Store) error {
				st, err := store.Status(ctx)
				if err != nil {
					return err
				}
				switch {
				case st.Unversioned:
					fmt.Fprintf(out, "schema version: none recorded (made before versioning) of %d (%s)\n", st.Latest, store.Backend())
				default:
					fmt.Fprintf(out, "schema version: %d of %d (%s)\n", st.Current, st.Latest, store.Backend())
				}
				if len(st.Pending) == 0 {
					fmt.Fprintln(out, "up to date")
					return nil
				}
				fmt.Fprintln(out, "pending steps (parc migrate or parc serve applies them):")
				for _, p := range st.Pending {
					fmt.Fprintf(out, "  %s\n", p)
				}
				return nil
			})
		}
	},
}
