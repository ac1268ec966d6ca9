package gormstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/parc-hq/parc/domain/tenant"
)

var tenantModels = []any{&companyRow{}, &apiKeyRow{}}

type companyRow struct {
	ID        string    `gorm:"primaryKey;size:36"`
	Code      string    `gorm:"size:64;not null;uniqueIndex:ux_companies_code"`
	Name      string    `gorm:"size:200;not null"`
	Status    string    `gorm:"size:16;not null"`
	CreatedAt time.Time `gorm:"not null;precision:6"`
}

func (companyRow) TableName() string { return "companies" }

func toCompanyRow(c tenant.Company) companyRow {
	return companyRow{ID: c.ID(), Code: c.Code().String(), Name: c.Name(), Status: string(c.Status()), CreatedAt: c.CreatedAt()}
}

func (r companyRow) toDomain() tenant.Company {
	return tenant.RestoreCompany(tenant.CompanyRecord{ID: r.ID, Code: tenant.RestoreCode(r.Code), Name: r.Name, Status: tenant.Status(r.Status), CreatedAt: r.CreatedAt})
}

type apiKeyRow struct {
	ID         string     `gorm:"primaryKey;size:36"`
	CompanyID  string     `gorm:"size:36;not null;index:ix_api_keys_company"`
	Name       string     `gorm:"size:200;not null"`
	Prefix     string     `gorm:"size:16;not null;uniqueIndex:ux_api_keys_prefix"`
	Hash       []byte     `gorm:"size:32;not null"`
	CreatedAt  time.Time  `gorm:"not null;precision:6"`
	LastUsedAt *time.Time `gorm:"precision:6"`
	RevokedAt  *time.Time `gorm:"precision:6"`
}

func (apiKeyRow) TableName() string { return "api_keys" }

func toAPIKeyRow(k tenant.APIKey) apiKeyRow {
	h := k.Hash()
	return apiKeyRow{ID: k.ID(), CompanyID: k.CompanyID(), Name: k.Name(), Prefix: k.Prefix(), Hash: h[:],
		CreatedAt: k.CreatedAt(), LastUsedAt: k.LastUsedAt(), RevokedAt: k.RevokedAt()}
}

func (r apiKeyRow) toDomain() tenant.APIKey {
	var h tenant.KeyHash
	copy(h[:], r.Hash)
	return tenant.RestoreAPIKey(tenant.APIKeyRecord{ID: r.ID, CompanyID: r.CompanyID, Name: r.Name, Prefix: r.Prefix, Hash: h,
		CreatedAt: r.CreatedAt, LastUsedAt: r.LastUsedAt, RevokedAt: r.RevokedAt})
}

// TenantRepository implements ports.CompanyRepository and ports.APIKeyRepository.
type TenantRepository struct{ s *Store }

// NewTenantRepository builds the repository on a store.
func NewTenantRepository(s *Store) *TenantRepository { return &TenantRepository{s: s} }

func (r *TenantRepository) CreateCompany(ctx context.Context, c tenant.Company) error {
	row := toCompanyRow(c)
	if err := r.s.conn(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("insert company: %w", r.s.translate(err))
	}
	return nil
}

func (r *TenantRepository) UpdateCompany(ctx context.Context, c tenant.Company) error {
	row := toCompanyRow(c)
	res := r.s.conn(ctx).Model(&companyRow{}).Where("id = ?", row.ID).
		Updates(map[string]any{"name": row.Name, "status": row.Status})
	if res.Error != nil {
		return fmt.Errorf("update company: %w", r.s.translate(res.Error))
	}
	return nil
}

func (r *TenantRepository) CompanyByID(ctx context.Context, id string) (tenant.Company, error) {
	return r.oneCompany(ctx, "company "+id, "id = ?", id)
}

func (r *TenantRepository) CompanyByCode(ctx context.Context, code tenant.Code) (tenant.Company, error) {
	return r.oneCompany(ctx, "company "+code.String(), "code = ?", code.String())
}

func (r *TenantRepository) oneCompany(ctx context.Context, what string, where string, arg any) (tenant.Company, error) {
	var rows []companyRow
	if err := r.s.conn(ctx).Where(where, arg).Limit(1).Find(&rows).Error; err != nil {
		return tenant.Company{}, fmt.Errorf("find %s: %w", what, r.s.translate(err))
	}
	if len(rows) == 0 {
		return tenant.Company{}, notFound(what)
	}
	return rows[0].toDomain(), nil
}

func (r *TenantRepository) CompaniesByCodes(ctx context.Context, codes []tenant.Code) ([]tenant.Company, error) {
	if len(codes) == 0 {
		return nil, nil
	}
	keys := make([]string, len(codes))
	for i, c := range codes {
		keys[i] = c.String()
	}
	return r.companies(ctx, "code IN ?", keys)
}

func (r *TenantRepository) CompaniesByIDs(ctx context.Context, ids []string) ([]tenant.Company, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return r.companies(ctx, "id IN ?", ids)
}

func (r *TenantRepository) ListCompanies(ctx context.Context) ([]tenant.Company, error) {
	return r.companies(ctx, "1 = 1")
}

func (r *TenantRepository) companies(ctx context.Context, where string, args ...any) ([]tenant.Company, error) {
	var rows []companyRow
	if err := r.s.conn(ctx).Where(where, args...).Order("code").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list companies: %w", r.s.translate(err))
	}
	out := make([]tenant.Company, len(rows))
	for i, row := range rows {
		out[i] = row.toDomain()
	}
	return out, nil
}

func (r *TenantRepository) CreateKey(ctx context.Context, k tenant.APIKey) error {
	row := toAPIKeyRow(k)
	if err := r.s.conn(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("insert api key: %w", r.s.translate(err))
	}
	return nil
}

// The decoy key is a row of api_keys that no company owns and no secret
// matches (schema step 4 stores it, with a random digest). KeyByPrefix reads
// it in place of a prefix no key has, so that an unknown prefix costs what a
// known one does: one index lookup that finds a row, and that row read,
// scanned and converted. Which prefixes exist must not show in answer times.
const (
	decoyKeyID     = "00000000-0000-0000-0000-000000000000"
	decoyKeyPrefix = "00000000" // '0' is not in the keys' alphabet: never issued
)

// KeyByPrefix finds the key with the prefix, or reads the decoy key and
// answers not found: the same work either way.
func (r *TenantRepository) KeyByPrefix(ctx context.Context, prefix string) (tenant.APIKey, error) {
	return r.oneKey(ctx, "api key "+prefix,
		"prefix = COALESCE((SELECT k.prefix FROM api_keys k WHERE k.prefix = ?), ?)", prefix, decoyKeyPrefix)
}

func (r *TenantRepository) KeyByID(ctx context.Context, id string) (tenant.APIKey, error) {
	return r.oneKey(ctx, "api key "+id, "id = ?", id)
}

// oneKey reads the key that where selects. The decoy key is never found:
// it is converted all the same, for KeyByPrefix's even cost.
func (r *TenantRepository) oneKey(ctx context.Context, what, where string, args ...any) (tenant.APIKey, error) {
	var rows []apiKeyRow
	if err := r.s.conn(ctx).Where(where, args...).Limit(1).Find(&rows).Error; err != nil {
		return tenant.APIKey{}, fmt.Errorf("find %s: %w", what, r.s.translate(err))
	}
	if len(rows) == 0 {
		return tenant.APIKey{}, notFound(what)
	}
	key := rows[0].toDomain()
	if rows[0].ID == decoyKeyID {
		return tenant.APIKey{}, notFound(what)
	}
	return key, nil
}

func (r *TenantRepository) ListKeys(ctx context.Context, companyID string) ([]tenant.APIKey, error) {
	var rows []apiKeyRow
	if err := r.s.conn(ctx).Where("company_id = ?", companyID).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list api keys: %w", r.s.translate(err))
	}
	out := make([]tenant.APIKey, len(rows))
	for i, row := range rows {
		out[i] = row.toDomain()
	}
	return out, nil
}

func (r *TenantRepository) RevokeKey(ctx context.Context, id string, at time.Time) error {
	res := r.s.conn(ctx).Model(&apiKeyRow{}).Where("id = ? AND revoked_at IS NULL", id).Update("revoked_at", at.UTC())
	if res.Error != nil {
		return fmt.Errorf("revoke api key: %w", r.s.translate(res.Error))
	}
	return nil
}

func (r *TenantRepository) TouchKey(ctx context.Context, id string, at time.Time) error {
	res := r.s.conn(ctx).Model(&apiKeyRow{}).Where("id = ?", id).Update("last_used_at", at.UTC())
	if res.Error != nil {
		return fmt.Errorf("record api key use: %w", r.s.translate(res.Error))
	}
	return nil
}

// keyWithCompanySQL is KeyByPrefix's lookup joined to the key's company:
// the decoy key, whose company does not exist, comes back alone.
const keyWithCompanySQL = `SELECT k.id, k.company_id, k.name, k.prefix, k.hash, k.created_at, k.last_used_at, k.revoked_at,
	c.id, c.code, c.name, c.status, c.created_at
	FROM api_keys k LEFT JOIN companies c ON c.id = k.company_id
	WHERE k.prefix = COALESCE((SELECT p.prefix FROM api_keys p WHERE p.prefix = ?), ?)`

// KeyWithCompany reads the key with the prefix and its company in one
// statement, scanned by hand: it runs on every authenticated request.
// Like KeyByPrefix, an unknown prefix reads the decoy key instead, which
// is converted all the same and never returned.
func (r *TenantRepository) KeyWithCompany(ctx context.Context, prefix string) (tenant.APIKey, tenant.Company, error) {
	what := "api key " + prefix
	rs, err := r.s.rawQuery(ctx, keyWithCompanySQL, prefix, decoyKeyPrefix)
	if err != nil {
		return tenant.APIKey{}, tenant.Company{}, fmt.Errorf("find %s: %w", what, r.s.translate(err))
	}
	defer func() { _ = rs.Close() }()
	var k apiKeyRow
	var used, revoked sql.NullTime
	var cid, code, name, status sql.NullString
	var created sql.NullTime
	found := rs.Next()
	if found {
		err = rs.Scan(&k.ID, &k.CompanyID, &k.Name, &k.Prefix, &k.Hash, &k.CreatedAt, &used, &revoked, &cid, &code, &name, &status, &created)
	}
	if err == nil {
		err = rs.Err()
	}
	if err != nil {
		return tenant.APIKey{}, tenant.Company{}, fmt.Errorf("find %s: %w", what, r.s.translate(err))
	}
	if !found {
		return tenant.APIKey{}, tenant.Company{}, notFound(what)
	}
	k.LastUsedAt, k.RevokedAt = nullTime(used), nullTime(revoked)
	key := k.toDomain()
	if k.ID == decoyKeyID {
		return tenant.APIKey{}, tenant.Company{}, notFound(what)
	}
	if !cid.Valid {
		return key, tenant.Company{}, notFound("company " + k.CompanyID)
	}
	c := companyRow{ID: cid.String, Code: code.String, Name: name.String, Status: status.String, CreatedAt: created.Time}
	return key, c.toDomain(), nil
}

func nullTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	at := t.Time
	return &at
}
