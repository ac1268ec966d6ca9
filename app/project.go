package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/parc-hq/parc/domain"
	"github.com/parc-hq/parc/domain/account"
	"github.com/parc-hq/parc/domain/project"
	"github.com/parc-hq/parc/domain/tenant"
	"github.com/parc-hq/parc/ports"
)

// ProjectService lets the operator manage projects, and resolves which
// company a caller acts for inside a project. It enforces the licence rules
// of a project change itself (see UpdateProject): they are not optional.
type ProjectService struct {
	projects  ports.ProjectRepository
	companies ports.CompanyRepository
	accounts  ports.AccountRepository
	tx        ports.Transactor
	clock     ports.Clock
	ids       ports.IDGenerator
	log       *slog.Logger
}

// NewProjectService builds the service.
func NewProjectService(projects ports.ProjectRepository, companies ports.CompanyRepository, accounts ports.AccountRepository,
	tx ports.Transactor, clock ports.Clock, ids ports.IDGenerator, log *slog.Logger) *ProjectService {
	return &ProjectService{projects: projects, companies: companies, accounts: accounts, tx: tx, clock: clock, ids: ids, log: log}
}

// ProjectDetails is a project with its companies resolved, for display.
type ProjectDetails struct {
	Project project.Project
	Members []tenant.Company // sorted by code
	Owner   *tenant.Company
}

// ProjectInput is the operator's description of a project, by company codes.
type ProjectInput struct {
	Code      string
	Name      string
	Licenses  int
	Companies []string
	Owner     string // "" for none
}

// CreateProject registers a project.
func (s *ProjectService) CreateProject(ctx context.Context, in ProjectInput) (ProjectDetails, error) {
	var out ProjectDetails
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		members, err := s.companyIDs(ctx, in.Companies)
		if err != nil {
			return err
		}
		owner, err := s.ownerID(ctx, in.Owner)
		if err != nil {
			return err
		}
		p, err := project.New(s.ids.NewID(), project.Spec{Code: in.Code, Name: in.Name, Licenses: in.Licenses, Members: members, Owner: owner}, s.clock.Now())
		if err != nil {
			return err
		}
		if err := s.projects.CreateProject(ctx, p); err != nil {
			if errors.Is(err, domain.ErrConflict) {
				return domain.Conflict("project code %q already exists", in.Code)
			}
			return err
		}
		out, err = s.details(ctx, p)
		return err
	})
	if err != nil {
		return ProjectDetails{}, fmt.Errorf("create project: %w", err)
	}
	s.log.InfoContext(ctx, "project created", "project", in.Code, "licenses", in.Licenses)
	return out, nil
}

// ProjectUpdate is a partial update by company codes: nil stays unchanged.
type ProjectUpdate struct {
	Name      *string
	Licenses  *int
	Companies []string // nil: unchanged
	Owner     *string  // "" removes the owner
}

// UpdateProject changes a project under its row lock. Inside that lock it
// refuses a licence count below the project's active accounts, and removing
// a member company that still has active accounts (domain.ErrConflict,
// saying what to disable first). Bulk account calls take the same lock, so
// none can activate an account between the count and the update.
func (s *ProjectService) UpdateProject(ctx context.Context, code string, up ProjectUpdate) (ProjectDetails, error) {
	var out ProjectDetails
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		current, err := s.lockProject(ctx, code)
		if err != nil {
			return err
		}
		ch := project.Change{Name: up.Name, Licenses: up.Licenses}
		if up.Companies != nil {
			if ch.Members, err = s.companyIDs(ctx, up.Companies); err != nil {
				return err
			}
		}
		if up.Owner != nil {
			owner, err := s.ownerID(ctx, *up.Owner)
			if err != nil {
				return err
			}
			ch.Owner = &owner
		}
		updated, err := current.Apply(ch)
		if err != nil {
			return err
		}
		if err := s.checkLicences(ctx, current, updated); err != nil {
			return err
		}
		if err := s.projects.UpdateProject(ctx, updated); err != nil {
			return err
		}
		out, err = s.details(ctx, updated)
		return err
	})
	if err != nil {
		return ProjectDetails{}, fmt.Errorf("update project %s: %w", code, err)
	}
	return out, nil
}

// Projects lists every project with its companies.
func (s *ProjectService) Projects(ctx context.Context) ([]ProjectDetails, error) {
	list, err := s.projects.ListProjects(ctx)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, p := range list {
		ids = append(ids, p.Members()...)
	}
	byID, err := s.companiesByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]ProjectDetails, len(list))
	for i, p := range list {
		out[i] = detailsFrom(p, byID)
	}
	return out, nil
}

// Access resolves a caller's request on a project: the project, and the
// company the caller acts for (its own, or companyCode's when the caller is
// the project's owner). An unknown project is domain.ErrNotFound; a refusal,
// domain.ErrForbidden.
func (s *ProjectService) Access(ctx context.Context, code string, caller tenant.Company, companyCode string) (project.Project, tenant.Company, error) {
	p, err := s.projectByCode(ctx, code)
	if err != nil {
		return project.Project{}, tenant.Company{}, err
	}
	acting, err := s.actingCompanies(ctx, p, caller, []string{companyCode})
	if err != nil {
		return project.Project{}, tenant.Company{}, err
	}
	return p, acting[companyCode], nil
}

// actingCompanies is the one place of the rule "for which company does a
// caller act in project p": for each of codes (a companyCode, "" for the
// caller's own company), the company, resolved in one query. The first code
// the project's rule refuses (in the order given) refuses the whole call;
// an unknown code is refused as a company outside the project is, so that
// no code is confirmed nor denied.
func (s *ProjectService) actingCompanies(ctx context.Context, p project.Project, caller tenant.Company, codes []string) (map[string]tenant.Company, error) {
	if _, err := p.ActingCompany(caller.ID(), ""); err != nil {
		return nil, err
	}
	out := map[string]tenant.Company{"": caller, caller.Code().String(): caller}
	var wanted []tenant.Code
	for _, c := range codes {
		if _, known := out[c]; known {
			continue
		}
		code, err := tenant.ParseCode(c)
		if err != nil {
			// No company can have it: refused as an unknown code.
			return nil, p.UnknownCompany(caller.ID())
		}
		if !slices.Contains(wanted, code) {
			wanted = append(wanted, code)
		}
	}
	if len(wanted) == 0 {
		return out, nil
	}
	found, err := s.companies.CompaniesByCodes(ctx, wanted)
	if err != nil {
		return nil, err
	}
	byCode := make(map[tenant.Code]tenant.Company, len(found))
	for _, c := range found {
		byCode[c.Code()] = c
	}
	for _, code := range wanted {
		c, ok := byCode[code]
		if !ok {
			return nil, p.UnknownCompany(caller.ID())
		}
		if _, err := p.ActingCompany(caller.ID(), c.ID()); err != nil {
			return nil, err
		}
		out[code.String()] = c
	}
	return out, nil
}

// checkLicences applies the licence rules to a change of the locked
// project old into updated.
func (s *ProjectService) checkLicences(ctx context.Context, old, updated project.Project) error {
	if err := s.checkRemovedMembers(ctx, old, updated); err != nil {
		return err
	}
	if updated.Licenses() >= old.Licenses() {
		return nil
	}
	active, err := s.accounts.CountActive(ctx, updated.ID())
	if err != nil {
		return err
	}
	return account.CheckLicences(updated.Code().String(), active, updated.Licenses())
}

// checkRemovedMembers refuses the update if a company it removes still holds
// active accounts: they would keep licences that no one could free.
func (s *ProjectService) checkRemovedMembers(ctx context.Context, old, updated project.Project) error {
	var removed []string
	for _, id := range old.Members() {
		if !updated.IsMember(id) {
			removed = append(removed, id)
		}
	}
	if len(removed) == 0 {
		return nil
	}
	active, err := s.accounts.CountActiveByCompany(ctx, updated.ID(), removed)
	if err != nil || len(active) == 0 {
		return err
	}
	holders := make([]string, 0, len(active))
	for id := range active {
		holders = append(holders, id)
	}
	companies, err := s.companies.CompaniesByIDs(ctx, holders)
	if err != nil {
		return err
	}
	slices.SortFunc(companies, func(a, b tenant.Company) int { return strings.Compare(a.Code().String(), b.Code().String()) })
	for _, c := range companies {
		if err := account.CheckMemberRemoval(updated.Code().String(), c.Code().String(), active[c.ID()]); err != nil {
			return err
		}
	}
	return nil
}

func (s *ProjectService) details(ctx context.Context, p project.Project) (ProjectDetails, error) {
	byID, err := s.companiesByID(ctx, p.Members())
	if err != nil {
		return ProjectDetails{}, err
	}
	return detailsFrom(p, byID), nil
}

func detailsFrom(p project.Project, byID map[string]tenant.Company) ProjectDetails {
	d := ProjectDetails{Project: p}
	for _, id := range p.Members() {
		if c, ok := byID[id]; ok {
			d.Members = append(d.Members, c)
		}
	}
	if c, ok := byID[p.Owner()]; ok {
		d.Owner = &c
	}
	return d
}

func (s *ProjectService) companiesByID(ctx context.Context, ids []string) (map[string]tenant.Company, error) {
	list, err := s.companies.CompaniesByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]tenant.Company, len(list))
	for _, c := range list {
		byID[c.ID()] = c
	}
	return byID, nil
}

// companyIDs resolves member codes in one query; unknown codes are reported
// by their index.
func (s *ProjectService) companyIDs(ctx context.Context, codes []string) ([]string, error) {
	keys := make([]tenant.Code, 0, len(codes))
	for _, c := range codes {
		if code, err := tenant.ParseCode(c); err == nil {
			keys = append(keys, code)
		}
	}
	found, err := s.companies.CompaniesByCodes(ctx, keys)
	if err != nil {
		return nil, err
	}
	byCode := make(map[string]string, len(found))
	for _, c := range found {
		byCode[c.Code().String()] = c.ID()
	}
	problems := &domain.ValidationError{}
	ids := make([]string, 0, len(codes))
	for i, code := range codes {
		id, ok := byCode[code]
		if !ok {
			problems.Add("not_found", unknownCompany(code), "companies", i)
			continue
		}
		ids = append(ids, id)
	}
	return ids, problems.OrNil()
}

func (s *ProjectService) ownerID(ctx context.Context, code string) (string, error) {
	if code == "" {
		return "", nil
	}
	unknown := domain.Invalid("not_found", unknownCompany(code), "owner")
	key, err := tenant.ParseCode(code)
	if err != nil {
		return "", unknown
	}
	c, err := s.companies.CompanyByCode(ctx, key)
	if errors.Is(err, domain.ErrNotFound) {
		return "", unknown
	}
	if err != nil {
		return "", err
	}
	return c.ID(), nil
}

// unknownCompany is the rule of a company code that names no company.
func unknownCompany(code string) domain.Params {
	return domain.Params{domain.RuleParam: "unknown_company", "code": code}
}

// projectKey reads a project code from a request: one that breaks the
// rule names no project, and reads as the repository's "not found".
func projectKey(code string) (project.Code, error) {
	key, err := project.ParseCode(code)
	if err != nil {
		return project.Code{}, domain.NotFound("project %s not found", code)
	}
	return key, nil
}

func (s *ProjectService) projectByCode(ctx context.Context, code string) (project.Project, error) {
	key, err := projectKey(code)
	if err != nil {
		return project.Project{}, err
	}
	return s.projects.ProjectByCode(ctx, key)
}

// lockProject is ports.ProjectRepository.LockProject of a code from a
// request.
func lockProject(ctx context.Context, projects ports.ProjectRepository, code string) (project.Project, error) {
	key, err := projectKey(code)
	if err != nil {
		return project.Project{}, err
	}
	return projects.LockProject(ctx, key)
}

func (s *ProjectService) lockProject(ctx context.Context, code string) (project.Project, error) {
	return lockProject(ctx, s.projects, code)
}
