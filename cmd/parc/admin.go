package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"go.uber.org/fx"

	"github.com/parc-hq/parc/adapters/gormstore"
	"github.com/parc-hq/parc/app"
	"github.com/parc-hq/parc/domain/tenant"
)

// adminDeps is what the admin commands need: a migrated store and the services.
type adminDeps struct {
	fx.In
	Store   *gormstore.Store
	Tenants *app.TenantService
}

// withAdmin migrates the schema (a fresh deployment is bootstrapped from the
// CLI before serve ever ran) and runs fn with the services.
func withAdmin(ctx context.Context, cfg *config, fn func(adminDeps) error) error {
	return withCore(ctx, cfg, func(d adminDeps) error {
		if err := d.Store.Migrate(ctx); err != nil {
			return err
		}
		return fn(d)
	})
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

type companyOut struct {
	CompanyID string `json:"company_id"`
	Code      string `json:"code"`
	Name      string `json:"name"`
	Status    string `json:"status"`
	APIKey    string `json:"api_key,omitempty"`
	KeyPrefix string `json:"key_prefix,omitempty"`
}

func toCompanyOut(c tenant.Company) companyOut {
	return companyOut{CompanyID: c.ID(), Code: string(c.Code()), Name: c.Name(), Status: string(c.Status())}
}

type keyOut struct {
	KeyID     string `json:"key_id"`
	Company   string `json:"company"`
	Prefix    string `json:"prefix"`
	Name      string `json:"name"`
	CreatedAt string `json:"created_at"`
	Revoked   bool   `json:"revoked"`
	APIKey    string `json:"api_key,omitempty"`
}

func toKeyOut(code tenant.Code, k tenant.APIKey) keyOut {
	return keyOut{KeyID: k.ID(), Company: string(code), Prefix: k.Prefix(), Name: k.Name(),
		CreatedAt: k.CreatedAt().Format("2006-01-02T15:04:05Z07:00"), Revoked: k.Revoked()}
}

func adminCommands() map[string]command {
	var code, name, company string
	return map[string]command{
		"company create": {
			flags: func(fs *flag.FlagSet) {
				fs.StringVar(&code, "code", "", "company code (unique)")
				fs.StringVar(&name, "name", "", "company name")
			},
			run: func(ctx context.Context, cfg *config, _ []string, out io.Writer) error {
				return withAdmin(ctx, cfg, func(d adminDeps) error {
					c, key, err := d.Tenants.CreateCompany(ctx, code, name)
					if err != nil {
						return err
					}
					o := toCompanyOut(c)
					o.APIKey, o.KeyPrefix = key.Secret, key.Key.Prefix()
					return printJSON(out, o)
				})
			},
		},
		"company list": {
			run: func(ctx context.Context, cfg *config, _ []string, out io.Writer) error {
				return withAdmin(ctx, cfg, func(d adminDeps) error {
					companies, err := d.Tenants.Companies(ctx)
					if err != nil {
						return err
					}
					list := make([]companyOut, len(companies))
					for i, c := range companies {
						list[i] = toCompanyOut(c)
					}
					return printJSON(out, list)
				})
			},
		},
		"key create": {
			flags: func(fs *flag.FlagSet) {
				fs.StringVar(&company, "company", "", "company code")
				fs.StringVar(&name, "name", "", "a name for the key, e.g. where it is used")
			},
			run: func(ctx context.Context, cfg *config, _ []string, out io.Writer) error {
				return withAdmin(ctx, cfg, func(d adminDeps) error {
					c, err := d.Tenants.CompanyByCode(ctx, company)
					if err != nil {
						return err
					}
					key, err := d.Tenants.CreateKey(ctx, c.ID(), name)
					if err != nil {
						return err
					}
					o := toKeyOut(c.Code(), key.Key)
					o.APIKey = key.Secret
					return printJSON(out, o)
				})
			},
		},
		"key list": {
			flags: func(fs *flag.FlagSet) { fs.StringVar(&company, "company", "", "company code") },
			run: func(ctx context.Context, cfg *config, _ []string, out io.Writer) error {
				return withAdmin(ctx, cfg, func(d adminDeps) error {
					c, err := d.Tenants.CompanyByCode(ctx, company)
					if err != nil {
						return err
					}
					keys, err := d.Tenants.Keys(ctx, c.ID())
					if err != nil {
						return err
					}
					list := make([]keyOut, len(keys))
					for i, k := range keys {
						list[i] = toKeyOut(c.Code(), k)
					}
					return printJSON(out, list)
				})
			},
		},
		"key revoke": {
			run: func(ctx context.Context, cfg *config, args []string, out io.Writer) error {
				if len(args) != 1 {
					return usageError{"usage: parc key revoke PREFIX"}
				}
				return withAdmin(ctx, cfg, func(d adminDeps) error {
					k, err := d.Tenants.RevokeKeyByPrefix(ctx, args[0])
					if err != nil {
						return err
					}
					fmt.Fprintf(out, "revoked key %s (%s)\n", k.Prefix(), k.Name())
					return nil
				})
			},
		},
	}
}
