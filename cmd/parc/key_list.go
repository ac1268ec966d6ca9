package main

import (
	"context"
	"flag"
	"io"

	httpapi "github.com/parc-hq/parc/adapters/http"
)

var keyListCommand = &command{
	name: "key list", synopsis: "--company CODE", database: true,
	summary: "list a company's API keys, revoked ones included, without secrets",
	setup: func(fs *flag.FlagSet, cfg *config) func(context.Context, []string, io.Writer) error {
		company := fs.String("company", "", "company code")
		return func(ctx context.Context, _ []string, out io.Writer) error {
			return withAdmin(ctx, cfg, func(d adminDeps) error {
				c, err := d.Tenants.CompanyByCode(ctx, *company)
				if err != nil {
					return err
				}
				keys, err := d.Tenants.Keys(ctx, c.ID())
				if err != nil {
					return err
				}
				return printList(out, keys, httpapi.KeyView)
			})
		}
	},
}
