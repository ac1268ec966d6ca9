package app_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/parc-hq/parc/app"
	"github.com/parc-hq/parc/domain"
	"github.com/parc-hq/parc/domain/tenant"
	"github.com/parc-hq/parc/ports"
)

// fakeKeys is an in-memory APIKeyRepository that counts the recorded uses.
type fakeKeys struct {
	byID    map[string]tenant.APIKey
	touches int
	failing error // when set, TouchKey fails with it
	// entered and gate, when set, hold TouchKey: it signals entered, then
	// waits for gate.
	entered, gate chan struct{}
	// companies answers KeyWithCompany's company.
	companies *fakeCompanies
}

var _ ports.APIKeyRepository = (*fakeKeys)(nil)

func (f *fakeKeys) CreateKey(_ context.Context, k tenant.APIKey) error {
	f.byID[k.ID()] = k
	return nil
}

func (f *fakeKeys) KeyByPrefix(_ context.Context, prefix string) (tenant.APIKey, error) {
	for _, k := range f.byID {
		if k.Prefix() == prefix {
			return k, nil
		}
	}
	return tenant.APIKey{}, domain.NotFound("api key %s", prefix)
}

func (f *fakeKeys) KeyWithCompany(ctx context.Context, prefix string) (tenant.APIKey, tenant.Company, error) {
	k, err := f.KeyByPrefix(ctx, prefix)
	if err != nil {
		return k, tenant.Company{}, err
	}
	c, err := f.companies.CompanyByID(ctx, k.CompanyID())
	return k, c, err
}

func (f *fakeKeys) KeyByID(_ context.Context, id string) (tenant.APIKey, error) {
	if k, ok := f.byID[id]; ok {
		return k, nil
	}
	return tenant.APIKey{}, domain.NotFound("api key %s", id)
}

func (f *fakeKeys) ListKeys(_ context.Context, companyID string) ([]tenant.APIKey, error) {
	var out []tenant.APIKey
	for _, k := range f.byID {
		if k.CompanyID() == companyID {
			out = append(out, k)
		}
	}
	return out, nil
}

func (f *fakeKeys) record(k tenant.APIKey) tenant.APIKeyRecord {
	return tenant.APIKeyRecord{ID: k.ID(), CompanyID: k.CompanyID(), Name: k.Name(), Prefix: k.Prefix(), Hash: k.Hash(),
		CreatedAt: k.CreatedAt(), LastUsedAt: k.LastUsedAt(), RevokedAt: k.RevokedAt()}
}

func (f *fakeKeys) RevokeKey(_ context.Context, id string, at time.Time) error {
	r := f.record(f.byID[id])
	if r.RevokedAt == nil {
		r.RevokedAt = &at
	}
	f.byID[id] = tenant.RestoreAPIKey(r)
	return nil
}

func (f *fakeKeys) TouchKey(_ context.Context, id string, at time.Time) error {
	if f.gate != nil {
		f.entered <- struct{}{}
		<-f.gate
	}
	if f.failing != nil {
		return f.failing
	}
	f.touches++
	r := f.record(f.byID[id])
	r.LastUsedAt = &at
	f.byID[id] = tenant.RestoreAPIKey(r)
	return nil
}

type tenantWorld struct {
	companies *fakeCompanies
	keys      *fakeKeys
	clock     *fakeClock
}

func newTenantWorld() *tenantWorld {
	companies := newFakeCompanies()
	return &tenantWorld{companies: companies, keys: &fakeKeys{byID: map[string]tenant.APIKey{}, companies: companies}, clock: &fakeClock{now}}
}

// service reads the world's clock when it is built: move the clock, then
// build another.
func (w *tenantWorld) service() *app.TenantService {
	return app.NewTenantService(w.companies, w.keys, &fakeTx{}, *w.clock, &fakeIDs{n: len(w.keys.byID) + len(w.companies.byID)}, quiet)
}

func TestCreateCompanyIssuesItsFirstKeyAndRefusesATakenCode(t *testing.T) {
	ctx := context.Background()
	w := newTenantWorld()
	c, issued, err := w.service().CreateCompany(ctx, "ACME", "Acme")
	if err != nil || issued.Key.CompanyID() != c.ID() || issued.Key.Name() != "default" || issued.Secret == "" {
		t.Fatalf("%v %+v", err, issued)
	}
	if _, err := w.service().Authenticate(ctx, issued.Secret); err != nil {
		t.Fatalf("the first key is not accepted: %v", err)
	}
	_, _, err = w.service().CreateCompany(ctx, "ACME", "Other")
	if !errors.Is(err, domain.ErrConflict) || !errorMessageIs(err, `company code "ACME" already exists`) {
		t.Fatalf("a taken code: %v", err)
	}
	if len(w.keys.byID) != 1 || len(w.companies.byID) != 1 {
		t.Fatalf("a refused company left %d keys, %d companies", len(w.keys.byID), len(w.companies.byID))
	}
	if _, err := w.service().CreateKey(ctx, "no-such-company", "spare"); !errors.Is(err, domain.ErrNotFound) || len(w.keys.byID) != 1 {
		t.Fatalf("a key for an unknown company: %v", err)
	}
}

func TestAuthenticateRefusesEveryBadKeyAlike(t *testing.T) {
	ctx := context.Background()
	w := newTenantWorld()
	acme, issued, err := w.service().CreateCompany(ctx, "ACME", "Acme")
	if err != nil {
		t.Fatal(err)
	}
	_, other, err := w.service().CreateCompany(ctx, "OTHER", "Other")
	if err != nil {
		t.Fatal(err)
	}
	revoked, err := w.service().CreateKey(ctx, acme.ID(), "old")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.service().RevokeKeyByPrefix(ctx, revoked.Key.Prefix()); err != nil {
		t.Fatal(err)
	}
	wrongSecret := "parc_" + issued.Key.Prefix() + "_" + "not-the-secret-of-this-key"
	for name, raw := range map[string]string{"not a key": "hello", "unknown prefix": "parc_nope_secret",
		"wrong secret": wrongSecret, "revoked": revoked.Secret} {
		if _, err := w.service().Authenticate(ctx, raw); err != tenant.ErrKeyRejected {
			t.Errorf("%s: %v", name, err)
		}
	}

	// A disabled company's keys are refused at once, and accepted again
	// once it is enabled; other companies' keys are not concerned.
	disabled, enabled := string(tenant.StatusDisabled), string(tenant.StatusActive)
	if _, err := w.service().UpdateCompany(ctx, acme.ID(), tenant.CompanyChange{Status: &disabled}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.service().Authenticate(ctx, issued.Secret); err != tenant.ErrKeyRejected {
		t.Errorf("a disabled company's key: %v", err)
	}
	if c, err := w.service().Authenticate(ctx, other.Secret); err != nil || c.Code().String() != "OTHER" {
		t.Errorf("another company's key: %v %+v", err, c)
	}
	if _, err := w.service().UpdateCompany(ctx, acme.ID(), tenant.CompanyChange{Status: &enabled}); err != nil {
		t.Fatal(err)
	}
	if c, err := w.service().Authenticate(ctx, issued.Secret); err != nil || c.ID() != acme.ID() {
		t.Errorf("re-enabled: %v %+v", err, c)
	}
}

func TestAuthenticateRecordsUseAtMostOncePerGranularity(t *testing.T) {
	ctx := context.Background()
	w := newTenantWorld()
	_, issued, err := w.service().CreateCompany(ctx, "ACME", "Acme")
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := w.service().Authenticate(ctx, issued.Secret); err != nil {
			t.Fatal(err)
		}
	}
	if w.keys.touches != 1 {
		t.Errorf("three uses within %v recorded %d times", tenant.LastUsedGranularity, w.keys.touches)
	}
	w.clock.now = now.Add(tenant.LastUsedGranularity)
	w.keys.failing = errors.New("disk full")
	if _, err := w.service().Authenticate(ctx, issued.Secret); err != nil {
		t.Errorf("a failed bookkeeping write refused a valid key: %v", err)
	}
}

// Requests that find a key's use due while this process records it leave
// the record to that one: one write, not one per request.
func TestAuthenticateRecordsOneUseAtATime(t *testing.T) {
	ctx := context.Background()
	w := newTenantWorld()
	_, issued, err := w.service().CreateCompany(ctx, "ACME", "Acme")
	if err != nil {
		t.Fatal(err)
	}
	w.keys.entered, w.keys.gate = make(chan struct{}, 1), make(chan struct{})
	svc := w.service()
	first := make(chan error, 1)
	go func() {
		_, err := svc.Authenticate(ctx, issued.Secret)
		first <- err
	}()
	<-w.keys.entered
	if _, err := svc.Authenticate(ctx, issued.Secret); err != nil {
		t.Fatal(err)
	}
	close(w.keys.gate)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if w.keys.touches != 1 {
		t.Errorf("two uses during one record recorded %d times", w.keys.touches)
	}
}
