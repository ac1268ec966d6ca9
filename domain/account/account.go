// Package account holds the user accounts of a project and the licence rules
// that bound them: only active accounts use a licence, and a project never
// has more active accounts than licences.
package account

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/parc-hq/parc/domain"
)

// Status is an account's state. Only StatusActive uses a licence.
type Status string

const (
	StatusActive   Status = "active"
	StatusDisabled Status = "disabled"
	StatusLocked   Status = "locked"
)

// statuses are the status words, as a problem names them expected.
var statuses = []string{string(StatusActive), string(StatusDisabled), string(StatusLocked)}

// ParseStatus accepts the three status words, in any letter case. A blank
// status is "missing", another word StatusEnum, at {"status"}.
func ParseStatus(s string) (Status, error) {
	switch st := Status(strings.ToLower(strings.TrimSpace(s))); st {
	case StatusActive, StatusDisabled, StatusLocked:
		return st, nil
	case "":
		return "", domain.Invalid("missing", nil, "status")
	}
	return "", StatusEnum()
}

// StatusEnum is the problem of a status that is none of the three words:
// "enum" {"expected": the words} at {"status"}.
func StatusEnum() *domain.ValidationError {
	return domain.Invalid("enum", domain.Params{"expected": slices.Clone(statuses)}, "status")
}

// UsesLicence reports whether an account in this status holds a licence.
func (s Status) UsesLicence() bool { return s == StatusActive }

// Login identifies an account in its project. Logins match without regard
// to letter case ("JDoe" and "jdoe" are one account): Key is the normalised
// form that is unique per project, Display the spelling first given.
type Login struct {
	key     string
	display string
}

const (
	maxLoginLen = 128
	maxEmailLen = 254
)

// PageSize is the paging of a project's account listing.
var PageSize = domain.PageSize{Default: 1000, Max: 10000}

// ParseLogin validates a login: 1 to 128 characters, no spaces or control
// characters, surrounding blanks trimmed. Problems are at {"login"}:
// "missing", "too_long" {"max_length"}, or "pattern" of rule "utf8" or
// "no_spaces".
func ParseLogin(s string) (Login, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return Login{}, domain.Invalid("missing", nil, "login")
	case utf8.RuneCountInString(s) > maxLoginLen: // its key has as many characters
		return Login{}, domain.Invalid("too_long", domain.Params{"max_length": maxLoginLen}, "login")
	case !utf8.ValidString(s):
		return Login{}, domain.Invalid("pattern", domain.Params{domain.RuleParam: "utf8"}, "login")
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return Login{}, domain.Invalid("pattern", domain.Params{domain.RuleParam: "no_spaces"}, "login")
		}
	}
	return Login{key: LoginKey(s), display: s}, nil
}

// LoginKey is the case-insensitive key of a login spelling.
func LoginKey(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// RestoreLogin rebuilds a stored login.
func RestoreLogin(key, display string) Login { return Login{key: key, display: display} }

func (l Login) Key() string     { return l.key }
func (l Login) Display() string { return l.display }

// ParseEmail checks an address loosely: one '@' with text on both sides, a
// dot in the domain, no spaces. Deliverability is the mail server's business.
// An empty address is allowed (an account need not have one). Problems are
// at {"email"}: "too_long" {"max_length"}, or "value_error" of rule "email".
func ParseEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	at := strings.LastIndexByte(s, '@')
	local, host := "", ""
	if at >= 0 {
		local, host = s[:at], s[at+1:]
	}
	switch {
	case len(s) > maxEmailLen:
		return "", domain.Invalid("too_long", domain.Params{"max_length": maxEmailLen}, "email")
	case at <= 0 || local == "" || strings.Count(s, "@") != 1,
		!strings.Contains(host, ".") || strings.HasPrefix(host, ".") || strings.HasSuffix(host, "."),
		strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }):
		return "", domain.Invalid("value_error", domain.Params{domain.RuleParam: "email"}, "email")
	}
	return s, nil
}

// Account is one user of a project, belonging to one member company.
type Account struct {
	id        string
	projectID string
	companyID string
	login     Login
	email     string
	name      string
	status    Status
	createdAt time.Time
	updatedAt time.Time
}

// Spec describes a new account.
type Spec struct {
	ProjectID string
	CompanyID string
	Login     string
	Email     string
	Name      string
	Status    string
}

// New validates a new account. A blank name defaults to the login.
func New(id string, s Spec, now time.Time) (Account, error) {
	problems := &domain.ValidationError{}
	login, err := ParseLogin(s.Login)
	problems.Collect(err)
	email, err := ParseEmail(s.Email)
	problems.Collect(err)
	status, err := ParseStatus(s.Status)
	problems.Collect(err)
	name := domain.Text(problems, s.Name, false, domain.MaxNameLen, "name")
	if name == "" {
		name = login.display
	}
	if err := problems.OrNil(); err != nil {
		return Account{}, err
	}
	now = now.UTC()
	return Account{id: id, projectID: s.ProjectID, companyID: s.CompanyID, login: login, email: email, name: name,
		status: status, createdAt: now, updatedAt: now}, nil
}

// Record is an account as stored, for Restore.
type Record struct {
	ID, ProjectID, CompanyID string
	Login                    Login
	Email, Name              string
	Status                   Status
	CreatedAt, UpdatedAt     time.Time
}

// Restore rebuilds a stored account without validating it again.
func Restore(r Record) Account {
	return Account{id: r.ID, projectID: r.ProjectID, companyID: r.CompanyID, login: r.Login, email: r.Email, name: r.Name,
		status: r.Status, createdAt: r.CreatedAt.UTC(), updatedAt: r.UpdatedAt.UTC()}
}

// WithStatus returns the account in a new status, changed at now.
func (a Account) WithStatus(s Status, now time.Time) Account {
	a.status, a.updatedAt = s, now.UTC()
	return a
}

func (a Account) ID() string           { return a.id }
func (a Account) ProjectID() string    { return a.projectID }
func (a Account) CompanyID() string    { return a.companyID }
func (a Account) Login() Login         { return a.login }
func (a Account) Email() string        { return a.email }
func (a Account) Name() string         { return a.name }
func (a Account) Status() Status       { return a.status }
func (a Account) CreatedAt() time.Time { return a.createdAt }
func (a Account) UpdatedAt() time.Time { return a.updatedAt }

// Usage is a project's licence count and how many of them active accounts use.
type Usage struct {
	Licenses int
	Used     int
}

// Available is how many accounts may still become active (never negative).
func (u Usage) Available() int { return max(0, u.Licenses-u.Used) }

// CheckLicences refuses a licence count below the project's active
// accounts, saying how many to disable first. It is the rule behind a
// project update; the count is read under the project's lock.
func CheckLicences(projectCode string, active, licenses int) error {
	if licenses >= active {
		return nil
	}
	return domain.Conflict("project %s has %s: disable %d before lowering its licences to %d",
		projectCode, activeAccounts(active), active-licenses, licenses)
}

// CheckMemberRemoval refuses removing a member company from a project while
// it still has active accounts there: nobody could free their licences.
func CheckMemberRemoval(projectCode, companyCode string, active int) error {
	if active == 0 {
		return nil
	}
	return domain.Conflict("company %s has %s in project %s: disable them before removing it from the project",
		companyCode, activeAccounts(active), projectCode)
}

// activeAccounts words a count of active accounts: "1 active account", "7 active accounts".
func activeAccounts(n int) string {
	if n == 1 {
		return "1 active account"
	}
	return fmt.Sprintf("%d active accounts", n)
}
