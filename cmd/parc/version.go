package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/parc-hq/parc/internal/buildinfo"
)

var versionCommand = &command{
	name:    "version",
	summary: "print the version, VCS revision and Go version (also: parc --version)",
	setup: func(*flag.FlagSet, *config) func(context.Context, []string, io.Writer) error {
		return func(_ context.Context, _ []string, out io.Writer) error { return printVersion(out) }
	},
}

func printVersion(out io.Writer) error {
	_, err := fmt.Fprintln(out, buildinfo.Read())
	return err
}
