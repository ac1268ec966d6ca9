package app

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/parc-hq/parc/domain/client"
	"github.com/parc-hq/parc/domain/inventory"
	"github.com/parc-hq/parc/ports"
)

// AgentService takes in the inventories that deployed inventory agents (OCS
// Inventory, FusionInventory, GLPI Agent) send of their computer: the same
// computers, installations and history as the JSON push, plus what the agent
// says of the machine.
type AgentService struct {
	inventory ports.InventoryRepository
	equipment ports.EquipmentRepository
	facts     ports.AgentEquipmentRepository
	sites     ports.SiteRepository
	clients   ports.ClientRepository
	tx        ports.Transactor
	clock     ports.Clock
	ids       ports.IDGenerator
	log       *slog.Logger
}

// NewAgentService builds the service.
func NewAgentService(inv ports.InventoryRepository, equipment ports.EquipmentRepository, facts ports.AgentEquipmentRepository,
	sites ports.SiteRepository, clients ports.ClientRepository, tx ports.Transactor, clock ports.Clock, ids ports.IDGenerator, log *slog.Logger) *AgentService {
	return &AgentService{inventory: inv, equipment: equipment, facts: facts, sites: sites, clients: clients,
		tx: tx, clock: clock, ids: ids, log: log}
}

// AgentResult says what an agent's inventory did.
type AgentResult struct {
	EquipmentID string
	Installed   int
	Updated     int
	Removed     int
	Unchanged   int
	Placed      bool // the tag placed the computer on a site
}

// Inventory stores an agent's report of one computer in one transaction, as
// a full snapshot: the computer is found or created as the JSON push does,
// its software list replaces the stored one (what it no longer lists is
// marked removed, with history) through the push's merge and write path,
// and its facts are kept on the equipment. A tag naming exactly one active
// site of the company places a computer that is on no site yet. A report
// listing no software removes nothing: an agent that failed to read the
// package list has not seen everything uninstalled.
func (s *AgentService) Inventory(ctx context.Context, companyID string, r inventory.Report) (AgentResult, error) {
	records, err := inventory.ReportRecords(r)
	if err != nil {
		return AgentResult{}, err
	}
	computer := inventory.NewComputerName(client.Fit(r.Computer, inventory.MaxComputerNameLen))
	var res AgentResult
	err = s.tx.Within(ctx, func(ctx context.Context) error {
		res = AgentResult{}
		now := s.clock.Now()
		ids, err := s.inventory.TouchComputers(ctx, companyID, []inventory.Computer{{Name: computer, IP: r.IP}}, s.ids, now)
		if err != nil {
			return err
		}
		res.EquipmentID = ids[computer.Key()]
		e, err := s.equipment.LockEquipment(ctx, companyID, res.EquipmentID)
		if err != nil {
			return err
		}
		e.RecordInventory(r.Facts, now)
		if res.Placed, err = s.placeByTag(ctx, &e); err != nil {
			return err
		}
		if err := s.facts.SaveInventory(ctx, e); err != nil {
			return err
		}
		desired := make([]inventory.Desired, len(records))
		for i, rec := range records {
			desired[i] = inventory.Desired{ComputerID: res.EquipmentID, Program: rec.Program, Version: rec.Version}
		}
		plan, err := writeInstallations(ctx, s.inventory, companyID, []string{res.EquipmentID}, nil, desired, inventory.Trim{Full: true}, now)
		res.Installed, res.Updated, res.Removed, res.Unchanged = len(plan.Installs)+len(plan.Reinstalls), len(plan.Updates), len(plan.Removals), plan.Unchanged
		return err
	})
	if err != nil {
		return AgentResult{}, fmt.Errorf("agent inventory of %q: %w", computer.Display(), err)
	}
	s.log.DebugContext(ctx, "agent inventory stored", "company", companyID, "equipment", res.EquipmentID, "agent", r.Facts.Agent,
		"installed", res.Installed, "updated", res.Updated, "removed", res.Removed, "unchanged", res.Unchanged, "placed", res.Placed)
	return res, nil
}

// placeByTag puts an equipment that is on no site on the site its agent's
// tag names, when exactly one active site of an active client bears that
// name. Otherwise the tag is only kept. The site and its client are locked
// after the equipment, the order ClientService uses when it moves one.
func (s *AgentService) placeByTag(ctx context.Context, e *client.Equipment) (bool, error) {
	tag := e.Facts().Tag
	if e.SiteID() != "" || tag == "" {
		return false, nil
	}
	candidates, err := s.facts.SitesNamed(ctx, e.CompanyID(), tag)
	if err != nil {
		return false, err
	}
	named, ok := client.SiteByTag(candidates)
	if !ok {
		return false, nil
	}
	site, err := s.sites.LockSite(ctx, e.CompanyID(), named.ID())
	if err != nil {
		return false, err
	}
	owner, err := s.clients.LockClient(ctx, e.CompanyID(), site.ClientID())
	if err != nil {
		return false, err
	}
	if err := e.MoveTo(site, owner); err != nil {
		// An inactive client: the tag stays a tag.
		return false, nil
	}
	return true, nil
}
