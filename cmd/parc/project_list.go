package main

import (
	"context"
	"flag"
	"io"

	httpapi "github.com/parc-hq/parc/adapters/http"
)

var projectListCommand = &command{
	name: "project list", database: true,
	summary: "list projects, by code",
	setup: func(_ *flag.FlagSet, cfg *config) func(context.Context, []string, io.Writer) error {
		return func(ctx context.Context, _ []string, out io.Writer) error {
			return withAdmin(ctx, cfg, func(d adminDeps) error {
				list, err := d.Projects.Projects(ctx)
				if err != nil {
					return err
				}
				return printList(out, list, httpapi.ProjectView)
			})
		}
	},
}
