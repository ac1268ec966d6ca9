package gormstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/parc-hq/parc/adapters/gormstore"
	"github.com/parc-hq/parc/domain"
	"github.com/parc-hq/parc/domain/tenant"
	"github.com/parc-hq/parc/test/dbtest"
)

// rowCounter is a GORM logger that records how many rows each statement
// read or wrote.
type rowCounter struct {
	logger.Interface
	rows []int64
}

func (r *rowCounter) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	_, n := fc()
	r.rows = append(r.rows, n)
}

// newKey stores a company with one key and returns the key.
func newKey(t testing.TB, repo *gormstore.TenantRepository) tenant.APIKey {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	company, err := tenant.NewCompany(uuid.NewString(), "K"+uuid.NewString()[:8], "Keys", now)
	require.NoError(t, err)
	require.NoError(t, repo.CreateCompany(ctx, company))
	secret, err := tenant.GenerateKey()
	require.NoError(t, err)
	key, err := tenant.NewAPIKey(uuid.NewString(), company.ID(), "default", secret, now)
	require.NoError(t, err)
	require.NoError(t, repo.CreateKey(ctx, key))
	return key
}

// An unknown prefix is looked up with the same work as a known one: one
// statement that reads one row (the decoy key), which is never returned,
// not even for its own prefix.
func TestKeyByPrefixReadsOneRowKnownOrNot(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.Target) {
		ctx := context.Background()
		key := newKey(t, gormstore.NewTenantRepository(db.Store))
		counter := &rowCounter{Interface: logger.Discard}
		repo := gormstore.NewTenantRepository(gormstore.New(db.DB.Session(&gorm.Session{Logger: counter})))

		got, err := repo.KeyByPrefix(ctx, key.Prefix())
		require.NoError(t, err)
		assert.Equal(t, key, got)
		for _, prefix := range []string{"zzzzzzzz", "00000000"} {
			_, err = repo.KeyByPrefix(ctx, prefix)
			assert.ErrorIs(t, err, domain.ErrNotFound, prefix)
		}
		assert.Equal(t, []int64{1, 1, 1}, counter.rows, "rows read by each lookup: known, unknown, the decoy's prefix")

		_, err = repo.KeyByID(ctx, "00000000-0000-0000-0000-000000000000")
		assert.ErrorIs(t, err, domain.ErrNotFound)
	})
}

// KeyWithCompany answers a key and its company with one statement, and
// refuses an unknown prefix and the decoy's own alike.
func TestKeyWithCompanyIsOneLookupKnownOrNot(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.Target) {
		ctx := context.Background()
		plain := gormstore.NewTenantRepository(db.Store)
		key := newKey(t, plain)
		company, err := plain.CompanyByID(ctx, key.CompanyID())
		require.NoError(t, err)
		counter := &rowCounter{Interface: logger.Discard}
		repo := gormstore.NewTenantRepository(gormstore.New(db.DB.Session(&gorm.Session{Logger: counter})))

		gotKey, gotCompany, err := repo.KeyWithCompany(ctx, key.Prefix())
		require.NoError(t, err)
		assert.Equal(t, key, gotKey)
		assert.Equal(t, company, gotCompany)
		for _, prefix := range []string{"zzzzzzzz", "00000000"} {
			_, _, err = repo.KeyWithCompany(ctx, prefix)
			assert.ErrorIs(t, err, domain.ErrNotFound, prefix)
		}
		assert.Len(t, counter.rows, 3, "statements of three lookups: known, unknown, the decoy's prefix")
	})
}

// BenchmarkKeyByPrefix compares the lookup of a known prefix (what every
// request with a valid key pays) with that of an unknown one, on each
// backend: they should cost the same.
func BenchmarkKeyByPrefix(b *testing.B) {
	for _, be := range dbtest.Backends() {
		b.Run(be.Name, func(b *testing.B) {
			repo := gormstore.NewTenantRepository(dbtest.Get(b, be).Store)
			key := newKey(b, repo)
			// A request's context has a deadline (the request budget),
			// which drivers watch while a statement runs.
			ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
			defer cancel()
			for _, c := range []struct{ name, prefix string }{{"known", key.Prefix()}, {"unknown", "zzzzzzzz"}} {
				b.Run(c.name, func(b *testing.B) {
					for b.Loop() {
						_, _ = repo.KeyByPrefix(ctx, c.prefix)
					}
				})
			}
		})
	}
}
