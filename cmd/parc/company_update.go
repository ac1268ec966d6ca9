package main

import (
	"context"
	"flag"
	"io"

	httpapi "github.com/parc-hq/parc/adapters/http"
	"github.com/parc-hq/parc/domain/tenant"
)

var companyUpdateCommand = &command{
	name: "company update", synopsis: "--code CODE [--name NAME] [--status active|disabled]", database: true,
	summary: "rename, disable or re-enable a company (disabling closes all its keys)",
	setup: func(fs *flag.FlagSet, cfg *config) func(context.Context, []string, io.Writer) error {
		code := fs.String("code", "", "code of the company to change")
		var name, status optionalString
		fs.Var(&name, "name", "new company name")
		fs.Var(&status, "status", "active, or disabled (closes every key of the company)")
		return func(ctx context.Context, _ []string, out io.Writer) error {
			if *code == "" {
				return usageError{msg: "company update needs --code"}
			}
			return withAdmin(ctx, cfg, func(d adminDeps) error {
				c, err := d.Tenants.CompanyByCode(ctx, *code)
				if err != nil {
					return err
				}
				c, err = d.Tenants.UpdateCompany(ctx, c.ID(), tenant.CompanyChange{Name: name.value, Status: status.value})
				if err != nil {
					return err
				}
				return printJSON(out, httpapi.CompanyView(c))
			})
		}
	},
}
