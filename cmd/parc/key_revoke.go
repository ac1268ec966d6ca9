package main

import (
	"context"
	"flag"
	"io"

	httpapi "github.com/parc-hq/parc/adapters/http"
)

var keyRevokeCommand = &command{
	name: "key revoke", synopsis: "PREFIX", nargs: 1, database: true,
	summary: "revoke a key by its public prefix; prints the revoked key",
	setup: func(_ *flag.FlagSet, cfg *config) func(context.Context, []string, io.Writer) error {
		return func(ctx context.Context, args []string, out io.Writer) error {
			return withAdmin(ctx, cfg, func(d adminDeps) error {
				k, err := d.Tenants.RevokeKeyByPrefix(ctx, args[0])
				if err != nil {
					return err
				}
				return printJSON(out, httpapi.KeyView(k))
			})
		}
	},
}
