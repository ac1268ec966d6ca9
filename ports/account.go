package ports

import (
	"context"

	"github.com/parc-hq/parc/domain/account"
)

// AccountFilter narrows a listing of a project's accounts.
type AccountFilter struct {
	CompanyID string          // "" for every company
	Status    *account.Status // nil for every status
	Limit     int             // > 0
	Offset    int
}

// AccountRepository stores the user accounts of projects. The allocation of
// licences calls it inside Transactor.Within, after
// ProjectRepository.LockProject.
type AccountRepository interface {
	// AccountsByLoginKeys returns the project's accounts whose login keys are
	// among keys, in any company.
	AccountsByLoginKeys(ctx context.Context, projectID string, keys []string) ([]account.Account, error)
	// CountActive counts the project's active accounts.
	CountActive(ctx context.Context, projectID string) (int, error)
	// CountActiveByCompany counts the project's active accounts of each of
	// companyIDs, in one query; a company without any is left out.
	CountActiveByCompany(ctx context.Context, projectID string, companyIDs []string) (map[string]int, error)
	// InsertAccounts adds new accounts; a login key already used in the
	// project is domain.ErrConflict.
	InsertAccounts(ctx context.Context, accounts []account.Account) error
	// UpdateAccountStatuses stores the status and update time of accounts.
	UpdateAccountStatuses(ctx context.Context, accounts []account.Account) error
	// ListAccounts returns a page of the project's accounts, by login key, and
	// how many match the filter in all.
	ListAccounts(ctx context.Context, projectID string, f AccountFilter) ([]account.Account, int, error)
}
