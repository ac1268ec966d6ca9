package main

import (
	"context"
	"flag"
	"io"

	httpapi "github.com/parc-hq/parc/adapters/http"
	"github.com/parc-hq/parc/app"
)

var projectUpdateCommand = &command{
	name: "project update", synopsis: "--code CODE [--name NAME] [--licenses N] [--companies A,B] [--owner A]", database: true,
	summary: `change a project; flags left out stay as they are (--owner "" removes the owner)`,
	setup: func(fs *flag.FlagSet, cfg *config) func(context.Context, []string, io.Writer) error {
		code := fs.String("code", "", "code of the project to change")
		var name, companies, owner optionalString
		var licenses optionalInt
		fs.Var(&name, "name", "new project name")
		fs.Var(&licenses, "licenses", "new licence count (refused below the active accounts)")
		fs.Var(&companies, "companies", "the new member company codes, comma-separated")
		fs.Var(&owner, "owner", `the new owner's company code ("" removes the owner)`)
		return func(ctx context.Context, _ []string, out io.Writer) error {
			if *code == "" {
				return usageError{msg: "project update needs --code"}
			}
			up := app.ProjectUpdate{Name: name.value, Licenses: licenses.value, Owner: owner.value}
			if companies.value != nil {
				up.Companies = append([]string{}, splitList(*companies.value)...)
			}
			return withAdmin(ctx, cfg, func(d adminDeps) error {
				p, err := d.Projects.UpdateProject(ctx, *code, up)
				if err != nil {
					return err
				}
				return printJSON(out, httpapi.ProjectView(p))
			})
		}
	},
}
