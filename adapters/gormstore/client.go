package gormstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/parc-hq/parc/domain/client"
	"github.com/parc-hq/parc/ports"
)

var clientModels = []any{&clientRow{}, &siteRow{}}

// clientRow is a client. Codes are unique per company, whatever the status;
// the second index serves listings filtered by status in code order.
type clientRow struct {
	ID        string    `gorm:"primaryKey;size:36"`
	CompanyID string    `gorm:"size:36;not null;uniqueIndex:ux_clients_code,priority:1;index:ix_clients_status,priority:1"`
	Nom       string    `gorm:"size:200;not null"`
	Code      int64     `gorm:"not null;uniqueIndex:ux_clients_code,priority:2;index:ix_clients_status,priority:3"`
	Status    string    `gorm:"size:16;not null;index:ix_clients_status,priority:2"`
	CreatedAt time.Time `gorm:"not null;precision:6"`
	UpdatedAt time.Time `gorm:"not null;precision:6"`
	LockCount int64     `gorm:"not null;default:0"` // see writeLock
}

func (clientRow) TableName() string { return "clients" }

func toClientRow(c client.Client) clientRow {
	return clientRow{ID: c.ID(), CompanyID: c.CompanyID(), Nom: c.Nom(), Code: c.Code(), Status: string(c.Status()), CreatedAt: c.CreatedAt(), UpdatedAt: c.CreatedAt()}
}

func (r clientRow) toDomain() client.Client {
	return client.Restore(client.Record{ID: r.ID, CompanyID: r.CompanyID, Nom: r.Nom, Code: r.Code, Status: client.Status(r.Status), CreatedAt: r.CreatedAt})
}

// siteRow is a site of a client. The index serves the counts, which join
// sites to their client and keep the active ones.
type siteRow struct {
	ID        string    `gorm:"primaryKey;size:36"`
	CompanyID string    `gorm:"size:36;not null"`
	ClientID  string    `gorm:"size:36;not null;index:ix_sites_client,priority:1"`
	Nom       string    `gorm:"size:200;not null"`
	Status    string    `gorm:"size:16;not null;index:ix_sites_client,priority:2"`
	CreatedAt time.Time `gorm:"not null;precision:6"`
	UpdatedAt time.Time `gorm:"not null;precision:6"`
	LockCount int64     `gorm:"not null;default:0"` // see writeLock
}

func (siteRow) TableName() string { return "sites" }

func toSiteRow(s client.Site) siteRow {
	return siteRow{ID: s.ID(), CompanyID: s.CompanyID(), ClientID: s.ClientID(), Nom: s.Nom(), Status: string(s.Status()), CreatedAt: s.CreatedAt(), UpdatedAt: s.CreatedAt()}
}

func (r siteRow) toDomain() client.Site {
	return client.RestoreSite(client.SiteRecord{ID: r.ID, CompanyID: r.CompanyID, ClientID: r.ClientID, Nom: r.Nom, Status: client.Status(r.Status), CreatedAt: r.CreatedAt})
}

// ClientRepository implements ports.ClientRepository and ports.SiteRepository.
type ClientRepository struct {
	s     *Store
	clock ports.Clock // stamps updated_at
}

// NewClientRepository builds the repository on a store.
func NewClientRepository(s *Store, clock ports.Clock) *ClientRepository {
	return &ClientRepository{s: s, clock: clock}
}

var (
	_ ports.ClientRepository = (*ClientRepository)(nil)
	_ ports.SiteRepository   = (*ClientRepository)(nil)
)

func (r *ClientRepository) CreateClient(ctx context.Context, c client.Client) error {
	row := toClientRow(c)
	if err := r.s.conn(ctx).Create(&row).Error; err != nil {
		return r.clientWriteError("insert client", c, err)
	}
	return nil
}

func (r *ClientRepository) SaveClient(ctx context.Context, c client.Client) error {
	err := r.s.conn(ctx).Model(&clientRow{}).Where("company_id = ? AND id = ?", c.CompanyID(), c.ID()).
		Updates(map[string]any{"nom": c.Nom(), "code": c.Code(), "status": string(c.Status()), "updated_at": r.clock.Now().UTC()}).Error
	if err != nil {
		return r.clientWriteError("update client", c, err)
	}
	return nil
}

func (r *ClientRepository) clientWriteError(what string, c client.Client, err error) error {
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return client.CodeTaken(c.Code())
	}
	return fmt.Errorf("%s: %w", what, r.s.translate(err))
}

func (r *ClientRepository) LockClient(ctx context.Context, companyID, id string) (client.Client, error) {
	row, err := lockByID[clientRow](ctx, r.s, "client", companyID, id)
	if err != nil {
		return client.Client{}, err
	}
	if row == nil {
		return client.Client{}, client.ClientNotFound(id)
	}
	return row.toDomain(), nil
}

// summaryRow is a client with its counts, as the aggregate query returns it.
// (Flat: GORM does not map the fields of an unexported embedded struct.)
type summaryRow struct {
	ID, CompanyID, Nom, Status string
	Code                       int64
	CreatedAt                  time.Time
	Sites, Equipements         int
}

// summarySQL counts, for each client the inner query selects, its active
// sites and the active equipment on them, in one statement whatever the
// number of clients. The page is cut first and each count is an aggregate
// correlated to its client through the (client_id, status) index, so a page
// costs the same on a small company and on a large one. (A GROUP BY over
// LEFT JOINs gives the same answer, but PostgreSQL's planner then hashes
// every site of the company: twice as slow at 30,000 sites, and growing.)
const summarySQL = `SELECT c.id, c.company_id, c.nom, c.code, c.status, c.created_at,
	(SELECT COUNT(*) FROM sites s WHERE s.client_id = c.id AND s.status = 'active') AS sites,
	(SELECT COUNT(*) FROM sites s
		JOIN equipment e ON e.company_id = s.company_id AND e.site_id = s.id AND e.status = 'active'
		WHERE s.client_id = c.id AND s.status = 'active') AS equipements
FROM (%s) c
ORDER BY c.code`

const clientColumns = "id, company_id, nom, code, status, created_at"

func (r *ClientRepository) ClientSummaries(ctx context.Context, companyID string, q ports.ClientQuery) ([]client.Summary, int, error) {
	where, args := "company_id = ?", []any{companyID}
	if q.Status != nil {
		where += " AND status = ?"
		args = append(args, string(*q.Status))
	}
	inner := "SELECT " + clientColumns + " FROM clients WHERE " + where + " ORDER BY code"
	pageArgs := append([]any{}, args...)
	paged := q.Limit > 0 || q.Offset > 0
	if paged {
		inner += " LIMIT ? OFFSET ?"
		pageArgs = append(pageArgs, pageLimit(q.Limit), q.Offset)
	}
	list, err := r.summaries(ctx, inner, pageArgs)
	if err != nil {
		return nil, 0, err
	}
	total := len(list)
	if paged {
		var n int64
		if err := r.s.conn(ctx).Model(&clientRow{}).Where(where, args...).Count(&n).Error; err != nil {
			return nil, 0, fmt.Errorf("count clients: %w", r.s.translate(err))
		}
		total = int(n)
	}
	return list, total, nil
}

func (r *ClientRepository) ClientSummary(ctx context.Context, companyID, id string) (client.Summary, error) {
	list, err := r.summaries(ctx, "SELECT "+clientColumns+" FROM clients WHERE company_id = ? AND id = ?", []any{companyID, id})
	if err != nil {
		return client.Summary{}, err
	}
	if len(list) == 0 {
		return client.Summary{}, client.ClientNotFound(id)
	}
	return list[0], nil
}

func (r *ClientRepository) summaries(ctx context.Context, inner string, args []any) ([]client.Summary, error) {
	var rows []summaryRow
	if err := r.s.conn(ctx).Raw(fmt.Sprintf(summarySQL, inner), args...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("list clients with counts: %w", r.s.translate(err))
	}
	out := make([]client.Summary, len(rows))
	for i, row := range rows {
		c := clientRow{ID: row.ID, CompanyID: row.CompanyID, Nom: row.Nom, Code: row.Code, Status: row.Status, CreatedAt: row.CreatedAt}
		out[i] = client.Summary{Client: c.toDomain(), Sites: row.Sites, Equipements: row.Equipements}
	}
	return out, nil
}

func (r *ClientRepository) ClientDetail(ctx context.Context, companyID, id string) (client.Detail, error) {
	var rows []clientRow
	if err := r.s.conn(ctx).Where("company_id = ? AND id = ?", companyID, id).Limit(1).Find(&rows).Error; err != nil {
		return client.Detail{}, fmt.Errorf("find client %s: %w", id, r.s.translate(err))
	}
	if len(rows) == 0 {
		return client.Detail{}, client.ClientNotFound(id)
	}
	sites, err := r.siteSummaries(ctx, "s.company_id = ? AND s.client_id = ? AND s.status = 'active'", companyID, id)
	if err != nil {
		return client.Detail{}, err
	}
	return client.Detail{Client: rows[0].toDomain(), Sites: sites}, nil
}

func (r *ClientRepository) CreateSite(ctx context.Context, s client.Site) error {
	row := toSiteRow(s)
	if err := r.s.conn(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("insert site: %w", r.s.translate(err))
	}
	return nil
}

func (r *ClientRepository) SaveSite(ctx context.Context, s client.Site) error {
	err := r.s.conn(ctx).Model(&siteRow{}).Where("company_id = ? AND id = ?", s.CompanyID(), s.ID()).
		Updates(map[string]any{"nom": s.Nom(), "status": string(s.Status()), "updated_at": r.clock.Now().UTC()}).Error
	if err != nil {
		return fmt.Errorf("update site: %w", r.s.translate(err))
	}
	return nil
}

func (r *ClientRepository) LockSite(ctx context.Context, companyID, id string) (client.Site, error) {
	row, err := lockByID[siteRow](ctx, r.s, "site", companyID, id)
	if err != nil {
		return client.Site{}, err
	}
	if row == nil {
		return client.Site{}, client.SiteNotFound(id)
	}
	return row.toDomain(), nil
}

func (r *ClientRepository) SiteSummary(ctx context.Context, companyID, id string) (client.SiteSummary, error) {
	list, err := r.siteSummaries(ctx, "s.company_id = ? AND s.id = ?", companyID, id)
	if err != nil {
		return client.SiteSummary{}, err
	}
	if len(list) == 0 {
		return client.SiteSummary{}, client.SiteNotFound(id)
	}
	return list[0], nil
}

func (r *ClientRepository) SitesOfClient(ctx context.Context, companyID, clientID string) ([]client.SiteSummary, error) {
	return r.siteSummaries(ctx, "s.company_id = ? AND s.client_id = ?", companyID, clientID)
}

type siteSummaryRow struct {
	ID, CompanyID, ClientID, Nom, Status string
	CreatedAt                            time.Time
	Equipements                          int
}

// siteSummarySQL counts the active equipment of each selected site in one
// statement.
const siteSummarySQL = `SELECT s.id, s.company_id, s.client_id, s.nom, s.status, s.created_at,
	COUNT(e.id) AS equipements
FROM sites s
LEFT JOIN equipment e ON e.company_id = s.company_id AND e.site_id = s.id AND e.status = 'active'
WHERE %s
GROUP BY s.id, s.company_id, s.client_id, s.nom, s.status, s.created_at
ORDER BY s.nom, s.id`

func (r *ClientRepository) siteSummaries(ctx context.Context, where string, args ...any) ([]client.SiteSummary, error) {
	var rows []siteSummaryRow
	if err := r.s.conn(ctx).Raw(fmt.Sprintf(siteSummarySQL, where), args...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("list sites with counts: %w", r.s.translate(err))
	}
	out := make([]client.SiteSummary, len(rows))
	for i, row := range rows {
		site := siteRow{ID: row.ID, CompanyID: row.CompanyID, ClientID: row.ClientID, Nom: row.Nom, Status: row.Status, CreatedAt: row.CreatedAt}
		out[i] = client.SiteSummary{Site: site.toDomain(), Equipements: row.Equipements}
	}
	return out, nil
}

// pageLimit is the LIMIT of a query that has an offset but no limit: MySQL
// accepts no OFFSET without a LIMIT.
func pageLimit(limit int) int {
	if limit > 0 {
		return limit
	}
	return 1<<31 - 1
}
