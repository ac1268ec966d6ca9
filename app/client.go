package app

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/parc-hq/parc/domain/client"
	"github.com/parc-hq/parc/ports"
)

// ClientService manages a company's clients, their sites and the equipment
// on those sites (seed 001). Every call is scoped to the caller's company:
// another company's ids are not found.
type ClientService struct {
	clients   ports.ClientRepository
	sites     ports.SiteRepository
	equipment ports.EquipmentRepository
	tx        ports.Transactor
	clock     ports.Clock
	ids       ports.IDGenerator
	log       *slog.Logger
}

// NewClientService builds the service.
func NewClientService(clients ports.ClientRepository, sites ports.SiteRepository, equipment ports.EquipmentRepository,
	tx ports.Transactor, clock ports.Clock, ids ports.IDGenerator, log *slog.Logger) *ClientService {
	return &ClientService{clients: clients, sites: sites, equipment: equipment, tx: tx, clock: clock, ids: ids, log: log}
}

// Register creates an active client; it has no site yet, so its counts are 0.
func (s *ClientService) Register(ctx context.Context, companyID, nom string, code int64) (client.Summary, error) {
	c, err := client.New(s.ids.NewID(), companyID, nom, code, s.clock.Now())
	if err != nil {
		return client.Summary{}, err
	}
	if err := s.clients.CreateClient(ctx, c); err != nil {
		return client.Summary{}, fmt.Errorf("register client: %w", err)
	}
	s.log.InfoContext(ctx, "client registered", "company_id", companyID, "client_id", c.ID(), "code", code)
	return client.Summary{Client: c}, nil
}

// Update replaces a client's name and code.
func (s *ClientService) Update(ctx context.Context, companyID, id, nom string, code int64) (client.Summary, error) {
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		c, err := s.clients.LockClient(ctx, companyID, id)
		if err != nil {
			return err
		}
		if err := c.Update(nom, code); err != nil {
			return err
		}
		return s.clients.SaveClient(ctx, c)
	})
	if err != nil {
		return client.Summary{}, fmt.Errorf("update client: %w", err)
	}
	return s.clients.ClientSummary(ctx, companyID, id)
}

// Deactivate marks a client inactive; it and its sites stay stored.
func (s *ClientService) Deactivate(ctx context.Context, companyID, id string) error {
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		c, err := s.clients.LockClient(ctx, companyID, id)
		if err != nil {
			return err
		}
		c.Deactivate()
		return s.clients.SaveClient(ctx, c)
	})
	if err != nil {
		return fmt.Errorf("deactivate client: %w", err)
	}
	s.log.InfoContext(ctx, "client deactivated", "company_id", companyID, "client_id", id)
	return nil
}

// Clients lists a page of the company's clients with their counts, and the
// number of clients the query selects without its page.
func (s *ClientService) Clients(ctx context.Context, companyID string, q ports.ClientQuery) ([]client.Summary, int, error) {
	list, total, err := s.clients.ClientSummaries(ctx, companyID, q)
	if err != nil {
		return nil, 0, fmt.Errorf("list clients: %w", err)
	}
	return list, total, nil
}

// Client is one client with its active sites and their counts.
func (s *ClientService) Client(ctx context.Context, companyID, id string) (client.Detail, error) {
	return s.clients.ClientDetail(ctx, companyID, id)
}

// CreateSite adds an active site to an active client.
func (s *ClientService) CreateSite(ctx context.Context, companyID, clientID, nom string) (client.SiteSummary, error) {
	var site client.Site
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		// The lock keeps the client from being deactivated meanwhile.
		owner, err := s.clients.LockClient(ctx, companyID, clientID)
		if err != nil {
			return err
		}
		site, err = client.NewSite(s.ids.NewID(), owner, nom, s.clock.Now())
		if err != nil {
			return err
		}
		return s.sites.CreateSite(ctx, site)
	})
	if err != nil {
		return client.SiteSummary{}, fmt.Errorf("create site: %w", err)
	}
	return client.SiteSummary{Site: site}, nil
}

// Sites lists a client's sites of every status, with their counts.
func (s *ClientService) Sites(ctx context.Context, companyID, clientID string) ([]client.SiteSummary, error) {
	// The client's existence is checked first so that an unknown client is
	// 404, not an empty list.
	if _, err := s.clients.ClientSummary(ctx, companyID, clientID); err != nil {
		return nil, err
	}
	return s.sites.SitesOfClient(ctx, companyID, clientID)
}

// RenameSite changes a site's name.
func (s *ClientService) RenameSite(ctx context.Context, companyID, id, nom string) (client.SiteSummary, error) {
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		site, err := s.sites.LockSite(ctx, companyID, id)
		if err != nil {
			return err
		}
		if err := site.Rename(nom); err != nil {
			return err
		}
		return s.sites.SaveSite(ctx, site)
	})
	if err != nil {
		return client.SiteSummary{}, fmt.Errorf("rename site: %w", err)
	}
	return s.sites.SiteSummary(ctx, companyID, id)
}

// DeactivateSite marks a site inactive; its equipment stays assigned to it.
func (s *ClientService) DeactivateSite(ctx context.Context, companyID, id string) error {
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		site, err := s.sites.LockSite(ctx, companyID, id)
		if err != nil {
			return err
		}
		site.Deactivate()
		return s.sites.SaveSite(ctx, site)
	})
	if err != nil {
		return fmt.Errorf("deactivate site: %w", err)
	}
	return nil
}

// CreateEquipment adds an active equipment on an active site.
func (s *ClientService) CreateEquipment(ctx context.Context, companyID, siteID string, spec client.EquipmentSpec) (client.Equipment, error) {
	var e client.Equipment
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		site, owner, err := s.lockSiteAndClient(ctx, companyID, siteID)
		if err != nil {
			return err
		}
		e, err = client.NewEquipment(s.ids.NewID(), companyID, spec, s.clock.Now())
		if err != nil {
			return err
		}
		if err := e.MoveTo(site, owner); err != nil {
			return err
		}
		return s.equipment.CreateEquipment(ctx, e)
	})
	if err != nil {
		return client.Equipment{}, fmt.Errorf("create equipment: %w", err)
	}
	return e, nil
}

// lockSiteAndClient locks a site, then its client: equipment may be placed
// only on an active site of an active client. Sites are always locked before
// their client here, and no use case locks a client then one of its existing
// sites, so the two locks cannot deadlock.
func (s *ClientService) lockSiteAndClient(ctx context.Context, companyID, siteID string) (client.Site, client.Client, error) {
	site, err := s.sites.LockSite(ctx, companyID, siteID)
	if err != nil {
		return client.Site{}, client.Client{}, err
	}
	owner, err := s.clients.LockClient(ctx, companyID, site.ClientID())
	if err != nil {
		return client.Site{}, client.Client{}, err
	}
	return site, owner, nil
}

// EquipmentOfSite lists the equipment of a site, every status, by name.
func (s *ClientService) EquipmentOfSite(ctx context.Context, companyID, siteID string, q ports.EquipmentQuery) ([]client.Equipment, int, error) {
	if _, err := s.sites.SiteSummary(ctx, companyID, siteID); err != nil {
		return nil, 0, err
	}
	q.SiteID, q.Unassigned = siteID, false
	return s.Equipment(ctx, companyID, q)
}

// Equipment lists a page of the company's equipment.
func (s *ClientService) Equipment(ctx context.Context, companyID string, q ports.EquipmentQuery) ([]client.Equipment, int, error) {
	list, total, err := s.equipment.ListEquipment(ctx, companyID, q)
	if err != nil {
		return nil, 0, fmt.Errorf("list equipment: %w", err)
	}
	return list, total, nil
}

// EquipmentUpdate is a partial change of an equipment: nil fields stay.
type EquipmentUpdate struct {
	client.EquipmentChange
	// SiteID moves the equipment: a site id places it there, "" takes it
	// off its site; nil leaves it where it is.
	SiteID *string
}

// UpdateEquipment renames, retypes, readdresses or moves an equipment.
func (s *ClientService) UpdateEquipment(ctx context.Context, companyID, id string, up EquipmentUpdate) (client.Equipment, error) {
	var e client.Equipment
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		var err error
		e, err = s.equipment.LockEquipment(ctx, companyID, id)
		if err != nil {
			return err
		}
		if err := e.Update(up.EquipmentChange); err != nil {
			return err
		}
		switch {
		case up.SiteID == nil:
		case *up.SiteID == "":
			e.Unassign()
		case *up.SiteID != e.SiteID():
			site, owner, err := s.lockSiteAndClient(ctx, companyID, *up.SiteID)
			if err != nil {
				return err
			}
			if err := e.MoveTo(site, owner); err != nil {
				return err
			}
		}
		return s.equipment.SaveEquipment(ctx, e)
	})
	if err != nil {
		return client.Equipment{}, fmt.Errorf("update equipment: %w", err)
	}
	return e, nil
}

// DeactivateEquipment marks an equipment inactive; it keeps its site and name.
func (s *ClientService) DeactivateEquipment(ctx context.Context, companyID, id string) error {
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		e, err := s.equipment.LockEquipment(ctx, companyID, id)
		if err != nil {
			return err
		}
		e.Deactivate()
		return s.equipment.SaveEquipment(ctx, e)
	})
	if err != nil {
		return fmt.Errorf("deactivate equipment: %w", err)
	}
	return nil
}
