package app

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/parc-hq/parc/domain"
	"github.com/parc-hq/parc/domain/account"
	"github.com/parc-hq/parc/domain/project"
	"github.com/parc-hq/parc/domain/tenant"
	"github.com/parc-hq/parc/ports"
)

// MaxAccountsPerCall bounds a bulk account call, so that one call holds the
// project's lock for a bounded time.
const MaxAccountsPerCall = 10000

// AccountService manages the licensed user accounts of projects.
type AccountService struct {
	accounts  ports.AccountRepository
	projects  ports.ProjectRepository
	companies ports.CompanyRepository
	access    *ProjectService // the owner/member rule of project requests
	tx        ports.Transactor
	clock     ports.Clock
	ids       ports.IDGenerator
	log       *slog.Logger
}

// NewAccountService builds the service. access supplies the owner/member
// rule that data sets share, so that both areas answer 403 alike.
func NewAccountService(accounts ports.AccountRepository, projects ports.ProjectRepository, companies ports.CompanyRepository,
	access *ProjectService, tx ports.Transactor, clock ports.Clock, ids ports.IDGenerator, log *slog.Logger) *AccountService {
	return &AccountService{accounts: accounts, projects: projects, companies: companies,
		access: access, tx: tx, clock: clock, ids: ids, log: log}
}

// AccountInput is one account of a bulk call, as the caller gave it.
type AccountInput struct {
	Login       string
	Email       string
	Name        string
	Status      string
	CompanyCode string // "" for the caller's own company
	// Problem holds the defects found while decoding the item; it is
	// rejected with them.
	Problem *domain.ValidationError
}

// BulkResult is the outcome of a bulk call: a result per item, in call
// order, and the project's licence usage once the call is stored.
type BulkResult struct {
	Usage   account.Usage
	Results []account.Result
}

// Bulk creates the unknown logins and changes the status of the known ones,
// within the project's licences. It runs in one transaction that holds the
// project's lock, so concurrent calls cannot hand out the same licence. A
// companyCode the caller may not use refuses the whole call (403), as for
// data sets; a bad item is only rejected in its result.
func (s *AccountService) Bulk(ctx context.Context, projectCode string, caller tenant.Company, items []AccountInput) (BulkResult, error) {
	if len(items) > MaxAccountsPerCall {
		return BulkResult{}, domain.Invalid("too_long", domain.Params{domain.RuleParam: "max_accounts", "max_length": MaxAccountsPerCall}, "body")
	}
	var out BulkResult
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		// The lock comes first: on MySQL a REPEATABLE READ transaction's
		// snapshot starts at its first plain read, which must see the
		// accounts the previous holder of the lock committed.
		p, err := lockProject(ctx, s.projects, projectCode)
		if err != nil {
			return err
		}
		companyIDs, err := s.actingCompanies(ctx, p, caller, items)
		if err != nil {
			return err
		}
		requests := make([]account.Request, len(items))
		keys := make([]string, 0, len(items))
		seen := make(map[string]bool, len(items))
		for i, it := range items {
			requests[i] = account.Request{Login: it.Login, Email: it.Email, Name: it.Name, Status: it.Status,
				CompanyID: companyIDs[i], Problem: it.Problem}
			if k := account.LoginKey(it.Login); k != "" && !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
		stored, err := s.accounts.AccountsByLoginKeys(ctx, p.ID(), keys)
		if err != nil {
			return err
		}
		active, err := s.accounts.CountActive(ctx, p.ID())
		if err != nil {
			return err
		}
		plan := account.Allocate(account.Input{ProjectID: p.ID(), Requests: requests, Stored: stored,
			Usage: account.Usage{Licenses: p.Licenses(), Used: active}, Now: s.clock.Now(), NewID: s.ids.NewID})
		if err := s.accounts.InsertAccounts(ctx, plan.Create); err != nil {
			return err
		}
		if err := s.accounts.UpdateAccountStatuses(ctx, plan.Update); err != nil {
			return err
		}
		out = BulkResult{Usage: plan.Usage, Results: plan.Results}
		return nil
	})
	if err != nil {
		return BulkResult{}, fmt.Errorf("bulk accounts call: %w", err)
	}
	counts := map[account.Action]int{}
	for _, r := range out.Results {
		counts[r.Action]++
	}
	s.log.InfoContext(ctx, "accounts allocated", "project", projectCode, "company", caller.Code().String(),
		"created", counts[account.ActionCreated], "updated", counts[account.ActionUpdated],
		"unchanged", counts[account.ActionUnchanged], "rejected", counts[account.ActionRejected],
		"licenses", out.Usage.Licenses, "used", out.Usage.Used)
	return out, nil
}

// actingCompanies resolves the company of every item (its companyCode, or
// the caller's) under the project's owner rule (ProjectService's).
func (s *AccountService) actingCompanies(ctx context.Context, p project.Project, caller tenant.Company, items []AccountInput) ([]string, error) {
	codes := make([]string, len(items))
	for i, it := range items {
		codes[i] = it.CompanyCode
	}
	byCode, err := s.access.actingCompanies(ctx, p, caller, codes)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(items))
	for i, code := range codes {
		ids[i] = byCode[code].ID()
	}
	return ids, nil
}

// AccountQuery selects a page of a project's accounts.
type AccountQuery struct {
	CompanyCode string          // "" for the caller's own company
	Status      *account.Status // nil for every status
	Limit       int             // account.PageSize; 0 for its default
	Offset      int
}

// AccountPage is a page of one company's accounts in a project, with the
// project's licence usage and the number of matching accounts in all.
type AccountPage struct {
	Usage    account.Usage
	Company  tenant.Company
	Accounts []account.Account
	Total    int
}

// List returns the accounts of the company the caller acts for (its own, or
// companyCode's for the project's owner), by login.
func (s *AccountService) List(ctx context.Context, projectCode string, caller tenant.Company, q AccountQuery) (AccountPage, error) {
	limit, err := pageLimit(account.PageSize, q.Limit)
	if err != nil {
		return AccountPage{}, err
	}
	q.Limit = limit
	p, company, err := s.access.Access(ctx, projectCode, caller, q.CompanyCode)
	if err != nil {
		return AccountPage{}, fmt.Errorf("list accounts: %w", err)
	}
	list, total, err := s.accounts.ListAccounts(ctx, p.ID(), ports.AccountFilter{CompanyID: company.ID(), Status: q.Status, Limit: q.Limit, Offset: q.Offset})
	if err != nil {
		return AccountPage{}, fmt.Errorf("list accounts: %w", err)
	}
	active, err := s.accounts.CountActive(ctx, p.ID())
	if err != nil {
		return AccountPage{}, fmt.Errorf("list accounts: %w", err)
	}
	return AccountPage{Usage: account.Usage{Licenses: p.Licenses(), Used: active}, Company: company, Accounts: list, Total: total}, nil
}
