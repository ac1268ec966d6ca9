package app_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/parc-hq/parc/app"
	"github.com/parc-hq/parc/domain"
	"github.com/parc-hq/parc/domain/account"
	"github.com/parc-hq/parc/domain/project"
	"github.com/parc-hq/parc/domain/tenant"
)

var now = time.Date(2025, 11, 6, 16, 55, 1, 0, time.UTC)

// world is a set of fakes with companies A, B and C, and project P (5
// licences) whose members are A (the owner) and B.
type world struct {
	companies *fakeCompanies
	projects  *fakeProjects
	accounts  *fakeAccounts
	tx        *fakeTx
	ids       *fakeIDs
	a, b, c   tenant.Company
	p         project.Project
}

func newWorld(t *testing.T) *world {
	t.Helper()
	company := func(id, code string) tenant.Company {
		c, err := tenant.NewCompany(id, code, "Company "+code, now)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	w := &world{a: company("id-a", "A"), b: company("id-b", "B"), c: company("id-c", "C"),
		projects: &fakeProjects{byCode: map[project.Code]project.Project{}}, accounts: &fakeAccounts{}, tx: &fakeTx{}, ids: &fakeIDs{}}
	w.companies = newFakeCompanies(w.a, w.b, w.c)
	p, err := project.New("id-p", project.Spec{Code: "P", Name: "P", Licenses: 5, Members: []string{w.a.ID(), w.b.ID()}, Owner: w.a.ID()}, now)
	if err != nil {
		t.Fatal(err)
	}
	w.p = p
	w.projects.byCode[p.Code()] = p
	return w
}

func (w *world) projectService() *app.ProjectService {
	return app.NewProjectService(w.projects, w.companies, w.accounts, w.tx, fakeClock{now}, w.ids, quiet)
}

func (w *world) accountService() *app.AccountService {
	return app.NewAccountService(w.accounts, w.projects, w.companies, w.projectService(), w.tx, fakeClock{now}, w.ids, quiet)
}

// activate stores n active accounts of company in P.
func (w *world) activate(t *testing.T, company tenant.Company, n int) {
	t.Helper()
	for i := range n {
		a, err := account.New(w.ids.NewID(), account.Spec{ProjectID: w.p.ID(), CompanyID: company.ID(),
			Login: fmt.Sprintf("%s-%d", company.Code(), i), Status: string(account.StatusActive)}, now)
		if err != nil {
			t.Fatal(err)
		}
		w.accounts.list = append(w.accounts.list, a)
	}
}

func TestUpdateProjectKeepsLicencesAtOrAboveActiveAccounts(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	w.activate(t, w.a, 2)
	svc := w.projectService()
	for _, tt := range []struct {
		licenses int
		refused  string
	}{
		{1, "project P has 2 active accounts: disable 1 before lowering its licences to 1"},
		{0, "project P has 2 active accounts: disable 2 before lowering its licences to 0"},
		{2, ""},
		{7, ""},
	} {
		n := tt.licenses
		d, err := svc.UpdateProject(ctx, "P", app.ProjectUpdate{Licenses: &n})
		if tt.refused == "" {
			if err != nil || d.Project.Licenses() != n {
				t.Fatalf("licences %d: %v, %d", n, err, d.Project.Licenses())
			}
			continue
		}
		var de *domain.Error
		if !errors.As(err, &de) || de.Kind() != domain.ErrConflict || de.Message() != tt.refused {
			t.Fatalf("licences %d: got %v, want the conflict %q", n, err, tt.refused)
		}
		if stored, _ := w.projects.ProjectByCode(ctx, project.RestoreCode("P")); stored.Licenses() == n {
			t.Fatalf("a refused update was stored")
		}
	}
}

func TestUpdateProjectRefusesToRemoveACompanyWithActiveAccounts(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	w.activate(t, w.b, 2)
	svc := w.projectService()
	_, err := svc.UpdateProject(ctx, "P", app.ProjectUpdate{Companies: []string{"A"}})
	want := "company B has 2 active accounts in project P: disable them before removing it from the project"
	if !errors.Is(err, domain.ErrConflict) || !errorMessageIs(err, want) {
		t.Fatalf("got %v, want %q", err, want)
	}
	if _, err := svc.UpdateProject(ctx, "P", app.ProjectUpdate{Companies: []string{"A", "B", "C"}}); err != nil {
		t.Fatalf("adding a member: %v", err)
	}
}

func errorMessageIs(err error, want string) bool {
	var de *domain.Error
	return errors.As(err, &de) && de.Message() == want
}

func TestAccessResolvesTheActingCompany(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	svc := w.projectService()
	for _, tt := range []struct {
		name        string
		caller      tenant.Company
		companyCode string
		want        tenant.Company
		refused     string
	}{
		{"own company", w.b, "", w.b, ""},
		{"own code", w.b, "B", w.b, ""},
		{"the owner for a member", w.a, "B", w.b, ""},
		{"a member for another", w.b, "A", tenant.Company{}, "only the owner of project P may act for another company (companyCode)"},
		{"the owner for an outsider", w.a, "C", tenant.Company{}, "companyCode names a company that is not a member of project P"},
		{"the owner for an unknown code", w.a, "NOBODY", tenant.Company{}, "companyCode names a company that is not a member of project P"},
		{"a member for an unknown code", w.b, "NOBODY", tenant.Company{}, "only the owner of project P may act for another company (companyCode)"},
		{"an outsider", w.c, "", tenant.Company{}, "company is not a member of project P"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, got, err := svc.Access(ctx, "P", tt.caller, tt.companyCode)
			if tt.refused != "" {
				if !errors.Is(err, domain.ErrForbidden) || !errorMessageIs(err, tt.refused) {
					t.Fatalf("got %v, want the refusal %q", err, tt.refused)
				}
				return
			}
			if err != nil || got.ID() != tt.want.ID() {
				t.Fatalf("got %v, %v; want %s", got.Code(), err, tt.want.Code())
			}
		})
	}
	if _, _, err := svc.Access(ctx, "NOPE", w.a, ""); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("unknown project: %v", err)
	}
}

// Bulk account calls resolve each item's companyCode by the same rule: an
// unknown code refuses the whole call as an outsider's does.
func TestBulkUsesTheProjectsActingRule(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	svc := w.accountService()
	call := func(caller tenant.Company, code string) error {
		_, err := svc.Bulk(ctx, "P", caller, []app.AccountInput{{Login: "x", Status: "active", CompanyCode: code}})
		return err
	}
	outsider, unknown := call(w.a, "C"), call(w.a, "NOBODY")
	if !errors.Is(outsider, domain.ErrForbidden) || !errors.Is(unknown, domain.ErrForbidden) ||
		!errorMessageIs(unknown, "companyCode names a company that is not a member of project P") || !errorMessageIs(outsider, "companyCode names a company that is not a member of project P") {
		t.Fatalf("outsider %v, unknown %v", outsider, unknown)
	}
	res, err := svc.Bulk(ctx, "P", w.a, []app.AccountInput{{Login: "x", Status: "active", CompanyCode: "B"}, {Login: "y", Status: "active"}})
	if err != nil || len(res.Results) != 2 {
		t.Fatalf("bulk: %v %+v", err, res)
	}
	page, err := svc.List(ctx, "P", w.a, app.AccountQuery{CompanyCode: "B", Limit: 10})
	if err != nil || page.Total != 1 || page.Accounts[0].Login().Display() != "x" || page.Usage.Used != 2 {
		t.Fatalf("list: %v %+v", err, page)
	}
}
