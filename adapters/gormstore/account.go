package gormstore

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/parc-hq/parc/domain/account"
	"github.com/parc-hq/parc/ports"
)

var accountModels = []any{&accountRow{}}

// accountRow is a user account. The login is unique per project by its
// lower-case key; the display spelling is kept beside it. The indexes serve
// the listing filters (status, company) and the active count.
type accountRow struct {
	ID        string    `gorm:"primaryKey;size:36"`
	ProjectID string    `gorm:"size:36;not null;uniqueIndex:ux_accounts_login,priority:1;index:ix_accounts_status,priority:1;index:ix_accounts_company,priority:1"`
	LoginKey  string    `gorm:"size:128;not null;uniqueIndex:ux_accounts_login,priority:2"`
	Login     string    `gorm:"size:128;not null"`
	CompanyID string    `gorm:"size:36;not null;index:ix_accounts_company,priority:2"`
	Email     string    `gorm:"size:254;not null;default:''"`
	Name      string    `gorm:"size:200;not null;default:''"`
	Status    string    `gorm:"size:16;not null;index:ix_accounts_status,priority:2"`
	CreatedAt time.Time `gorm:"not null;precision:6"`
	UpdatedAt time.Time `gorm:"not null;precision:6"`
}

func (accountRow) TableName() string { return "accounts" }

func toAccountRow(a account.Account) accountRow {
	return accountRow{ID: a.ID(), ProjectID: a.ProjectID(), LoginKey: a.Login().Key(), Login: a.Login().Display(), CompanyID: a.CompanyID(),
		Email: a.Email(), Name: a.Name(), Status: string(a.Status()), CreatedAt: a.CreatedAt(), UpdatedAt: a.UpdatedAt()}
}

func (r accountRow) toDomain() account.Account {
	return account.Restore(account.Record{ID: r.ID, ProjectID: r.ProjectID, CompanyID: r.CompanyID,
		Login: account.RestoreLogin(r.LoginKey, r.Login), Email: r.Email, Name: r.Name,
		Status: account.Status(r.Status), CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt})
}

// AccountRepository implements ports.AccountRepository.
type AccountRepository struct{ s *Store }

// NewAccountRepository builds the repository on a store.
func NewAccountRepository(s *Store) *AccountRepository { return &AccountRepository{s: s} }

func (r *AccountRepository) AccountsByLoginKeys(ctx context.Context, projectID string, keys []string) ([]account.Account, error) {
	var out []account.Account
	for chunk := range slices.Chunk(keys, maxInKeys) {
		var rows []accountRow
		if err := r.s.conn(ctx).Where("project_id = ? AND login_key IN ?", projectID, chunk).Find(&rows).Error; err != nil {
			return nil, fmt.Errorf("find accounts by login: %w", r.s.translate(err))
		}
		for _, row := range rows {
			out = append(out, row.toDomain())
		}
	}
	return out, nil
}

func (r *AccountRepository) CountActive(ctx context.Context, projectID string) (int, error) {
	var n int64
	err := r.s.conn(ctx).Model(&accountRow{}).Where("project_id = ? AND status = ?", projectID, string(account.StatusActive)).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count active accounts: %w", r.s.translate(err))
	}
	return int(n), nil
}

func (r *AccountRepository) CountActiveByCompany(ctx context.Context, projectID string, companyIDs []string) (map[string]int, error) {
	out := map[string]int{}
	for chunk := range slices.Chunk(companyIDs, maxInKeys) {
		var rows []struct {
			CompanyID string
			N         int
		}
		err := r.s.conn(ctx).Model(&accountRow{}).Select("company_id, COUNT(*) AS n").
			Where("project_id = ? AND status = ? AND company_id IN ?", projectID, string(account.StatusActive), chunk).
			Group("company_id").Scan(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("count active accounts by company: %w", r.s.translate(err))
		}
		for _, row := range rows {
			out[row.CompanyID] = row.N
		}
	}
	return out, nil
}

func (r *AccountRepository) InsertAccounts(ctx context.Context, accounts []account.Account) error {
	rows := make([]accountRow, len(accounts))
	for i, a := range accounts {
		rows[i] = toAccountRow(a)
	}
	return insertRows(ctx, r.s, "insert accounts", accountsTable, "", rows)
}

// UpdateAccountStatuses writes one UPDATE per (status, update time) group,
// in chunks of ids: a bulk call changes its accounts at one instant, so it
// costs at most three statements whatever its size.
func (r *AccountRepository) UpdateAccountStatuses(ctx context.Context, accounts []account.Account) error {
	type group struct {
		status string
		at     time.Time
	}
	ids := map[group][]string{}
	var order []group
	for _, a := range accounts {
		g := group{string(a.Status()), a.UpdatedAt()}
		if _, ok := ids[g]; !ok {
			order = append(order, g)
		}
		ids[g] = append(ids[g], a.ID())
	}
	for _, g := range order {
		list := ids[g]
		slices.Sort(list)
		for chunk := range slices.Chunk(list, maxInKeys) {
			err := r.s.conn(ctx).Model(&accountRow{}).Where("id IN ?", chunk).
				Updates(map[string]any{"status": g.status, "updated_at": g.at}).Error
			if err != nil {
				return fmt.Errorf("update account statuses: %w", r.s.translate(err))
			}
		}
	}
	return nil
}

func (r *AccountRepository) ListAccounts(ctx context.Context, projectID string, f ports.AccountFilter) ([]account.Account, int, error) {
	filtered := func() *gorm.DB {
		q := r.s.conn(ctx).Model(&accountRow{}).Where("project_id = ?", projectID)
		if f.CompanyID != "" {
			q = q.Where("company_id = ?", f.CompanyID)
		}
		if f.Status != nil {
			q = q.Where("status = ?", string(*f.Status))
		}
		return q
	}
	var total int64
	if err := filtered().Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("count accounts: %w", r.s.translate(err))
	}
	var rows []accountRow
	if err := filtered().Order("login_key").Limit(f.Limit).Offset(f.Offset).Find(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("list accounts: %w", r.s.translate(err))
	}
	out := make([]account.Account, len(rows))
	for i, row := range rows {
		out[i] = row.toDomain()
	}
	return out, int(total), nil
}
