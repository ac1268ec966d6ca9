package main

import (
	"context"
	"flag"
	"io"

	httpapi "github.com/parc-hq/parc/adapters/http"
)

var openapiCommand = &command{
	name:    "openapi",
	summary: "print the OpenAPI document the server serves at /openapi.json",
	setup: func(*flag.FlagSet, *config) func(context.Context, []string, io.Writer) error {
		return func(_ context.Context, _ []string, out io.Writer) error {
			_, err := out.Write(append(httpapi.OpenAPIDocument(), '\n'))
			return err
		}
	},
}
