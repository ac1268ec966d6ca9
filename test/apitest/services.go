package apitest

import (
	"log/slog"

	"github.com/parc-hq/parc/adapters/gormstore"
	httpapi "github.com/parc-hq/parc/adapters/http"
	"github.com/parc-hq/parc/adapters/system"
	"github.com/parc-hq/parc/app"
	"github.com/parc-hq/parc/test/dbtest"
)

// Services wires the real use cases on the target's store, by hand: the
// same graph the fx modules build (see cmd/parc), without the container.
func Services(target *dbtest.Target, log *slog.Logger) httpapi.Services {
	store := target.Store
	clock, ids := system.Clock{}, system.UUIDs{}
	tenants := gormstore.NewTenantRepository(store)
	projects := gormstore.NewProjectRepository(store)
	clients, equipment := gormstore.NewClientRepository(store, clock), gormstore.NewEquipmentRepository(store, clock)
	accountRepo := gormstore.NewAccountRepository(store)
	projectService := app.NewProjectService(projects, tenants, accountRepo, store, clock, ids, log)
	accounts := app.NewAccountService(accountRepo, projects, tenants, projectService, store, clock, ids, log)
	return httpapi.Services{
		Health:    store,
		Tenants:   app.NewTenantService(tenants, tenants, store, clock, ids, log),
		Projects:  projectService,
		Inventory: app.NewInventoryService(gormstore.NewInventoryRepository(store), store, clock, ids, log),
		Agents: app.NewAgentService(gormstore.NewInventoryRepository(store), equipment, equipment, clients, clients,
			store, clock, ids, log),
		Clients:  app.NewClientService(clients, clients, equipment, store, clock, ids, log),
		DataSets: app.NewDataSetService(gormstore.NewDataSetRepository(store), projectService, store, clock, log),
		Accounts: accounts,
	}
}
