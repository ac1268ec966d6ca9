package contract

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parc-hq/parc/domain"
	"github.com/parc-hq/parc/domain/tenant"
	"github.com/parc-hq/parc/ports"
)

// TenantRepos are the ports the tenant suite checks.
type TenantRepos struct {
	Companies ports.CompanyRepository
	Keys      ports.APIKeyRepository
	Tx        ports.Transactor
}

// NewCompany builds a valid company with a unique code, for suites that need a tenant.
func NewCompany(t testing.TB) tenant.Company {
	t.Helper()
	id := uuid.NewString()
	c, err := tenant.NewCompany(id, "C-"+id[:8], "Company "+id[:8], time.Now().UTC().Truncate(time.Microsecond))
	require.NoError(t, err)
	return c
}

// RunTenantRepository checks companies and API keys.
func RunTenantRepository(t *testing.T, newRepos func(t *testing.T) TenantRepos) {
	ctx := context.Background()

	t.Run("company round trip by id and code", func(t *testing.T) {
		r := newRepos(t)
		c := NewCompany(t)
		require.NoError(t, r.Companies.CreateCompany(ctx, c))

		byID, err := r.Companies.CompanyByID(ctx, c.ID())
		require.NoError(t, err)
		assert.Equal(t, c, byID)
		byCode, err := r.Companies.CompanyByCode(ctx, c.Code())
		require.NoError(t, err)
		assert.Equal(t, c, byCode)
	})

	t.Run("duplicate code is a conflict, also when only the case differs is not", func(t *testing.T) {
		r := newRepos(t)
		c := NewCompany(t)
		require.NoError(t, r.Companies.CreateCompany(ctx, c))
		dup, err := tenant.NewCompany(uuid.NewString(), c.Code().String(), "Other", time.Now())
		require.NoError(t, err)
		assert.ErrorIs(t, r.Companies.CreateCompany(ctx, dup), domain.ErrConflict)

		// Codes compare exactly on every backend (MySQL's default collation would not).
		lower, err := tenant.NewCompany(uuid.NewString(), "c-"+c.Code().String()[2:], "Other", time.Now())
		require.NoError(t, err)
		assert.NoError(t, r.Companies.CreateCompany(ctx, lower))
	})

	t.Run("absent company is not found", func(t *testing.T) {
		r := newRepos(t)
		_, err := r.Companies.CompanyByID(ctx, uuid.NewString())
		assert.ErrorIs(t, err, domain.ErrNotFound)
		_, err = r.Companies.CompanyByCode(ctx, tenant.RestoreCode("NOPE-"+uuid.NewString()[:8]))
		assert.ErrorIs(t, err, domain.ErrNotFound)
	})

	t.Run("update changes name and status", func(t *testing.T) {
		r := newRepos(t)
		c := NewCompany(t)
		require.NoError(t, r.Companies.CreateCompany(ctx, c))
		name, status := "Renamed", "disabled"
		changed, err := c.Apply(tenant.CompanyChange{Name: &name, Status: &status})
		require.NoError(t, err)
		require.NoError(t, r.Companies.UpdateCompany(ctx, changed))
		got, err := r.Companies.CompanyByID(ctx, c.ID())
		require.NoError(t, err)
		assert.Equal(t, "Renamed", got.Name())
		assert.False(t, got.Active())
	})

	t.Run("companies by codes and ids", func(t *testing.T) {
		r := newRepos(t)
		a, b := NewCompany(t), NewCompany(t)
		require.NoError(t, r.Companies.CreateCompany(ctx, a))
		require.NoError(t, r.Companies.CreateCompany(ctx, b))
		got, err := r.Companies.CompaniesByCodes(ctx, []tenant.Code{a.Code(), b.Code(), tenant.RestoreCode("missing")})
		require.NoError(t, err)
		assert.ElementsMatch(t, []tenant.Company{a, b}, got)
		got, err = r.Companies.CompaniesByIDs(ctx, []string{a.ID(), b.ID()})
		require.NoError(t, err)
		assert.ElementsMatch(t, []tenant.Company{a, b}, got)
		all, err := r.Companies.ListCompanies(ctx)
		require.NoError(t, err)
		assert.Subset(t, all, []tenant.Company{a, b})
	})

	t.Run("keys: create, find by prefix, list, touch, revoke", func(t *testing.T) {
		r := newRepos(t)
		c := NewCompany(t)
		require.NoError(t, r.Companies.CreateCompany(ctx, c))
		now := time.Now().UTC().Truncate(time.Microsecond)
		s1, err := tenant.GenerateKey()
		require.NoError(t, err)
		k1, err := tenant.NewAPIKey(uuid.NewString(), c.ID(), "agent", s1, now)
		require.NoError(t, err)
		require.NoError(t, r.Keys.CreateKey(ctx, k1))
		s2, err := tenant.GenerateKey()
		require.NoError(t, err)
		k2, err := tenant.NewAPIKey(uuid.NewString(), c.ID(), "rotation", s2, now.Add(time.Second))
		require.NoError(t, err)
		require.NoError(t, r.Keys.CreateKey(ctx, k2))

		got, err := r.Keys.KeyByPrefix(ctx, s1.Prefix)
		require.NoError(t, err)
		assert.Equal(t, k1, got)
		presented, err := tenant.ParseKey(s1.Text)
		require.NoError(t, err)
		assert.True(t, presented.Matches(got.Hash()), "stored digest must match the issued secret")

		list, err := r.Keys.ListKeys(ctx, c.ID())
		require.NoError(t, err)
		assert.Equal(t, []tenant.APIKey{k1, k2}, list)

		used := now.Add(time.Minute)
		require.NoError(t, r.Keys.TouchKey(ctx, k1.ID(), used))
		revokedAt := now.Add(2 * time.Minute)
		require.NoError(t, r.Keys.RevokeKey(ctx, k1.ID(), revokedAt))
		require.NoError(t, r.Keys.RevokeKey(ctx, k1.ID(), revokedAt.Add(time.Hour)), "revoking twice is harmless")
		got, err = r.Keys.KeyByID(ctx, k1.ID())
		require.NoError(t, err)
		require.NotNil(t, got.LastUsedAt())
		assert.Equal(t, used, *got.LastUsedAt())
		require.NotNil(t, got.RevokedAt())
		assert.Equal(t, revokedAt, *got.RevokedAt(), "the first revocation time is kept")

		_, err = r.Keys.KeyByPrefix(ctx, "zzzzzzzz")
		assert.ErrorIs(t, err, domain.ErrNotFound)

		withKey, company, err := r.Keys.KeyWithCompany(ctx, s2.Prefix)
		require.NoError(t, err)
		assert.Equal(t, k2, withKey)
		assert.Equal(t, c, company, "the key comes with its company")
		_, _, err = r.Keys.KeyWithCompany(ctx, "zzzzzzzz")
		assert.ErrorIs(t, err, domain.ErrNotFound)
	})

	t.Run("a failed transaction stores nothing", func(t *testing.T) {
		r := newRepos(t)
		c := NewCompany(t)
		err := r.Tx.Within(ctx, func(ctx context.Context) error {
			require.NoError(t, r.Companies.CreateCompany(ctx, c))
			return domain.ErrConflict
		})
		assert.ErrorIs(t, err, domain.ErrConflict)
		_, err = r.Companies.CompanyByID(ctx, c.ID())
		assert.ErrorIs(t, err, domain.ErrNotFound)
	})
}
