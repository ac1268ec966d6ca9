package httpapi

import (
	"log/slog"

	"github.com/gin-gonic/gin"
	"go.uber.org/fx"

	"github.com/parc-hq/parc/app"
	"github.com/parc-hq/parc/ports"
)

type servicesIn struct {
	fx.In
	Health    ports.HealthChecker
	Tenants   *app.TenantService
	Projects  *app.ProjectService
	Clients   *app.ClientService
	DataSets  *app.DataSetService
	Inventory *app.InventoryService
	Agents    *app.AgentService
	Accounts  *app.AccountService
}

// Module provides the engine and a server started and stopped with the
// application's lifecycle. It needs a Config and the app services.
var Module = fx.Module("http",
	fx.Provide(
		func(cfg Config, log *slog.Logger, in servicesIn) *gin.Engine {
			return NewEngine(cfg, log, Services{Health: in.Health, Tenants: in.Tenants, Projects: in.Projects,
				Inventory: in.Inventory, Agents: in.Agents, Clients: in.Clients, DataSets: in.DataSets, Accounts: in.Accounts})
		},
		NewServer,
	),
	fx.Invoke(func(lc fx.Lifecycle, s *Server) { lc.Append(fx.StartStopHook(s.Start, s.Stop)) }),
)
