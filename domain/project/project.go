// Package project holds projects: the shared scope of a data set and of
// licensed user accounts. A project has member companies, an optional owner
// among them (an integrator allowed to act for the others), and a licence
// count bounding its active accounts.
package project

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parc-hq/parc/domain"
)

// Code identifies a project in URLs (`codeProjet`). Codes compare exactly.
type Code string

const maxCodeLen = 64

// ParseCode validates a project code: 1 to 64 letters, digits, '_' or '-'.
func ParseCode(s string) (Code, error) {
	switch {
	case s == "":
		return "", domain.Invalid("missing", "code is required", "code")
	case len(s) > maxCodeLen:
		return "", domain.Invalid("too_long", fmt.Sprintf("code must be at most %d characters", maxCodeLen), "code")
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return "", domain.Invalid("pattern", "code may contain only letters, digits, '_' and '-'", "code")
		}
	}
	return Code(s), nil
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

// Restore rebuilds a stored project without validating it again.
func Restore(id string, code Code, name string, licenses int, members []string, owner string, createdAt time.Time) Project {
	m := slices.Clone(members)
	slices.Sort(m)
	return Project{id: id, code: code, name: name, licenses: licenses, members: m, owner: owner, createdAt: createdAt.UTC()}
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
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		problems.Add("missing", "name is required", "name")
	case utf8.RuneCountInString(name) > 200:
		problems.Add("too_long", "name must be at most 200 characters", "name")
	}
	if licenses < 0 {
		problems.Add("greater_than_equal", "licenses must be 0 or more", "licenses")
	}
	m := slices.Clone(members)
	slices.Sort(m)
	m = slices.Compact(m)
	if len(m) == 0 {
		problems.Add("missing", "a project needs at least one member company", "companies")
	}
	if owner != "" && !slices.Contains(m, owner) {
		problems.Add("value_error", "the owner must be one of the member companies", "owner")
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
