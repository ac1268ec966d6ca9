package httpapi

import (
	"github.com/parc-hq/parc/app"
	"github.com/parc-hq/parc/domain/tenant"
)

// The admin CLI prints what the admin API answers, through the same
// converters, so that both show the same fields and time format.

// CompanyView is a company as GET /admin/companies shows it.
func CompanyView(c tenant.Company) any { return toCompanyDTO(c) }

// CreatedCompanyView is the answer of POST /admin/companies.
func CreatedCompanyView(c tenant.Company, key app.IssuedKey) any {
	return createdCompanyDTO{companyDTO: toCompanyDTO(c), APIKey: key.Secret, Key: toKeyDTO(key.Key)}
}

// KeyView is an API key as listed, without its secret.
func KeyView(k tenant.APIKey) any { return toKeyDTO(k) }

// IssuedKeyView is a new key with its clear text, shown once.
func IssuedKeyView(k app.IssuedKey) any { return toIssuedKeyDTO(k) }

// ProjectView is a project as GET /admin/projects shows it.
func ProjectView(d app.ProjectDetails) any { return toProjectDTO(d) }

// convertAll maps a list of domain values to their DTOs with one converter,
// so that a listing and its single-item answer can never drift apart.
func convertAll[T, D any](items []T, to func(T) D) []D {
	out := make([]D, len(items))
	for i, item := range items {
		out[i] = to(item)
	}
	return out
}
