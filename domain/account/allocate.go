package account

import (
	"cmp"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/parc-hq/parc/domain"
)

// Action says what a bulk call did with one requested account.
type Action string

const (
	ActionCreated   Action = "created"
	ActionUpdated   Action = "updated"   // its status changed
	ActionUnchanged Action = "unchanged" // known login, status kept
	ActionRejected  Action = "rejected"  // a bad item; nothing stored for it
)

// Reason explains why an item's applied status differs from the requested
// one, or why it was rejected.
type Reason string

const (
	ReasonNoLicence  Reason = "no_license_available" // asked active, no licence left
	ReasonLoginTaken Reason = "login_taken"          // the login belongs to another company's account
	ReasonDuplicate  Reason = "duplicate_login"      // the login appears earlier in the call
	ReasonInvalid    Reason = "invalid"              // a value breaks a rule (see Problems)
)

// Request is one account of a bulk call, as given.
type Request struct {
	Login     string
	Email     string
	Name      string
	Status    string
	CompanyID string // the company the account is for (already authorised)
	// Problem holds the defects found before allocation (a field of the
	// wrong JSON type): the item is rejected with them.
	Problem *domain.ValidationError
}

// Result is the outcome of one request, at its index in the call. Reason
// and the values that go with it say why; adapters word them.
type Result struct {
	Index     int
	Login     string // as given, trimmed
	Action    Action
	Requested string // the status asked for, as given
	Applied   Status // the status stored; "" when rejected
	Reason    Reason // "" when applied == requested
	// Problems are the values that broke a rule (ReasonInvalid).
	Problems []domain.FieldError
	// FirstIndex is where the login first appears in the call
	// (ReasonDuplicate).
	FirstIndex int
	Ignored    []string
}

// Input is what an allocation needs: the requests, the stored accounts of
// their logins (in any company of the project), and the licence usage, all
// read under the project's lock.
type Input struct {
	ProjectID string
	Requests  []Request
	Stored    []Account
	Usage     Usage
	Now       time.Time
	NewID     func() string
}

// Plan is the outcome of an allocation: a result per request in call order,
// the rows to write (each sorted by login key, so that concurrent writers
// lock rows in one order), and the usage once written.
type Plan struct {
	Results []Result
	Create  []Account
	Update  []Account // accounts whose status changes
	Usage   Usage
}

// Allocate decides a bulk call. Requests that free a licence (a known
// active account turning disabled or locked) are applied first; then every
// other request in the order given. A request for `active` when no licence is
// left is applied as `disabled`, for a new account as for a known one (the
// seed: such accounts "seront automatiquement passés en statut désactivé"). Bad items are rejected one by one and spoil nothing else.
// The function is pure: the caller reads its input and writes its plan in one
// transaction holding the project's lock.
func Allocate(in Input) Plan {
	al := allocator{in: in, stored: make(map[string]Account, len(in.Stored)), seen: map[string]int{},
		plan: Plan{Results: make([]Result, len(in.Requests)), Usage: in.Usage}}
	for _, a := range in.Stored {
		al.stored[a.login.key] = a
	}
	var freeing, rest []pending
	for i := range in.Requests {
		p, ok := al.admit(i)
		switch {
		case !ok:
		case p.known != nil && p.known.status.UsesLicence() && !p.status.UsesLicence():
			freeing = append(freeing, p)
		default:
			rest = append(rest, p)
		}
	}
	for _, p := range append(freeing, rest...) {
		if p.known != nil {
			al.change(p)
		} else {
			al.create(p)
		}
	}
	byKey := func(a, b Account) int { return cmp.Compare(a.login.key, b.login.key) }
	slices.SortFunc(al.plan.Create, byKey)
	slices.SortFunc(al.plan.Update, byKey)
	return al.plan
}

// allocator carries one allocation: its input, the stored accounts by
// login key, the logins seen so far, and the plan being built.
type allocator struct {
	in     Input
	stored map[string]Account
	seen   map[string]int // login key -> first index
	plan   Plan
}

// pending is an admitted request, waiting for its licence decision.
type pending struct {
	index  int
	login  Login
	status Status
	known  *Account // the stored account of its login, if any
}

// admit checks request i and either rejects it in its result or returns
// it for the licence decision.
func (al *allocator) admit(i int) (pending, bool) {
	r := al.in.Requests[i]
	res := &al.plan.Results[i]
	*res = Result{Index: i, Login: strings.TrimSpace(r.Login), Requested: r.Status}
	if r.Problem != nil {
		rejectInvalid(res, r.Problem)
		return pending{}, false
	}
	login, err := ParseLogin(r.Login)
	if err != nil {
		rejectInvalid(res, err)
		return pending{}, false
	}
	if first, dup := al.seen[login.key]; dup {
		res.FirstIndex = first
		reject(res, ReasonDuplicate)
		return pending{}, false
	}
	al.seen[login.key] = i
	status, err := ParseStatus(r.Status)
	if err != nil {
		rejectInvalid(res, err)
		return pending{}, false
	}
	p := pending{index: i, login: login, status: status}
	if a, ok := al.stored[login.key]; ok {
		if a.companyID != r.CompanyID {
			// Logins are unique in the project; say nothing of the
			// other company's account.
			reject(res, ReasonLoginTaken)
			return pending{}, false
		}
		res.Ignored = ignoredFields(a, r)
		p.known = &a
	}
	return p, true
}

// change applies the status asked for a known account, within the
// licences left.
func (al *allocator) change(p pending) {
	res := &al.plan.Results[p.index]
	applied := p.status
	if applied == p.known.status {
		res.Action, res.Applied = ActionUnchanged, applied
		return
	}
	switch {
	case applied.UsesLicence() && al.plan.Usage.Available() == 0:
		// The seed's rule, for known accounts as for new ones: asked
		// active with no licence left, the account is disabled.
		res.Reason = ReasonNoLicence
		applied = StatusDisabled
		if applied == p.known.status {
			res.Action, res.Applied = ActionUnchanged, applied
			return
		}
	case applied.UsesLicence():
		al.plan.Usage.Used++
	case p.known.status.UsesLicence():
		al.plan.Usage.Used--
	}
	res.Action, res.Applied = ActionUpdated, applied
	al.plan.Update = append(al.plan.Update, p.known.WithStatus(applied, al.in.Now))
}

// create validates a new account and gives it a licence if one is left,
// else creates it disabled.
func (al *allocator) create(p pending) {
	res := &al.plan.Results[p.index]
	r := al.in.Requests[p.index]
	a, err := New(al.in.NewID(), Spec{ProjectID: al.in.ProjectID, CompanyID: r.CompanyID, Login: r.Login, Email: r.Email, Name: r.Name, Status: string(p.status)}, al.in.Now)
	if err != nil {
		rejectInvalid(res, err)
		return
	}
	if a.status.UsesLicence() {
		if al.plan.Usage.Available() == 0 {
			a.status = StatusDisabled
			res.Reason = ReasonNoLicence
		} else {
			al.plan.Usage.Used++
		}
	}
	res.Action, res.Applied = ActionCreated, a.status
	al.plan.Create = append(al.plan.Create, a)
}

func reject(res *Result, reason Reason) {
	res.Action, res.Reason = ActionRejected, reason
}

// rejectInvalid rejects an item for the problems of err, a
// *domain.ValidationError (the only error the parsers return).
func rejectInvalid(res *Result, err error) {
	reject(res, ReasonInvalid)
	var v *domain.ValidationError
	if errors.As(err, &v) {
		res.Problems = v.Problems
	}
}

// ignoredFields lists the fields given for a known account that differ from
// what is stored: only the status of a known account may change.
func ignoredFields(a Account, r Request) []string {
	var out []string
	if e := strings.TrimSpace(r.Email); e != "" && e != a.email {
		out = append(out, "email")
	}
	if n := strings.TrimSpace(r.Name); n != "" && n != a.name {
		out = append(out, "name")
	}
	if l := strings.TrimSpace(r.Login); l != a.login.display {
		out = append(out, "login")
	}
	return out
}
