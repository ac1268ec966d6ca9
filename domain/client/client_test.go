package client_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parc-hq/parc/domain"
	"github.com/parc-hq/parc/domain/client"
)

var now = time.Date(2025, 11, 6, 16, 55, 1, 544_123_456, time.FixedZone("CET", 3600))

// problems renders the problems of a validation error as "path|type|params"
// (params as name=value, sorted),
// and fails the test when err is another kind of error.
func problems(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var v *domain.ValidationError
	if !errors.As(err, &v) || !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("want a *domain.ValidationError, got %T %v", err, err)
	}
	var out []string
	for _, p := range v.Problems {
		out = append(out, p.PathString()+"|"+p.Type+"|"+params(p.Params))
	}
	return out
}

func params(m map[string]any) string {
	var out []string
	for k, v := range m {
		out = append(out, fmt.Sprintf("%s=%v", k, v))
	}
	slices.Sort(out)
	return strings.Join(out, ",")
}

func checkProblems(t *testing.T, err error, want []string) {
	t.Helper()
	if got := problems(t, err); !slices.Equal(got, want) {
		t.Fatalf("problems\n got %q\nwant %q", got, want)
	}
}

const (
	tooShort = "string_too_short|min_length=1"
	nomLong  = "nom|string_too_long|max_length=200"
	negative = "code|greater_than_equal|ge=0"
)

func TestNewClient(t *testing.T) {
	tests := []struct {
		name, nom string
		code      int64
		wantNom   string
		want      []string
	}{
		{"valid", "Acme", 12, "Acme", nil},
		{"code 0 is allowed", "Acme", 0, "Acme", nil},
		{"nom is trimmed", "  Acme Corp \t", 1, "Acme Corp", nil},
		{"200 characters", strings.Repeat("é", 200), 1, strings.Repeat("é", 200), nil},
		{"empty nom", "", 1, "", []string{"nom|" + tooShort}},
		{"blank nom", " \n ", 1, "", []string{"nom|" + tooShort}},
		{"201 characters", strings.Repeat("é", 201), 1, "", []string{nomLong}},
		{"negative code", "Acme", -1, "", []string{negative}},
		{"every problem at once, in field order", " ", -5, "", []string{"nom|" + tooShort,
			"code|greater_than_equal|ge=0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := client.New("id-1", "co-1", tt.nom, tt.code, now)
			checkProblems(t, err, tt.want)
			if err != nil {
				return
			}
			if c.ID() != "id-1" || c.CompanyID() != "co-1" || c.Nom() != tt.wantNom || c.Code() != tt.code ||
				c.Status() != client.StatusActive || !c.Active() {
				t.Fatalf("unexpected client %+v", c)
			}
			if want := time.Date(2025, 11, 6, 15, 55, 1, 544_123_000, time.UTC); c.CreatedAt() != want {
				t.Fatalf("createdAt %v, want %v (UTC, microseconds)", c.CreatedAt(), want)
			}
		})
	}
}

func TestClientUpdateIsAllOrNothing(t *testing.T) {
	c, err := client.New("id", "co", "Acme", 1, now)
	if err != nil {
		t.Fatal(err)
	}
	checkProblems(t, c.Update("Other", -1), []string{negative})
	if c.Nom() != "Acme" || c.Code() != 1 {
		t.Fatalf("a refused update changed the client: %+v", c)
	}
	c.Deactivate()
	c.Deactivate()
	if err := c.Update(" Other ", 7); err != nil {
		t.Fatal(err)
	}
	if c.Nom() != "Other" || c.Code() != 7 || c.Active() || c.Status() != client.StatusInactive {
		t.Fatalf("unexpected client %+v", c)
	}
}

func TestRestoreKeepsStoredValues(t *testing.T) {
	c := client.Restore(client.Record{ID: "id", CompanyID: "co", Code: -3, Status: client.StatusInactive, CreatedAt: now})
	if c.Nom() != "" || c.Code() != -3 || c.Active() || c.CreatedAt().Location() != time.UTC || !c.CreatedAt().Equal(now) {
		t.Fatalf("unexpected client %+v", c)
	}
	s := client.RestoreSite(client.SiteRecord{ID: "s", CompanyID: "co", ClientID: "id", Nom: "Lyon", Status: client.StatusActive, CreatedAt: now})
	if s.ID() != "s" || s.CompanyID() != "co" || s.ClientID() != "id" || s.Nom() != "Lyon" || !s.Active() {
		t.Fatalf("unexpected site %+v", s)
	}
}

func TestParseStatus(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{"active", nil},
		{"inactive", nil},
		{"Active", []string{"status|enum|expected=[active inactive]"}},
		{"", []string{"status|enum|expected=[active inactive]"}},
	} {
		s, err := client.ParseStatus(tt.in)
		checkProblems(t, err, tt.want)
		if err == nil && string(s) != tt.in {
			t.Fatalf("ParseStatus(%q) = %q", tt.in, s)
		}
	}
}

func TestNewSite(t *testing.T) {
	owner, err := client.New("cl", "co", "Acme", 1, now)
	if err != nil {
		t.Fatal(err)
	}
	inactive := owner
	inactive.Deactivate()
	tests := []struct {
		name, nom    string
		owner        client.Client
		want         []string
		wantConflict bool
	}{
		{"valid", " Lyon ", owner, nil, false},
		{"blank nom", "  ", owner, []string{"nom|" + tooShort}, false},
		{"nom too long", strings.Repeat("x", 201), owner, []string{nomLong}, false},
		{"inactive client", "Lyon", inactive, nil, true},
		{"validation comes first", "", inactive, []string{"nom|" + tooShort}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := client.NewSite("st", tt.owner, tt.nom, now)
			if tt.wantConflict {
				if !errors.Is(err, domain.ErrConflict) || err.Error() != "client cl is inactive" {
					t.Fatalf("want a conflict, got %v", err)
				}
				return
			}
			checkProblems(t, err, tt.want)
			if err != nil {
				return
			}
			if s.ID() != "st" || s.CompanyID() != "co" || s.ClientID() != "cl" || s.Nom() != "Lyon" || !s.Active() ||
				!s.CreatedAt().Equal(now.Truncate(time.Microsecond)) {
				t.Fatalf("unexpected site %+v", s)
			}
		})
	}
}

func TestSiteRenameAndDeactivate(t *testing.T) {
	owner, _ := client.New("cl", "co", "Acme", 1, now)
	s, err := client.NewSite("st", owner, "Lyon", now)
	if err != nil {
		t.Fatal(err)
	}
	checkProblems(t, s.Rename(""), []string{"nom|" + tooShort})
	if s.Nom() != "Lyon" {
		t.Fatalf("a refused rename changed the site: %q", s.Nom())
	}
	if err := s.Rename("Paris"); err != nil || s.Nom() != "Paris" {
		t.Fatalf("rename: %v, %q", err, s.Nom())
	}
	s.Deactivate()
	if s.Active() || s.Status() != client.StatusInactive {
		t.Fatalf("site still active")
	}
}

func TestAreaErrors(t *testing.T) {
	tests := []struct {
		err  error
		kind error
		text string
	}{
		{client.CodeTaken(12), domain.ErrConflict, "client code 12 already exists"},
		{client.NameTaken("PC-01"), domain.ErrConflict, `equipment name "PC-01" already exists`},
		{client.ClientNotFound("a"), domain.ErrNotFound, "client a not found"},
		{client.SiteNotFound("b"), domain.ErrNotFound, "site b not found"},
		{client.EquipmentNotFound("c"), domain.ErrNotFound, "equipment c not found"},
	}
	for _, tt := range tests {
		if !errors.Is(tt.err, tt.kind) || tt.err.Error() != tt.text {
			t.Errorf("%v: want %q matching %v", tt.err, tt.text, tt.kind)
		}
	}
}
