package ports

import (
	"context"

	"github.com/parc-hq/parc/domain/client"
)

// ClientQuery selects a page of a company's clients, ordered by code.
type ClientQuery struct {
	Status *client.Status // nil: every status
	Limit  int            // 0: no limit
	Offset int
}

// ClientRepository stores a company's clients. Every method is scoped to one
// company: a client of another company is client.ClientNotFound. A code the
// company already uses is client.CodeTaken.
type ClientRepository interface {
	CreateClient(ctx context.Context, c client.Client) error
	// SaveClient writes the name, code and status of a stored client.
	SaveClient(ctx context.Context, c client.Client) error
	// LockClient reads a client and holds a write lock on it until the
	// transaction of ctx ends. Call it inside Transactor.Within.
	LockClient(ctx context.Context, companyID, id string) (client.Client, error)
	// ClientSummaries returns one page of the company's clients with their
	// counts (one aggregate query, whatever the page size), and how many
	// clients the query selects without its limit and offset.
	ClientSummaries(ctx context.Context, companyID string, q ClientQuery) ([]client.Summary, int, error)
	// ClientSummary is one client with its counts.
	ClientSummary(ctx context.Context, companyID, id string) (client.Summary, error)
	// ClientDetail is one client with its active sites and their counts.
	ClientDetail(ctx context.Context, companyID, id string) (client.Detail, error)
}

// SiteRepository stores the sites of a company's clients, scoped to the
// company like ClientRepository (client.SiteNotFound otherwise).
type SiteRepository interface {
	CreateSite(ctx context.Context, s client.Site) error
	// SaveSite writes the name and status of a stored site.
	SaveSite(ctx context.Context, s client.Site) error
	// LockSite reads a site under a write lock; see LockClient.
	LockSite(ctx context.Context, companyID, id string) (client.Site, error)
	// SiteSummary is one site (of any status) with its count of active equipment.
	SiteSummary(ctx context.Context, companyID, id string) (client.SiteSummary, error)
	// SitesOfClient lists a client's sites of every status, by name, each
	// with its count of active equipment, in one aggregate query.
	SitesOfClient(ctx context.Context, companyID, clientID string) ([]client.SiteSummary, error)
}

// EquipmentQuery selects a page of a company's equipment, ordered by name.
type EquipmentQuery struct {
	SiteID     string // "": any site (or none)
	Unassigned bool   // only equipment on no site
	Status     *client.Status
	Limit      int // 0: no limit
	Offset     int
}

// EquipmentRepository stores a company's equipment, scoped to the company
// (client.EquipmentNotFound otherwise). A name whose normalised key the
// company already uses is client.NameTaken.
type EquipmentRepository interface {
	CreateEquipment(ctx context.Context, e client.Equipment) error
	// SaveEquipment writes what the clients area manages: site, name, type,
	// serial, address and status. LastSeen belongs to the inventory push.
	SaveEquipment(ctx context.Context, e client.Equipment) error
	// LockEquipment reads an equipment under a write lock; see LockClient.
	LockEquipment(ctx context.Context, companyID, id string) (client.Equipment, error)
	// ListEquipment returns one page and the number selected without the page.
	ListEquipment(ctx context.Context, companyID string, q EquipmentQuery) ([]client.Equipment, int, error)
}
