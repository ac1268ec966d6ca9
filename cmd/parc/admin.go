package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"go.uber.org/fx"

	"github.com/parc-hq/parc/adapters/gormstore"
	"github.com/parc-hq/parc/app"
	"github.com/parc-hq/parc/domain/tenant"
)

// adminDeps is what the admin commands need: a migrated store and the services.
type adminDeps struct {
	fx.In
	Store    *gormstore.Store
	Tenants  *app.TenantService
	Projects *app.ProjectService
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

type projectOut struct {
	Code      string   `json:"code"`
	Name      string   `json:"name"`
	Licenses  int      `json:"licenses"`
	Companies []string `json:"companies"`
	Owner     string   `json:"owner,omitempty"`
}

func toProjectOut(d app.ProjectDetails) projectOut {
	o := projectOut{Code: string(d.Project.Code()), Name: d.Project.Name(), Licenses: d.Project.Licenses(), Companies: []string{}}
	for _, c := range d.Members {
		o.Companies = append(o.Companies, string(c.Code()))
	}
	if d.Owner != nil {
		o.Owner = string(d.Owner.Code())
	}
	return o
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

func adminCommands() map[string]command {
	var code, name, company, companies, owner string
	var licenses int
	var newName, newStatus, newCompanies, newOwner optionalString
	var newLicenses optionalInt
	return map[string]command{
		"project create": {
			flags: func(fs *flag.FlagSet) {
				fs.StringVar(&code, "code", "", "project code (the codeProjet of /v1 URLs)")
				fs.StringVar(&name, "name", "", "project name (default: the code)")
				fs.IntVar(&licenses, "licenses", 0, "how many accounts may be active at once")
				fs.StringVar(&companies, "companies", "", "member company codes, comma-separated")
				fs.StringVar(&owner, "owner", "", "member company that may act for the others (optional)")
			},
			run: func(ctx context.Context, cfg *config, _ []string, out io.Writer) error {
				return withAdmin(ctx, cfg, func(d adminDeps) error {
					p, err := d.Projects.CreateProject(ctx, app.ProjectInput{Code: code, Name: name, Licenses: licenses,
						Companies: splitList(companies), Owner: owner})
					if err != nil {
						return err
					}
					return printJSON(out, toProjectOut(p))
				})
			},
		},
		"project update": {
			flags: func(fs *flag.FlagSet) {
				fs.StringVar(&code, "code", "", "code of the project to change")
				fs.Var(&newName, "name", "new project name")
				fs.Var(&newLicenses, "licenses", "new licence count (refused below the active accounts)")
				fs.Var(&newCompanies, "companies", "the new member company codes, comma-separated")
				fs.Var(&newOwner, "owner", `the new owner's company code ("" removes the owner)`)
			},
			run: func(ctx context.Context, cfg *config, _ []string, out io.Writer) error {
				if code == "" {
					return usageError{"usage: parc project update --code C [--name N] [--licenses N] [--companies A,B] [--owner A]"}
				}
				up := app.ProjectUpdate{Name: newName.value, Licenses: newLicenses.value, Owner: newOwner.value}
				if newCompanies.value != nil {
					up.Companies = append([]string{}, splitList(*newCompanies.value)...)
				}
				return withAdmin(ctx, cfg, func(d adminDeps) error {
					p, err := d.Projects.UpdateProject(ctx, code, up)
					if err != nil {
						return err
					}
					return printJSON(out, toProjectOut(p))
				})
			},
		},
		"project list": {
			run: func(ctx context.Context, cfg *config, _ []string, out io.Writer) error {
				return withAdmin(ctx, cfg, func(d adminDeps) error {
					list, err := d.Projects.Projects(ctx)
					if err != nil {
						return err
					}
					projects := make([]projectOut, len(list))
					for i, p := range list {
						projects[i] = toProjectOut(p)
					}
					return printJSON(out, projects)
				})
			},
		},
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
		"company update": {
			flags: func(fs *flag.FlagSet) {
				fs.StringVar(&code, "code", "", "code of the company to change")
				fs.Var(&newName, "name", "new company name")
				fs.Var(&newStatus, "status", "active, or disabled (closes every key of the company)")
			},
			run: func(ctx context.Context, cfg *config, _ []string, out io.Writer) error {
				if code == "" {
					return usageError{"usage: parc company update --code C [--name N] [--status active|disabled]"}
				}
				return withAdmin(ctx, cfg, func(d adminDeps) error {
					c, err := d.Tenants.CompanyByCode(ctx, code)
					if err != nil {
						return err
					}
					c, err = d.Tenants.UpdateCompany(ctx, c.ID(), tenant.CompanyChange{Name: newName.value, Status: newStatus.value})
					if err != nil {
						return err
					}
					return printJSON(out, toCompanyOut(c))
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
