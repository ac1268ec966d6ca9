package main

import (
	"context"
	"flag"
	"io"

	httpapi "github.com/parc-hq/parc/adapters/http"
	"github.com/parc-hq/parc/app"
)

var projectCreateCommand = &command{
	name: "project create", synopsis: "--code CODE --licenses N --companies A,B [--owner A] [--name NAME]", database: true,
	summary: "create a project shared by member companies",
	setup: func(fs *flag.FlagSet, cfg *config) func(context.Context, []string, io.Writer) error {
		code := fs.String("code", "", "project code (the codeProjet of /v1 URLs)")
		name := fs.String("name", "", "project name (default: the code)")
		licenses := fs.Int("licenses", 0, "how many accounts may be active at once")
		companies := fs.String("companies", "", "member company codes, comma-separated")
		owner := fs.String("owner", "", "member company that may act for the others (optional)")
		return func(ctx context.Context, _ []string, out io.Writer) error {
			return withAdmin(ctx, cfg, func(d adminDeps) error {
				p, err := d.Projects.CreateProject(ctx, app.ProjectInput{Code: *code, Name: *name, Licenses: *licenses,
					Companies: splitList(*companies), Owner: *owner})
				if err != nil {
					return err
				}
				return printJSON(out, httpapi.ProjectView(p))
			})
		}
	},
}
