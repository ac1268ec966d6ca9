package gormstore

import (
	"go.uber.org/fx"

	"github.com/parc-hq/parc/ports"
)

// Module provides the store and every repository port it implements. It
// needs a *gorm.DB (see the database package).
var Module = fx.Module("gormstore",
	fx.Provide(
		New,
		func(s *Store) ports.Transactor { return s },
		func(s *Store) ports.HealthChecker { return s },
		NewTenantRepository,
		func(r *TenantRepository) ports.CompanyRepository { return r },
		func(r *TenantRepository) ports.APIKeyRepository { return r },
		NewProjectRepository,
		func(r *ProjectRepository) ports.ProjectRepository { return r },
		NewAccountRepository,
		func(r *AccountRepository) ports.AccountRepository { return r },
		NewClientRepository,
		func(r *ClientRepository) ports.ClientRepository { return r },
		func(r *ClientRepository) ports.SiteRepository { return r },
		NewEquipmentRepository,
		func(r *EquipmentRepository) ports.EquipmentRepository { return r },
		func(r *EquipmentRepository) ports.AgentEquipmentRepository { return r },
		NewInventoryRepository,
		func(r *InventoryRepository) ports.InventoryRepository { return r },
		NewDataSetRepository,
		func(r *DataSetRepository) ports.DataSetRepository { return r },
	),
)
