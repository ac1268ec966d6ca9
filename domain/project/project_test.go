package project_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/parc-hq/parc/domain"
	"github.com/parc-hq/parc/domain/project"
	"github.com/parc-hq/parc/domain/tenant"
)

func TestNewValidates(t *testing.T) {
	now := time.Now()
	if _, err := project.New("p", project.Spec{Code: "FIELD", Licenses: 3, Members: []string{"b", "a", "a"}, Owner: "a"}, now); err != nil {
		t.Fatalf("valid project refused: %v", err)
	}
	for name, spec := range map[string]project.Spec{
		"no code":           {Licenses: 1, Members: []string{"a"}},
		"bad code":          {Code: "a b", Licenses: 1, Members: []string{"a"}},
		"negative licences": {Code: "P", Licenses: -1, Members: []string{"a"}},
		"no member":         {Code: "P", Licenses: 1},
		"owner not member":  {Code: "P", Licenses: 1, Members: []string{"a"}, Owner: "z"},
	} {
		if _, err := project.New("p", spec, now); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("%s: want ErrInvalid, got %v", name, err)
		}
	}
}

func TestNameDefaultsToCodeAndMembersAreDeduplicated(t *testing.T) {
	p, err := project.New("p", project.Spec{Code: "FIELD", Members: []string{"b", "a", "b"}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if p.Name() != "FIELD" || len(p.Members()) != 2 || p.Members()[0] != "a" {
		t.Fatalf("got name %q members %v", p.Name(), p.Members())
	}
}

func TestApply(t *testing.T) {
	p, _ := project.New("p", project.Spec{Code: "P", Licenses: 2, Members: []string{"a", "b"}, Owner: "a"}, time.Now())
	five, none := 5, ""
	q, err := p.Apply(project.Change{Licenses: &five, Owner: &none})
	if err != nil || q.Licenses() != 5 || q.Owner() != "" || p.Licenses() != 2 {
		t.Fatalf("apply: %v %+v", err, q)
	}
	if _, err := p.Apply(project.Change{Members: []string{"b"}}); !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("dropping the owner from the members must fail, got %v", err)
	}
}

func TestActingCompany(t *testing.T) {
	p, _ := project.New("p", project.Spec{Code: "P", Members: []string{"owner", "member"}, Owner: "owner"}, time.Now())
	tests := []struct {
		caller, requested, want string
		forbidden               bool
	}{
		{"member", "", "member", false},
		{"member", "member", "member", false},
		{"owner", "member", "member", false},
		{"owner", "", "owner", false},
		{"member", "owner", "", true},    // not the owner
		{"owner", "stranger", "", true},  // not a member
		{"stranger", "", "", true},       // caller not a member
		{"stranger", "member", "", true}, // caller not a member
	}
	for _, tt := range tests {
		got, err := p.ActingCompany(tt.caller, tt.requested)
		if tt.forbidden {
			if !errors.Is(err, domain.ErrForbidden) {
				t.Errorf("%s as %q: want ErrForbidden, got %v", tt.caller, tt.requested, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s as %q: got %q, %v; want %q", tt.caller, tt.requested, got, err, tt.want)
		}
	}
}

// A code that names no company is refused exactly as an outsider is.
func TestUnknownCompanyIsRefusedAsAnOutsider(t *testing.T) {
	p, _ := project.New("p", project.Spec{Code: "P", Members: []string{"owner", "member"}, Owner: "owner"}, time.Now())
	for _, caller := range []string{"owner", "member", "stranger"} {
		_, outsider := p.ActingCompany(caller, "stranger-2")
		unknown := p.UnknownCompany(caller)
		if !errors.Is(unknown, domain.ErrForbidden) || unknown.Error() != outsider.Error() {
			t.Errorf("%s: unknown %v, outsider %v", caller, unknown, outsider)
		}
	}
}

func TestParseCodeProblems(t *testing.T) {
	for in, want := range map[string]string{
		"":                      "code: missing",
		"a.b":                   "code: pattern (punctuation=_-, rule=code_chars)",
		strings.Repeat("a", 65): "code: too_long (max_length=64)",
	} {
		_, err := project.ParseCode(in)
		var v *domain.ValidationError
		if !errors.As(err, &v) || v.Detail() != want {
			t.Errorf("ParseCode(%q) = %v, want %q", in, err, want)
		}
	}
	if _, err := tenant.ParseCode("a/b"); err == nil || err.Error() != "invalid input: code: pattern (punctuation=_-., rule=code_chars)" {
		t.Errorf("tenant.ParseCode: %v", err)
	}
}
