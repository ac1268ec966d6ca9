package main

import (
	"context"
	"flag"
	"io"

	httpapi "github.com/parc-hq/parc/adapters/http"
)

var companyListCommand = &command{
	name: "company list", database: true,
	summary: "list companies, by code",
	setup: func(_ *flag.FlagSet, cfg *config) func(context.Context, []string, io.Writer) error {
		return func(ctx context.Context, _ []string, out io.Writer) error {
			return withAdmin(ctx, cfg, func(d adminDeps) error {
				companies, err := d.Tenants.Companies(ctx)
				if err != nil {
					return err
				}
				return printList(out, companies, httpapi.CompanyView)
			})
		}
	},
}
