package app_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/parc-hq/parc/domain"
	"github.com/parc-hq/parc/domain/account"
	"github.com/parc-hq/parc/domain/project"
	"github.com/parc-hq/parc/domain/tenant"
	"github.com/parc-hq/parc/ports"
)

// In-memory fakes of the ports, for testing the use cases alone: each keeps
// its data in maps, and the transactor runs one closure at a time, which is
// all the isolation these tests need.

var (
	_ ports.ProjectRepository = (*fakeProjects)(nil)
	_ ports.CompanyRepository = (*fakeCompanies)(nil)
	_ ports.AccountRepository = (*fakeAccounts)(nil)
	_ ports.Transactor        = (*fakeTx)(nil)
	_ ports.Clock             = fakeClock{}
	_ ports.IDGenerator       = (*fakeIDs)(nil)
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

type fakeTx struct{ mu sync.Mutex }

func (t *fakeTx) Within(ctx context.Context, fn func(context.Context) error) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return fn(ctx)
}

type fakeClock struct{ now time.Time }

func (c fakeClock) Now() time.Time { return c.now }

type fakeIDs struct{ n int }

func (g *fakeIDs) NewID() string { g.n++; return fmt.Sprintf("00000000-0000-4000-8000-%012d", g.n) }

type fakeCompanies struct{ byID map[string]tenant.Company }

func newFakeCompanies(list ...tenant.Company) *fakeCompanies {
	f := &fakeCompanies{byID: map[string]tenant.Company{}}
	for _, c := range list {
		f.byID[c.ID()] = c
	}
	return f
}

func (f *fakeCompanies) CreateCompany(_ context.Context, c tenant.Company) error {
	for _, o := range f.byID {
		if o.Code() == c.Code() {
			return domain.ErrConflict
		}
	}
	f.byID[c.ID()] = c
	return nil
}

func (f *fakeCompanies) UpdateCompany(_ context.Context, c tenant.Company) error {
	f.byID[c.ID()] = c
	return nil
}

func (f *fakeCompanies) CompanyByID(_ context.Context, id string) (tenant.Company, error) {
	if c, ok := f.byID[id]; ok {
		return c, nil
	}
	return tenant.Company{}, domain.NotFound("company %s", id)
}

func (f *fakeCompanies) CompanyByCode(_ context.Context, code tenant.Code) (tenant.Company, error) {
	for _, c := range f.byID {
		if c.Code() == code {
			return c, nil
		}
	}
	return tenant.Company{}, domain.NotFound("company %s", code)
}

func (f *fakeCompanies) CompaniesByCodes(_ context.Context, codes []tenant.Code) ([]tenant.Company, error) {
	var out []tenant.Company
	for _, c := range f.byID {
		if slices.Contains(codes, c.Code()) {
			out = append(out, c)
		}
	}
	return out, nil
}

func (f *fakeCompanies) CompaniesByIDs(_ context.Context, ids []string) ([]tenant.Company, error) {
	var out []tenant.Company
	for _, id := range ids {
		if c, ok := f.byID[id]; ok {
			out = append(out, c)
		}
	}
	return out, nil
}

func (f *fakeCompanies) ListCompanies(context.Context) ([]tenant.Company, error) {
	out := make([]tenant.Company, 0, len(f.byID))
	for _, c := range f.byID {
		out = append(out, c)
	}
	return out, nil
}

type fakeProjects struct {
	byCode map[project.Code]project.Project
}

func (f *fakeProjects) CreateProject(_ context.Context, p project.Project) error {
	if _, ok := f.byCode[p.Code()]; ok {
		return fmt.Errorf("%w: duplicate", domain.ErrConflict)
	}
	f.byCode[p.Code()] = p
	return nil
}

func (f *fakeProjects) UpdateProject(_ context.Context, p project.Project) error {
	f.byCode[p.Code()] = p
	return nil
}

func (f *fakeProjects) ProjectByCode(_ context.Context, code project.Code) (project.Project, error) {
	if p, ok := f.byCode[code]; ok {
		return p, nil
	}
	return project.Project{}, domain.NotFound("project %s", code)
}

func (f *fakeProjects) LockProject(ctx context.Context, code project.Code) (project.Project, error) {
	return f.ProjectByCode(ctx, code)
}

func (f *fakeProjects) ListProjects(context.Context) ([]project.Project, error) {
	out := make([]project.Project, 0, len(f.byCode))
	for _, p := range f.byCode {
		out = append(out, p)
	}
	return out, nil
}

type fakeAccounts struct{ list []account.Account }

func (f *fakeAccounts) AccountsByLoginKeys(_ context.Context, projectID string, keys []string) ([]account.Account, error) {
	var out []account.Account
	for _, a := range f.list {
		if a.ProjectID() == projectID && slices.Contains(keys, a.Login().Key()) {
			out = append(out, a)
		}
	}
	return out, nil
}

func (f *fakeAccounts) CountActive(_ context.Context, projectID string) (int, error) {
	n := 0
	for _, a := range f.list {
		if a.ProjectID() == projectID && a.Status().UsesLicence() {
			n++
		}
	}
	return n, nil
}

func (f *fakeAccounts) CountActiveByCompany(_ context.Context, projectID string, companyIDs []string) (map[string]int, error) {
	out := map[string]int{}
	for _, a := range f.list {
		if a.ProjectID() == projectID && a.Status().UsesLicence() && slices.Contains(companyIDs, a.CompanyID()) {
			out[a.CompanyID()]++
		}
	}
	return out, nil
}

func (f *fakeAccounts) InsertAccounts(_ context.Context, accounts []account.Account) error {
	f.list = append(f.list, accounts...)
	return nil
}

func (f *fakeAccounts) UpdateAccountStatuses(_ context.Context, accounts []account.Account) error {
	for _, u := range accounts {
		for i, a := range f.list {
			if a.ID() == u.ID() {
				f.list[i] = u
			}
		}
	}
	return nil
}

func (f *fakeAccounts) ListAccounts(_ context.Context, projectID string, q ports.AccountFilter) ([]account.Account, int, error) {
	var match []account.Account
	for _, a := range f.list {
		if a.ProjectID() == projectID && (q.CompanyID == "" || a.CompanyID() == q.CompanyID) && (q.Status == nil || a.Status() == *q.Status) {
			match = append(match, a)
		}
	}
	slices.SortFunc(match, func(a, b account.Account) int { return strings.Compare(a.Login().Key(), b.Login().Key()) })
	page := match[min(q.Offset, len(match)):]
	return page[:min(q.Limit, len(page))], len(match), nil
}
