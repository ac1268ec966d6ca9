// Package httpapi is Parc's HTTP adapter: a Gin engine exposing the use cases
// of package app, with its middleware, handlers, DTOs and OpenAPI document.
package httpapi

import (
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parc-hq/parc/adapters/http/agent"
	"github.com/parc-hq/parc/app"
	"github.com/parc-hq/parc/ports"
)

// DefaultBodyLimit is the largest request body accepted unless configured.
const DefaultBodyLimit = 32 << 20

// Config is the HTTP side of the configuration.
type Config struct {
	Addr       string // listen address, e.g. 127.0.0.1:8080
	AdminToken string // operator token; empty closes /admin
	BodyLimit  int64  // bytes; 0 means DefaultBodyLimit
	// TLSCertFile and TLSKeyFile (PEM), when set, make the server speak
	// HTTPS itself, for agents that reach Parc without a reverse proxy.
	TLSCertFile, TLSKeyFile string
}

// Services are the use cases the API exposes. Health and Tenants are
// required (probes, authentication, the operator's company API); an area whose
// service is nil is left out of the engine, so that a program embedding Parc
// serves only the areas it wires.
type Services struct {
	Health  ports.HealthChecker
	Tenants *app.TenantService

	Projects *app.ProjectService

	Inventory *app.InventoryService
	// Agents takes in the inventories of OCS Inventory, FusionInventory
	// and GLPI Agent (package agent).
	Agents   *app.AgentService
	Clients  *app.ClientService
	DataSets *app.DataSetService
	Accounts *app.AccountService
}

// NewEngine builds the Gin engine with every route and middleware.
func NewEngine(cfg Config, log *slog.Logger, svc Services) *gin.Engine {
	if cfg.BodyLimit <= 0 {
		cfg.BodyLimit = DefaultBodyLimit
	}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.HandleMethodNotAllowed = true
	m := newMetrics()
	e.Use(requestID(), accessLog(log), recovery(log), m.middleware())
	e.NoRoute(func(c *gin.Context) {
		writeError(c, errRouteNotFound)
	})
	e.NoMethod(func(c *gin.Context) {
		c.AbortWithStatusJSON(http.StatusMethodNotAllowed, errorBody{Error: "method_not_allowed",
			Message: c.Request.Method + " is not allowed on this path", RequestID: requestIDOf(c)})
	})

	registerSystemRoutes(e, svc.Health, m)

	// Authentication comes before the body limit: a caller without valid
	// credentials learns 401, whatever it sends.
	admin := e.Group("/admin", requireAdmin(cfg.AdminToken), bodyLimit(cfg.BodyLimit, writeError))
	registerAdminRoutes(admin, svc.Tenants)
	if svc.Projects != nil {
		registerProjectAdminRoutes(admin, svc.Projects)
	}

	// Company routes, grouped by the shape their errors take: each area's
	// body limit and authentication answer in that area's shape.
	company := func(path string, onError errorWriter) *gin.RouterGroup {
		return e.Group(path, requireCompany(svc.Tenants, onError), bodyLimit(cfg.BodyLimit, onError))
	}
	registerMeRoutes(company("/", writeError))
	if svc.Inventory != nil {
		registerInventoryRoutes(company("/client-data", writeInventoryError), svc.Inventory)
	}
	if svc.Agents != nil {
		registerAgentRoutes(e, cfg, log, svc)
	}
	if svc.Clients != nil {
		registerClientRoutes(company("/", writeFastAPIError), svc.Clients)
	}
	if svc.DataSets != nil {
		registerDataSetRoutes(company("/", writeError), svc.DataSets)
	}
	if svc.Accounts != nil {
		registerAccountRoutes(company("/", writeError), svc.Accounts)
	}
	return e
}

// AgentPaths are where the inventory agents are served: the OCS agents'
// default path, and GLPI's own inventory path, so that an agent moved from
// a GLPI server keeps its URL's path.
var AgentPaths = []string{"/ocsinventory", "/front/inventory.php"}

// registerAgentRoutes mounts the agents' protocols. They authenticate by
// themselves (HTTP Basic, with the challenge the agents need) and bound
// their bodies as sent and once inflated.
func registerAgentRoutes(e *gin.Engine, cfg Config, log *slog.Logger, svc Services) {
	h := gin.WrapH(agent.New(agent.Config{
		BodyLimit: cfg.BodyLimit,
		// The throttling of failed authentications plugs in here: it is
		// told of every refused agent credential.
		AuthFailed: nil,
	}, svc.Tenants, svc.Agents, log))
	for _, p := range AgentPaths {
		e.POST(p, h)
	}
}
