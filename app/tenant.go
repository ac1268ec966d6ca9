package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/parc-hq/parc/domain"
	"github.com/parc-hq/parc/domain/tenant"
	"github.com/parc-hq/parc/ports"
)

// TenantService manages companies and their API keys, and authenticates keys.
type TenantService struct {
	companies ports.CompanyRepository
	keys      ports.APIKeyRepository
	tx        ports.Transactor
	clock     ports.Clock
	ids       ports.IDGenerator
	log       *slog.Logger
	// touching holds the ids of the keys whose use this process is
	// recording: the requests that find the same key due meanwhile leave
	// it to that one, instead of each queueing a write.
	touching sync.Map
}

// NewTenantService builds the service.
func NewTenantService(companies ports.CompanyRepository, keys ports.APIKeyRepository, tx ports.Transactor, clock ports.Clock, ids ports.IDGenerator, log *slog.Logger) *TenantService {
	return &TenantService{companies: companies, keys: keys, tx: tx, clock: clock, ids: ids, log: log}
}

// IssuedKey is a key just created: the only moment its clear text exists.
type IssuedKey struct {
	Key    tenant.APIKey
	Secret string
}

// CreateCompany registers a company together with its first API key.
func (s *TenantService) CreateCompany(ctx context.Context, code, name string) (tenant.Company, IssuedKey, error) {
	company, err := tenant.NewCompany(s.ids.NewID(), code, name, s.clock.Now())
	if err != nil {
		return tenant.Company{}, IssuedKey{}, err
	}
	var issued IssuedKey
	err = s.tx.Within(ctx, func(ctx context.Context) error {
		if err := s.companies.CreateCompany(ctx, company); err != nil {
			if errors.Is(err, domain.ErrConflict) {
				return domain.Conflict("company code %q already exists", code)
			}
			return err
		}
		issued, err = s.issueKey(ctx, company.ID(), "default")
		return err
	})
	if err != nil {
		return tenant.Company{}, IssuedKey{}, fmt.Errorf("create company: %w", err)
	}
	s.log.InfoContext(ctx, "company created", "company_id", company.ID(), "code", company.Code().String(), "key_prefix", issued.Key.Prefix())
	return company, issued, nil
}

// UpdateCompany renames, disables or re-enables a company. Disabling it
// closes every one of its keys at once.
func (s *TenantService) UpdateCompany(ctx context.Context, id string, ch tenant.CompanyChange) (tenant.Company, error) {
	var updated tenant.Company
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		c, err := s.companies.CompanyByID(ctx, id)
		if err != nil {
			return err
		}
		if updated, err = c.Apply(ch); err != nil {
			return err
		}
		return s.companies.UpdateCompany(ctx, updated)
	})
	if err != nil {
		return tenant.Company{}, fmt.Errorf("update company %s: %w", id, err)
	}
	return updated, nil
}

// Companies lists every company, by code.
func (s *TenantService) Companies(ctx context.Context) ([]tenant.Company, error) {
	return s.companies.ListCompanies(ctx)
}

// Company finds a company by id.
func (s *TenantService) Company(ctx context.Context, id string) (tenant.Company, error) {
	return s.companies.CompanyByID(ctx, id)
}

// CompanyByCode finds a company by its code.
func (s *TenantService) CompanyByCode(ctx context.Context, code string) (tenant.Company, error) {
	c, err := tenant.ParseCode(code)
	if err != nil {
		return tenant.Company{}, err
	}
	return s.companies.CompanyByCode(ctx, c)
}

// CreateKey issues another key for a company, e.g. to rotate without downtime.
func (s *TenantService) CreateKey(ctx context.Context, companyID, name string) (IssuedKey, error) {
	var issued IssuedKey
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		if _, err := s.companies.CompanyByID(ctx, companyID); err != nil {
			return err
		}
		var err error
		issued, err = s.issueKey(ctx, companyID, name)
		return err
	})
	if err != nil {
		return IssuedKey{}, fmt.Errorf("create key: %w", err)
	}
	s.log.InfoContext(ctx, "api key created", "company_id", companyID, "key_prefix", issued.Key.Prefix())
	return issued, nil
}

func (s *TenantService) issueKey(ctx context.Context, companyID, name string) (IssuedKey, error) {
	secret, err := tenant.GenerateKey()
	if err != nil {
		return IssuedKey{}, err
	}
	key, err := tenant.NewAPIKey(s.ids.NewID(), companyID, name, secret, s.clock.Now())
	if err != nil {
		return IssuedKey{}, err
	}
	if err := s.keys.CreateKey(ctx, key); err != nil {
		return IssuedKey{}, err
	}
	return IssuedKey{Key: key, Secret: secret.Text}, nil
}

// Keys lists a company's keys, revoked ones included.
func (s *TenantService) Keys(ctx context.Context, companyID string) ([]tenant.APIKey, error) {
	if _, err := s.companies.CompanyByID(ctx, companyID); err != nil {
		return nil, err
	}
	return s.keys.ListKeys(ctx, companyID)
}

// RevokeKey revokes a key by id; it stops working at once.
func (s *TenantService) RevokeKey(ctx context.Context, id string) (tenant.APIKey, error) {
	return s.revoke(ctx, func(ctx context.Context) (tenant.APIKey, error) { return s.keys.KeyByID(ctx, id) })
}

// RevokeKeyByPrefix revokes a key by its public prefix (what the CLI shows).
func (s *TenantService) RevokeKeyByPrefix(ctx context.Context, prefix string) (tenant.APIKey, error) {
	return s.revoke(ctx, func(ctx context.Context) (tenant.APIKey, error) { return s.keys.KeyByPrefix(ctx, prefix) })
}

func (s *TenantService) revoke(ctx context.Context, find func(context.Context) (tenant.APIKey, error)) (tenant.APIKey, error) {
	var revoked tenant.APIKey
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		k, err := find(ctx)
		if err != nil {
			return err
		}
		if !k.Revoked() {
			if err := s.keys.RevokeKey(ctx, k.ID(), s.clock.Now()); err != nil {
				return err
			}
		}
		revoked, err = s.keys.KeyByID(ctx, k.ID())
		return err
	})
	if err != nil {
		return tenant.APIKey{}, fmt.Errorf("revoke key: %w", err)
	}
	s.log.InfoContext(ctx, "api key revoked", "company_id", revoked.CompanyID(), "key_prefix", revoked.Prefix())
	return revoked, nil
}

// Authenticate resolves a presented API key to its company. Every failure is
// tenant.ErrKeyRejected (wrapping domain.ErrUnauthenticated), whatever the cause,
// except a storage failure, which is returned as such.
func (s *TenantService) Authenticate(ctx context.Context, raw string) (tenant.Company, error) {
	presented, err := tenant.ParseKey(raw)
	if err != nil {
		return tenant.Company{}, tenant.ErrKeyRejected
	}
	// The key comes with its company, in one lookup; tenant.Authenticate
	// checks the secret before anything else.
	key, company, err := s.keys.KeyWithCompany(ctx, presented.Prefix)
	if errors.Is(err, domain.ErrNotFound) {
		// The same work as a known prefix with a wrong secret (the
		// repository read a decoy key in the same time): answer times must
		// not tell which prefixes exist.
		presented.Matches(tenant.UnknownKeyHash)
		return tenant.Company{}, tenant.ErrKeyRejected
	}
	if err != nil {
		return tenant.Company{}, fmt.Errorf("authenticate: %w", err)
	}
	if err := tenant.Authenticate(presented, key, company); err != nil {
		return tenant.Company{}, err
	}
	if now := s.clock.Now(); key.NeedsTouch(now) {
		s.touch(ctx, key, now)
	}
	return company, nil
}

// touch records a use of key, unless this process is recording one.
// Best effort: a failed bookkeeping write must not refuse a valid key.
func (s *TenantService) touch(ctx context.Context, key tenant.APIKey, now time.Time) {
	if _, busy := s.touching.LoadOrStore(key.ID(), struct{}{}); busy {
		return
	}
	defer s.touching.Delete(key.ID())
	if err := s.keys.TouchKey(ctx, key.ID(), now); err != nil {
		s.log.WarnContext(ctx, "recording key use failed", "key_prefix", key.Prefix(), "error", err)
	}
}
