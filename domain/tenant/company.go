// Package tenant holds the tenants of Parc: companies and the API keys their
// agents and integrations authenticate with.
package tenant

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parc-hq/parc/domain"
)

// Status says whether a company's keys are accepted.
type Status string

const (
	StatusActive   Status = "active"
	StatusDisabled Status = "disabled"
)

// ParseStatus accepts exactly the two status words of the contract.
func ParseStatus(s string) (Status, error) {
	switch Status(s) {
	case StatusActive, StatusDisabled:
		return Status(s), nil
	}
	return "", domain.Invalid("enum", `status must be "active" or "disabled"`, "status")
}

// Code is a company's unique, human-chosen identifier ("ACME"). Codes are
// compared exactly: they appear in URLs, CLI flags and `companyCode` fields, and
// a case-insensitive match would make two spellings of one tenant.
type Code string

const maxCodeLen = 64

// ParseCode validates a company code: 1 to 64 characters among letters,
// digits, '_', '-' and '.'.
func ParseCode(s string) (Code, error) {
	if s == "" {
		return "", domain.Invalid("missing", "code is required", "code")
	}
	if len(s) > maxCodeLen {
		return "", domain.Invalid("too_long", fmt.Sprintf("code must be at most %d characters", maxCodeLen), "code")
	}
	for _, r := range s {
		if !isCodeRune(r) {
			return "", domain.Invalid("pattern", "code may contain only letters, digits, '_', '-' and '.'", "code")
		}
	}
	return Code(s), nil
}

func isCodeRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.'
}

const maxNameLen = 200

func parseName(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", domain.Invalid("missing", "name is required", "name")
	}
	if utf8.RuneCountInString(s) > maxNameLen {
		return "", domain.Invalid("too_long", fmt.Sprintf("name must be at most %d characters", maxNameLen), "name")
	}
	return s, nil
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

// RestoreCompany rebuilds a stored company without validating it again.
func RestoreCompany(id string, code Code, name string, status Status, createdAt time.Time) Company {
	return Company{id: id, code: code, name: name, status: status, createdAt: createdAt.UTC()}
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
