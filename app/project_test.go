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
		if stored, _ := w.projects.ProjectByCode(ctx, "P"); stored.Licenses() == n {
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
