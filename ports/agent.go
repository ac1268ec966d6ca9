package ports

import (
	"context"

	"github.com/parc-hq/parc/domain/client"
)

// AgentEquipmentRepository keeps what inventory agents report about a
// company's equipment, scoped to the company like EquipmentRepository.
type AgentEquipmentRepository interface {
	// SaveInventory writes what an agent's inventory sets on a stored
	// equipment: its serial, the other facts, the time of the inventory
	// and its site (an agent's tag may place it).
	SaveInventory(ctx context.Context, e client.Equipment) error
	// SitesNamed lists the company's sites, of any status, whose name is
	// the same as name by client.SameName.
	SitesNamed(ctx context.Context, companyID, name string) ([]client.Site, error)
}
