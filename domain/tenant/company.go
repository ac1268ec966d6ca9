// Package tenant holds the tenants of Parc: companies and the API keys their
// agents and integrations authenticate with.
package tenant

import (
	"time"

	"github.com/parc-hq/parc/domain"
)

// Status says whether a company's keys are accepted.
type Status string

const (
	StatusActive   Status = "active"
	StatusDisabled Status = "disabled"
)

// ParseStatus accepts exactly the two status words of the contract; any
// other is an "enum" problem at {"status"} with the words {"expected"}.
func ParseStatus(s string) (Status, error) {
	switch Status(s) {
	case StatusActive, StatusDisabled:
		return Status(s), nil
	}
	return "", domain.Invalid("enum", domain.Params{"expected": []string{string(StatusActive), string(StatusDisabled)}}, "status")
}

// Code is a company's unique, human-chosen identifier ("ACME"). Codes are
// compared exactly: they appear in URLs, CLI flags and `companyCode` fields, and
// a case-insensitive match would make two spellings of one tenant.
//
// A Code is made by ParseCode (input) or RestoreCode (storage) only; the
// zero Code is no code.
type Code struct{ s string }

// RestoreCode rebuilds a stored code.
func RestoreCode(s string) Code { return Code{s} }

func (c Code) String() string { return c.s }

// MarshalText writes the code as its text (JSON, logs).
func (c Code) MarshalText() ([]byte, error) { return []byte(c.s), nil }

// ParseCode validates a company code (domain.CheckCode): 1 to 64
// characters among letters, digits, '_', '-' and '.'.
func ParseCode(s string) (Code, error) {
	if err := domain.CheckCode(s, "_-."); err != nil {
		return Code{}, err
	}
	return Code{s}, nil
}

func parseName(s string) (string, error) {
	v := &domain.ValidationError{}
	s = domain.Name(v, s, "name")
	return s, v.OrNil()
}

// Company is a tenant: everything else in Parc belongs to exactly one.
type Company struct {
	id        string
	code      Code
	name      string
	status    Status
	createdAt time.Time
}

// NewCompany validates a new, active company.
func NewCompany(id, code, name string, now time.Time) (Company, error) {
	problems := &domain.ValidationError{}
	c, err := ParseCode(code)
	problems.Collect(err)
	n, err := parseName(name)
	problems.Collect(err)
	if err := problems.OrNil(); err != nil {
		return Company{}, err
	}
	return Company{id: id, code: c, name: n, status: StatusActive, createdAt: now.UTC()}, nil
}

// CompanyRecord is a company as stored, for RestoreCompany.
type CompanyRecord struct {
	ID        string
	Code      Code
	Name      string
	Status    Status
	CreatedAt time.Time
}

// RestoreCompany rebuilds a stored company without validating it again.
func RestoreCompany(r CompanyRecord) Company {
	return Company{id: r.ID, code: r.Code, name: r.Name, status: r.Status, createdAt: r.CreatedAt.UTC()}
}

func (c Company) ID() string           { return c.id }
func (c Company) Code() Code           { return c.code }
func (c Company) Name() string         { return c.name }
func (c Company) Status() Status       { return c.status }
func (c Company) CreatedAt() time.Time { return c.createdAt }

// Active reports whether the company's keys are accepted.
func (c Company) Active() bool { return c.status == StatusActive }

// CompanyChange is a partial update: nil fields stay as they are.
type CompanyChange struct {
	Name   *string
	Status *string
}

// Apply returns the company with the change applied, or the validation problems.
func (c Company) Apply(ch CompanyChange) (Company, error) {
	problems := &domain.ValidationError{}
	if ch.Name != nil {
		n, err := parseName(*ch.Name)
		problems.Collect(err)
		c.name = n
	}
	if ch.Status != nil {
		s, err := ParseStatus(*ch.Status)
		problems.Collect(err)
		c.status = s
	}
	if err := problems.OrNil(); err != nil {
		return Company{}, err
	}
	return c, nil
}
