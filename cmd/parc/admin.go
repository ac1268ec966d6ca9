package main

import (
	"context"
	"encoding/json"
	"io"
	"strings"

	"go.uber.org/fx"

	"github.com/parc-hq/parc/adapters/gormstore"
	"github.com/parc-hq/parc/app"
	"github.com/parc-hq/parc/ports"
)

// adminDeps is what the admin commands need: a migrated store and the services.
type adminDeps struct {
	fx.In
	Store    *gormstore.Store
	Clock    ports.Clock
	Tenants  *app.TenantService
	Projects *app.ProjectService
}

// withAdmin migrates the schema (a fresh deployment is bootstrapped from the
// CLI before serve ever ran) and runs fn with the services.
func withAdmin(ctx context.Context, cfg *config, fn func(adminDeps) error) error {
	return withCore(ctx, cfg, func(d adminDeps) error {
		if err := d.Store.Migrate(ctx, d.Clock); err != nil {
			return err
		}
		return fn(d)
	})
}

// printJSON writes v indented; v comes from the HTTP adapter's converters
// (httpapi.CompanyView, ...), so the CLI shows what the admin API answers.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// printList writes items as a JSON array, each through view.
func printList[T any](w io.Writer, items []T, view func(T) any) error {
	out := make([]any, len(items))
	for i, item := range items {
		out[i] = view(item)
	}
	return printJSON(w, out)
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
