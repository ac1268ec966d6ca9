package account_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parc-hq/parc/domain"
	"github.com/parc-hq/parc/domain/account"
)

const (
	project = "P1"
	acme    = "company-acme"
	other   = "company-other"
)

var now = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

func stored(login string, company string, status account.Status) account.Account {
	return account.Restore(account.Record{ID: "id-" + login, ProjectID: project, CompanyID: company,
		Login: account.RestoreLogin(account.LoginKey(login), login), Email: login + "@example.com", Name: "Name " + login,
		Status: status, CreatedAt: now.Add(-time.Hour), UpdatedAt: now.Add(-time.Hour)})
}

func req(login, status string) account.Request {
	return account.Request{Login: login, Status: status, Email: login + "@example.com", CompanyID: acme}
}

// outcome is a result reduced to what the table checks.
type outcome struct {
	Action  account.Action
	Applied account.Status
	Reason  account.Reason
}

func TestAllocate(t *testing.T) {
	tests := []struct {
		name     string
		licenses int
		stored   []account.Account
		requests []account.Request
		want     []outcome
		used     int
		creates  []string // login keys, sorted
		updates  []string
	}{
		{
			name: "new accounts take free licences, then are created disabled", licenses: 2,
			requests: []account.Request{req("a", "active"), req("b", "active"), req("c", "active")},
			want: []outcome{{account.ActionCreated, account.StatusActive, ""}, {account.ActionCreated, account.StatusActive, ""},
				{account.ActionCreated, account.StatusDisabled, account.ReasonNoLicence}},
			used: 2, creates: []string{"a", "b", "c"},
		},
		{
			name: "disabled and locked new accounts need no licence", licenses: 0,
			requests: []account.Request{req("a", "disabled"), req("b", "LOCKED")},
			want:     []outcome{{account.ActionCreated, account.StatusDisabled, ""}, {account.ActionCreated, account.StatusLocked, ""}},
			used:     0, creates: []string{"a", "b"},
		},
		{
			name: "a licence freed later in the call is freed first", licenses: 1,
			stored:   []account.Account{stored("old", acme, account.StatusActive)},
			requests: []account.Request{req("new", "active"), req("old", "disabled")},
			want:     []outcome{{account.ActionCreated, account.StatusActive, ""}, {account.ActionUpdated, account.StatusDisabled, ""}},
			used:     1, creates: []string{"new"}, updates: []string{"old"},
		},
		{
			name: "locking an active account frees its licence too", licenses: 1,
			stored:   []account.Account{stored("old", acme, account.StatusActive)},
			requests: []account.Request{req("new", "active"), req("old", "locked")},
			want:     []outcome{{account.ActionCreated, account.StatusActive, ""}, {account.ActionUpdated, account.StatusLocked, ""}},
			used:     1, creates: []string{"new"}, updates: []string{"old"},
		},
		{
			name: "order given decides who gets the last licence", licenses: 2,
			stored:   []account.Account{stored("x", acme, account.StatusActive), stored("y", acme, account.StatusDisabled)},
			requests: []account.Request{req("y", "active"), req("z", "active")},
			want:     []outcome{{account.ActionUpdated, account.StatusActive, ""}, {account.ActionCreated, account.StatusDisabled, account.ReasonNoLicence}},
			used:     2, creates: []string{"z"}, updates: []string{"y"},
		},
		{
			name: "a known account asked active without a licence is disabled", licenses: 1,
			stored:   []account.Account{stored("x", acme, account.StatusActive), stored("l", acme, account.StatusLocked), stored("d", acme, account.StatusDisabled)},
			requests: []account.Request{req("l", "active"), req("d", "active")},
			want:     []outcome{{account.ActionUpdated, account.StatusDisabled, account.ReasonNoLicence}, {account.ActionUnchanged, account.StatusDisabled, account.ReasonNoLicence}},
			used:     1, updates: []string{"l"},
		},
		{
			name: "the same status is unchanged and writes nothing", licenses: 5,
			stored:   []account.Account{stored("x", acme, account.StatusActive), stored("d", acme, account.StatusDisabled)},
			requests: []account.Request{req("X", "active"), req("d", "disabled")},
			want:     []outcome{{account.ActionUnchanged, account.StatusActive, ""}, {account.ActionUnchanged, account.StatusDisabled, ""}},
			used:     1,
		},
		{
			name: "disabled to locked moves no licence", licenses: 0,
			stored:   []account.Account{stored("d", acme, account.StatusDisabled)},
			requests: []account.Request{req("d", "locked")},
			want:     []outcome{{account.ActionUpdated, account.StatusLocked, ""}},
			used:     0, updates: []string{"d"},
		},
		{
			name: "bad items are rejected by index and spoil nothing", licenses: 3,
			requests: []account.Request{req("", "active"), req("a", "asleep"), req("b", "active"), req("B", "disabled"),
				{Login: "c", Status: "active", Email: "not-an-address", CompanyID: acme}, req("d", ""),
				{Login: "e", Status: "active", CompanyID: acme, Problem: domain.Invalid("type", domain.Params{"expected": "string"}, "email")}, req("f", "active")},
			want: []outcome{{account.ActionRejected, "", account.ReasonInvalid}, {account.ActionRejected, "", account.ReasonInvalid},
				{account.ActionCreated, account.StatusActive, ""}, {account.ActionRejected, "", account.ReasonDuplicate},
				{account.ActionRejected, "", account.ReasonInvalid}, {account.ActionRejected, "", account.ReasonInvalid},
				{account.ActionRejected, "", account.ReasonInvalid}, {account.ActionCreated, account.StatusActive, ""}},
			used: 2, creates: []string{"b", "f"},
		},
		{
			name: "a login of another company is taken", licenses: 3,
			stored:   []account.Account{stored("shared", other, account.StatusDisabled)},
			requests: []account.Request{req("Shared", "active")},
			want:     []outcome{{account.ActionRejected, "", account.ReasonLoginTaken}},
			used:     0,
		},
		{
			name: "no licences at all: every active request is disabled", licenses: 0,
			requests: []account.Request{req("a", "active"), req("b", "active")},
			want:     []outcome{{account.ActionCreated, account.StatusDisabled, account.ReasonNoLicence}, {account.ActionCreated, account.StatusDisabled, account.ReasonNoLicence}},
			used:     0, creates: []string{"a", "b"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			used := 0
			for _, a := range tt.stored {
				if a.Status().UsesLicence() {
					used++
				}
			}
			n := 0
			plan := account.Allocate(account.Input{ProjectID: project, Requests: tt.requests, Stored: tt.stored,
				Usage: account.Usage{Licenses: tt.licenses, Used: used}, Now: now,
				NewID: func() string { n++; return fmt.Sprintf("new-%d", n) }})
			require.Len(t, plan.Results, len(tt.requests))
			got := make([]outcome, len(plan.Results))
			for i, r := range plan.Results {
				assert.Equal(t, i, r.Index)
				assert.Equal(t, tt.requests[i].Status, r.Requested)
				if r.Reason == account.ReasonInvalid {
					assert.NotEmpty(t, r.Problems, "result %d", i)
				}
				got[i] = outcome{r.Action, r.Applied, r.Reason}
			}
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.used, plan.Usage.Used, "used")
			assert.LessOrEqual(t, plan.Usage.Used, tt.licenses, "never more active than licences")
			assert.Equal(t, tt.creates, keys(plan.Create), "creates")
			assert.Equal(t, tt.updates, keys(plan.Update), "updates")
		})
	}
}

func keys(list []account.Account) []string {
	var out []string
	for _, a := range list {
		out = append(out, a.Login().Key())
	}
	return out
}

func TestAllocateReportsIgnoredFieldsOfKnownAccounts(t *testing.T) {
	a := stored("jdoe", acme, account.StatusDisabled)
	plan := account.Allocate(account.Input{ProjectID: project, Stored: []account.Account{a}, Usage: account.Usage{Licenses: 1}, Now: now,
		Requests: []account.Request{{Login: "JDoe", Email: "new@example.com", Name: a.Name(), Status: "active", CompanyID: acme}},
		NewID:    func() string { return "unused" }})
	r := plan.Results[0]
	assert.Equal(t, account.ActionUpdated, r.Action)
	assert.Equal(t, []string{"email", "login"}, r.Ignored, "the name is the stored one; the spelling and email are not changed")
	require.Len(t, plan.Update, 1)
	u := plan.Update[0]
	assert.Equal(t, account.StatusActive, u.Status())
	assert.Equal(t, a.Email(), u.Email())
	assert.Equal(t, "jdoe", u.Login().Display())
	assert.Equal(t, now, u.UpdatedAt())
	assert.Equal(t, a.CreatedAt(), u.CreatedAt())
}

func TestNewAccount(t *testing.T) {
	a, err := account.New("id", account.Spec{ProjectID: project, CompanyID: acme, Login: "  JDoe ", Email: "j.doe@example.com", Status: "Active"}, now)
	require.NoError(t, err)
	assert.Equal(t, "jdoe", a.Login().Key())
	assert.Equal(t, "JDoe", a.Login().Display())
	assert.Equal(t, "JDoe", a.Name(), "a blank name defaults to the login")
	assert.Equal(t, account.StatusActive, a.Status())

	for _, bad := range []string{"plain", "@example.com", "a@b", "a b@example.com", "a@@example.com", "a@example."} {
		_, err := account.ParseEmail(bad)
		assert.Error(t, err, bad)
	}
	for _, good := range []string{"", "a@b.co", "first.last+tag@sub.example.org"} {
		_, err := account.ParseEmail(good)
		assert.NoError(t, err, good)
	}
	for _, bad := range []string{"", "   ", "has space", "tab\there"} {
		_, err := account.ParseLogin(bad)
		assert.Error(t, err, "%q", bad)
	}
}

func TestCheckLicences(t *testing.T) {
	assert.NoError(t, account.CheckLicences("FIELD", 5, 5))
	err := account.CheckLicences("FIELD", 7, 5)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "project FIELD has 7 active accounts: disable 2 before lowering its licences to 5")
}

func TestCheckMemberRemoval(t *testing.T) {
	assert.NoError(t, account.CheckMemberRemoval("FIELD", "BETA", 0))
	err := account.CheckMemberRemoval("FIELD", "BETA", 3)
	assert.ErrorIs(t, err, domain.ErrConflict)
	assert.ErrorContains(t, err, "company BETA has 3 active accounts in project FIELD: disable them before removing it")
	assert.ErrorContains(t, account.CheckLicences("FIELD", 1, 0), "project FIELD has 1 active account: disable 1 before")
}

func TestAllocateSaysWhyAnItemIsRejected(t *testing.T) {
	decoding := domain.Invalid("type", domain.Params{"expected": "string"}, "email")
	plan := account.Allocate(account.Input{ProjectID: project, Now: now, NewID: func() string { return "id" }, Usage: account.Usage{Licenses: 5},
		Requests: []account.Request{req("", "active"), req("a", "asleep"), req("b", "active"), req("B", "active"),
			{Login: "c", Status: "active", CompanyID: acme, Problem: decoding},
			{Login: "d", Status: "active", Email: "nope", CompanyID: acme}, req("a b", "active")}})
	problems := func(i int) []string {
		var out []string
		for _, p := range plan.Results[i].Problems {
			out = append(out, p.String())
		}
		return out
	}
	assert.Equal(t, []string{"login: missing"}, problems(0))
	assert.Equal(t, []string{"status: enum (expected=[active disabled locked])"}, problems(1))
	assert.Equal(t, account.ReasonDuplicate, plan.Results[3].Reason)
	assert.Equal(t, 2, plan.Results[3].FirstIndex, "the index of the first spelling")
	assert.Equal(t, []string{"email: type (expected=string)"}, problems(4))
	assert.Equal(t, []string{"email: value_error (rule=email)"}, problems(5))
	assert.Equal(t, []string{"login: pattern (rule=no_spaces)"}, problems(6))
}
