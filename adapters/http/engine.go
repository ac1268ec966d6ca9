// Package httpapi is Parc's HTTP adapter: a Gin engine exposing the use cases
// of package app, with its middleware, handlers, DTOs and OpenAPI document.
package httpapi

import (
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

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
}

// Services are the use cases the API exposes.
type Services struct {
	Health   ports.HealthChecker
	Tenants  *app.TenantService
	Projects *app.ProjectService
	DataSets *app.DataSetService
	// ProjectGuard vets project updates (licence counts); nil accepts all.
	ProjectGuard app.ProjectGuard
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

	limited := e.Group("/", bodyLimit(cfg.BodyLimit))
	admin := limited.Group("/admin", requireAdmin(cfg.AdminToken))
	registerAdminRoutes(admin, svc.Tenants)
	registerProjectAdminRoutes(admin, svc.Projects, svc.ProjectGuard)

	api := limited.Group("/", requireCompany(svc.Tenants, writeError))
	registerMeRoutes(api)
	registerDataSetRoutes(api, svc.DataSets)
	return e
}
