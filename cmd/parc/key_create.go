package main

import (
	"context"
	"flag"
	"io"

	httpapi "github.com/parc-hq/parc/adapters/http"
)

var keyCreateCommand = &command{
	name: "key create", synopsis: "--company CODE [--name NAME]", database: true,
	summary: "issue another API key for a company; prints it (shown once)",
	setup: func(fs *flag.FlagSet, cfg *config) func(context.Context, []string, io.Writer) error {
		company := fs.String("company", "", "company code")
		name := fs.String("name", "", "a name for the key, e.g. where it is used")
		return func(ctx context.Context, _ []string, out io.Writer) error {
			return withAdmin(ctx, cfg, func(d adminDeps) error {
				c, err := d.Tenants.CompanyByCode(ctx, *company)
				if err != nil {
					return err
				}
				key, err := d.Tenants.CreateKey(ctx, c.ID(), *name)
				if err != nil {
					return err
				}
				return printJSON(out, httpapi.IssuedKeyView(key))
			})
		}
	},
}
