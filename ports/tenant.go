package ports

import (
	"context"
	"time"

	"github.com/parc-hq/parc/domain/tenant"
)

// CompanyRepository stores tenants. Lookups of an absent company return an
// error wrapping domain.ErrNotFound; a duplicate code, domain.ErrConflict.
type CompanyRepository interface {
	CreateCompany(ctx context.Context, c tenant.Company) error
	UpdateCompany(ctx context.Context, c tenant.Company) error
	CompanyByID(ctx context.Context, id string) (tenant.Company, error)
	CompanyByCode(ctx context.Context, code tenant.Code) (tenant.Company, error)
	// CompaniesByCodes returns the companies found, in no particular order.
	CompaniesByCodes(ctx context.Context, codes []tenant.Code) ([]tenant.Company, error)
	// CompaniesByIDs returns the companies found, in no particular order.
	CompaniesByIDs(ctx context.Context, ids []string) ([]tenant.Company, error)
	ListCompanies(ctx context.Context) ([]tenant.Company, error)
}

// APIKeyRepository stores API keys (digests only).
type APIKeyRepository interface {
	CreateKey(ctx context.Context, k tenant.APIKey) error
	// KeyByPrefix finds the key with the prefix (domain.ErrNotFound if
	// none) at the same cost either way: which prefixes exist must not
	// show in how long authentication takes.
	KeyByPrefix(ctx context.Context, prefix string) (tenant.APIKey, error)
	// KeyWithCompany is KeyByPrefix that also reads the key's company, in
	// the same lookup (authentication's one round trip). A key whose
	// company is missing is returned with domain.ErrNotFound.
	KeyWithCompany(ctx context.Context, prefix string) (tenant.APIKey, tenant.Company, error)
	KeyByID(ctx context.Context, id string) (tenant.APIKey, error)
	ListKeys(ctx context.Context, companyID string) ([]tenant.APIKey, error)
	// RevokeKey marks a key revoked at the given time; revoking twice keeps the first time.
	RevokeKey(ctx context.Context, id string, at time.Time) error
	TouchKey(ctx context.Context, id string, at time.Time) error
}
