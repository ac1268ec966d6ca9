package tenant_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/parc-hq/parc/domain"
	"github.com/parc-hq/parc/domain/tenant"
)

func TestNewCompanyValidates(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name, code, companyName string
		wantPaths               []string
	}{
		{"valid", "ACME-1.fr_x", "Acme", nil},
		{"name is trimmed", "ACME", "  Acme  ", nil},
		{"missing both", "", " ", []string{"code", "name"}},
		{"code with a space", "AC ME", "Acme", []string{"code"}},
		{"code too long", strings.Repeat("A", 65), "Acme", []string{"code"}},
		{"name too long", "ACME", strings.Repeat("é", 201), []string{"name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := tenant.NewCompany("id", tt.code, tt.companyName, now)
			if tt.wantPaths == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if c.Name() != strings.TrimSpace(tt.companyName) || !c.Active() || !c.CreatedAt().Equal(now) {
					t.Fatalf("unexpected company %+v", c)
				}
				return
			}
			var v *domain.ValidationError
			if !errors.As(err, &v) || !errors.Is(err, domain.ErrInvalid) {
				t.Fatalf("want a validation error, got %v", err)
			}
			var paths []string
			for _, p := range v.Problems {
				paths = append(paths, p.PathString())
			}
			if strings.Join(paths, ",") != strings.Join(tt.wantPaths, ",") {
				t.Fatalf("problems at %v, want %v", paths, tt.wantPaths)
			}
		})
	}
}

func TestCompanyApply(t *testing.T) {
	c, err := tenant.NewCompany("id", "ACME", "Acme", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	disabled := "disabled"
	d, err := c.Apply(tenant.CompanyChange{Status: &disabled})
	if err != nil || d.Active() || d.Name() != "Acme" {
		t.Fatalf("disable: %v %+v", err, d)
	}
	bad := "paused"
	if _, err := c.Apply(tenant.CompanyChange{Status: &bad}); !errors.Is(err, domain.ErrInvalid) {
		t.Fatalf("unknown status: want ErrInvalid, got %v", err)
	}
	if !c.Active() {
		t.Fatal("Apply must not change the receiver")
	}
}

func TestKeyRoundTrip(t *testing.T) {
	s, err := tenant.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.Text, "parc_"+s.Prefix+"_") {
		t.Fatalf("key %q does not carry its prefix %q", s.Text, s.Prefix)
	}
	p, err := tenant.ParseKey(s.Text)
	if err != nil {
		t.Fatal(err)
	}
	if p.Prefix != s.Prefix || !p.Matches(s.Hash) {
		t.Fatal("a generated key must match its own digest")
	}
	other, _ := tenant.GenerateKey()
	if p.Matches(other.Hash) {
		t.Fatal("a key must not match another key's digest")
	}
	if s2, _ := tenant.GenerateKey(); s2.Text == s.Text {
		t.Fatal("two keys are equal")
	}
}

func TestParseKeyRejectsMalformedKeysWithoutEchoingThem(t *testing.T) {
	for _, raw := range []string{"", "parc", "parc_abc_def", "xxxx_aaaaaaaa_" + strings.Repeat("b", 32), "parc_aaaaaaaa_" + strings.Repeat("b", 31)} {
		_, err := tenant.ParseKey(raw)
		if !errors.Is(err, domain.ErrUnauthenticated) {
			t.Fatalf("%q: want ErrUnauthenticated, got %v", raw, err)
		}
		if raw != "" && strings.Contains(err.Error(), raw) {
			t.Fatalf("the error echoes the key: %v", err)
		}
	}
}

func TestAuthenticate(t *testing.T) {
	now := time.Now()
	company, _ := tenant.NewCompany("c1", "ACME", "Acme", now)
	s, _ := tenant.GenerateKey()
	key, _ := tenant.NewAPIKey("k1", "c1", "agent", s, now)
	p, _ := tenant.ParseKey(s.Text)

	if err := tenant.Authenticate(p, key, company); err != nil {
		t.Fatalf("valid key refused: %v", err)
	}
	revokedAt := now
	revoked := tenant.RestoreAPIKey(tenant.APIKeyRecord{ID: "k1", CompanyID: "c1", Name: "agent", Prefix: s.Prefix, Hash: s.Hash, CreatedAt: now, RevokedAt: &revokedAt})
	disabled := tenant.RestoreCompany(tenant.CompanyRecord{ID: "c1", Code: tenant.RestoreCode("ACME"), Name: "Acme", Status: tenant.StatusDisabled, CreatedAt: now})
	otherCompany := tenant.RestoreCompany(tenant.CompanyRecord{ID: "c2", Code: tenant.RestoreCode("OTHER"), Name: "Other", Status: tenant.StatusActive, CreatedAt: now})
	wrong, _ := tenant.GenerateKey()
	wrongP, _ := tenant.ParseKey(wrong.Text)
	for name, err := range map[string]error{
		"revoked key":       tenant.Authenticate(p, revoked, company),
		"disabled company":  tenant.Authenticate(p, key, disabled),
		"another's company": tenant.Authenticate(p, key, otherCompany),
		"wrong secret":      tenant.Authenticate(wrongP, key, company),
	} {
		if !errors.Is(err, tenant.ErrKeyRejected) || !errors.Is(err, domain.ErrUnauthenticated) {
			t.Errorf("%s: want ErrKeyRejected, got %v", name, err)
		}
	}
}

func TestNeedsTouchBoundsWrites(t *testing.T) {
	now := time.Now()
	s, _ := tenant.GenerateKey()
	fresh, _ := tenant.NewAPIKey("k", "c", "", s, now)
	if !fresh.NeedsTouch(now) {
		t.Fatal("a never-used key must be touched")
	}
	used := now
	k := tenant.RestoreAPIKey(tenant.APIKeyRecord{ID: "k", CompanyID: "c", Name: "n", Prefix: s.Prefix, Hash: s.Hash, CreatedAt: now, LastUsedAt: &used})
	if k.NeedsTouch(now.Add(30 * time.Second)) {
		t.Fatal("touched again within the granularity")
	}
	if !k.NeedsTouch(now.Add(tenant.LastUsedGranularity)) {
		t.Fatal("not touched after the granularity")
	}
}
