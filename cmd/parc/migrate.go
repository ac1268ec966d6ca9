package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/parc-hq/parc/adapters/gormstore"
)

var migrateCommand = &command{
	name: "migrate", synopsis: "[--database-url URL]", database: true,
	summary: "create or upgrade the schema, then exit",
	setup: func(_ *flag.FlagSet, cfg *config) func(context.Context, []string, io.Writer) error {
		return func(ctx context.Context, _ []string, out io.Writer) error {
			return withCore(ctx, cfg, func(store *gormstore.Store) error {
				if err := store.Migrate(ctx); err != nil {
					return err
				}
				fmt.Fprintf(out, "schema is up to date (%s)\n", store.Backend())
				return nil
			})
		}
	},
}
