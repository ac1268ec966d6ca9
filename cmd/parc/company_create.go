package main

import (
	"context"
	"flag"
	"io"

	httpapi "github.com/parc-hq/parc/adapters/http"
)

var companyCreateCommand = &command{
	name: "company create", synopsis: "--code CODE --name NAME", database: true,
	summary: "create a company; prints it with its first API key (shown once)",
	setup: func(fs *flag.FlagSet, cfg *config) func(context.Context, []string, io.Writer) error {
		code := fs.String("code", "", "company code (unique; letters, digits, '_', '-', '.')")
		name := fs.String("name", "", "company name")
		return func(ctx context.Context, _ []string, out io.Writer) error {
			return withAdmin(ctx, cfg, func(d adminDeps) error {
				c, key, err := d.Tenants.CreateCompany(ctx, *code, *name)
				if err != nil {
					return err
				}
				return printJSON(out, httpapi.CreatedCompanyView(c, key))
			})
		}
	},
}
