package gormstore

import "github.com/parc-hq/parc/ports"

// The ports each type implements, checked by the compiler: a method that
// drifts from its port fails the build here, not at wiring time.
var (
	_ ports.Transactor               = (*Store)(nil)
	_ ports.HealthChecker            = (*Store)(nil)
	_ ports.CompanyRepository        = (*TenantRepository)(nil)
	_ ports.APIKeyRepository         = (*TenantRepository)(nil)
	_ ports.ProjectRepository        = (*ProjectRepository)(nil)
	_ ports.AccountRepository        = (*AccountRepository)(nil)
	_ ports.ClientRepository         = (*ClientRepository)(nil)
	_ ports.SiteRepository           = (*ClientRepository)(nil)
	_ ports.EquipmentRepository      = (*EquipmentRepository)(nil)
	_ ports.AgentEquipmentRepository = (*EquipmentRepository)(nil)
	_ ports.InventoryRepository      = (*InventoryRepository)(nil)
	_ ports.DataSetRepository        = (*DataSetRepository)(nil)
)
