// Package project holds projects: the shared scope of a data set and of
// licensed user accounts. A project has member companies, an optional owner
// among them (an integrator allowed to act for the others), and a licence
// count bounding its active accounts.
package project

import (
	"slices"
	"strings"
	"time"

	"github.com/parc-hq/parc/domain"
)

// Code identifies a project in URLs (`codeProjet`). Codes compare exactly.
// A Code is made by ParseCode (input) or RestoreCode (storage) only; the
// zero Code is no code.
type Code struct{ s string }

// RestoreCode rebuilds a stored code.
func RestoreCode(s string) Code { return Code{s} }

func (c Code) String() string { return c.s }

// MarshalText writes the code as its text (JSON, logs).
func (c Code) MarshalText() ([]byte, error) { return []byte(c.s), nil }

// ParseCode validates a project code (domain.CheckCode): 1 to 64 letters,
// digits, '_' or '-'.
func ParseCode(s string) (Code, error) {
	if err := domain.CheckCode(s, "_-"); err != nil {
		return Code{}, err
	}
	return Code{s}, nil
}

// Project is a data-set and licence scope shared by member companies.
type Project struct {
	id        string
	code      Code
	name      string
	licenses  int
	members   []string // company ids, sorted
	owner     string   // company id, or "" for none
	createdAt time.Time
}

// Spec is what the operator says about a project; companies are ids.
type Spec struct {
	Code     string
	Name     string
	Licenses int
	Members  []string
	Owner    string // "" for none
}

// New validates a new project.
func New(id string, s Spec, now time.Time) (Project, error) {
	p := Project{id: id, createdAt: now.UTC()}
	problems := &domain.ValidationError{}
	code, err := ParseCode(s.Code)
	problems.Collect(err)
	p.code = code
	if strings.TrimSpace(s.Name) == "" {
		s.Name = s.Code
	}
	problems.Collect(p.set(s.Name, s.Licenses, s.Members, s.Owner))
	if err := problems.OrNil(); err != nil {
		return Project{}, err
	}
	return p, nil
}

// Record is a project as stored, for Restore.
type Record struct {
	ID        string
	Code      Code
	Name      string
	Licenses  int
	Members   []string // company ids, any order
	Owner     string   // company id, "" for none
	CreatedAt time.Time
}

// Restore rebuilds a stored project without validating it again.
func Restore(r Record) Project {
	m := slices.Clone(r.Members)
	slices.Sort(m)
	return Project{id: r.ID, code: r.Code, name: r.Name, licenses: r.Licenses, members: m, owner: r.Owner, createdAt: r.CreatedAt.UTC()}
}

// Change is a partial update: nil fields stay as they are.
type Change struct {
	Name     *string
	Licenses *int
	Members  []string // nil: unchanged
	Owner    *string  // "" removes the owner
}

// Apply returns the project with the change applied. Whether a lower licence
// count fits the active accounts is the account rules' decision, not this.
func (p Project) Apply(ch Change) (Project, error) {
	name, licenses, members, owner := p.name, p.licenses, p.members, p.owner
	if ch.Name != nil {
		name = *ch.Name
	}
	if ch.Licenses != nil {
		licenses = *ch.Licenses
	}
	if ch.Members != nil {
		members = ch.Members
	}
	if ch.Owner != nil {
		owner = *ch.Owner
	}
	if err := p.set(name, licenses, members, owner); err != nil {
		return Project{}, err
	}
	return p, nil
}

func (p *Project) set(name string, licenses int, members []string, owner string) error {
	problems := &domain.ValidationError{}
	name = domain.Name(problems, name, "name")
	if licenses < 0 {
		problems.Add("greater_than_equal", domain.Params{domain.RuleParam: "non_negative", "ge": 0}, "licenses")
	}
	m := slices.Clone(members)
	slices.Sort(m)
	m = slices.Compact(m)
	if len(m) == 0 {
		problems.Add("missing", domain.Params{domain.RuleParam: "member_companies"}, "companies")
	}
	if owner != "" && !slices.Contains(m, owner) {
		problems.Add("value_error", domain.Params{domain.RuleParam: "owner_member"}, "owner")
	}
	if err := problems.OrNil(); err != nil {
		return err
	}
	p.name, p.licenses, p.members, p.owner = name, licenses, m, owner
	return nil
}

func (p Project) ID() string           { return p.id }
func (p Project) Code() Code           { return p.code }
func (p Project) Name() string         { return p.name }
func (p Project) Licenses() int        { return p.licenses }
func (p Project) Members() []string    { return slices.Clone(p.members) }
func (p Project) Owner() string        { return p.owner }
func (p Project) CreatedAt() time.Time { return p.createdAt }

// IsMember reports whether a company belongs to the project.
func (p Project) IsMember(companyID string) bool {
	_, found := slices.BinarySearch(p.members, companyID)
	return found
}

// ActingCompany decides for which company a caller works in this project:
// its own, unless it names another (requested != "") — which only the
// project's owner may do, and only for a member. Every refusal is
// domain.ErrForbidden: a caller learns nothing about projects it is not in.
func (p Project) ActingCompany(caller, requested string) (string, error) {
	if !p.IsMember(caller) {
		return "", domain.Forbidden("company is not a member of project %s", p.code)
	}
	if requested == "" || requested == caller {
		return caller, nil
	}
	if err := p.actForOther(caller, p.IsMember(requested)); err != nil {
		return "", err
	}
	return requested, nil
}

// UnknownCompany is ActingCompany's answer to a caller that names, with a
// companyCode, no company at all: the refusal of a company outside the
// project, so that no caller learns which codes other tenants use.
func (p Project) UnknownCompany(caller string) error {
	if !p.IsMember(caller) {
		return domain.Forbidden("company is not a member of project %s", p.code)
	}
	return p.actForOther(caller, false)
}

// actForOther is the rule for a member acting for another company, a
// member or not.
func (p Project) actForOther(caller string, member bool) error {
	if p.owner != caller {
		return domain.Forbidden("only the owner of project %s may act for another company (companyCode)", p.code)
	}
	if !member {
		return domain.Forbidden("companyCode names a company that is not a member of project %s", p.code)
	}
	return nil
}
