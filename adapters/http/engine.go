// Package httpapi is Parc's HTTP adapter: a Gin engine exposing the use cases
// of package app, with its middleware, handlers, DTOs and OpenAPI document.
package httpapi

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parc-hq/parc/adapters/http/agent"
	"github.com/parc-hq/parc/app"
	"github.com/parc-hq/parc/ports"
)

// Config is the HTTP side of the configuration.
type Config struct {
	Addr       string // listen address, e.g. 127.0.0.1:8080
	AdminToken string // operator token; empty closes /admin
	BodyLimit  int64  // bytes; 0 means DefaultBodyLimit
	// BodyBudget is the request body bytes read or held at once across the
	// process; 0 means DefaultBodyBudget.
	BodyBudget int64
	// BodyTimeout is how long a request body may take to arrive (408 past
	// it); RequestTimeout bounds the handling of a request, body included;
	// WriteTimeout is the time left after it to write the answer. 0 means
	// the defaults.
	BodyTimeout    time.Duration
	RequestTimeout time.Duration
	WriteTimeout   time.Duration
	// TrustedProxies are the addresses or CIDR ranges whose
	// X-Forwarded-For / X-Real-IP headers name the client; from any other
	// peer they are ignored. Empty trusts none.
	TrustedProxies []string
	// MaxValueBytes bounds one JSON string of a request, and one data-set
	// row in all (422 past it), well below what any backend takes in one
	// statement; MaxProblems bounds the problems one error answer lists. 0
	// means the defaults.
	MaxValueBytes int
	MaxProblems   int
	// AuthFailuresPerMinute is the failed authentications allowed to one
	// client address, and to one key prefix, a minute after a burst of as
	// many; past it 429. 0 means DefaultAuthFailures.
	AuthFailuresPerMinute int
	// TLSCertFile and TLSKeyFile (PEM), when set, make the server speak
	// HTTPS itself, for agents that reach Parc without a reverse proxy.
	TLSCertFile, TLSKeyFile string
}

// withDefaults fills the zero fields with their defaults.
func (cfg Config) withDefaults() Config {
	set := func(v *int64, def int64) {
		if *v <= 0 {
			*v = def
		}
	}
	setDur := func(v *time.Duration, def time.Duration) {
		if *v <= 0 {
			*v = def
		}
	}
	set(&cfg.BodyLimit, DefaultBodyLimit)
	set(&cfg.BodyBudget, DefaultBodyBudget)
	setDur(&cfg.BodyTimeout, DefaultBodyTimeout)
	setDur(&cfg.RequestTimeout, DefaultRequestTimeout)
	setDur(&cfg.WriteTimeout, DefaultWriteTimeout)
	if cfg.MaxValueBytes <= 0 {
		cfg.MaxValueBytes = DefaultMaxValue
	}
	if cfg.AuthFailuresPerMinute <= 0 {
		cfg.AuthFailuresPerMinute = DefaultAuthFailures
	}
	if cfg.MaxProblems <= 0 {
		cfg.MaxProblems = DefaultMaxIssue
	}
	return cfg
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
	cfg = cfg.withDefaults()
	guard := newBodyGuard(cfg)
	throttle := NewAuthThrottle(cfg.AuthFailuresPerMinute)
	text := textRule{maxText: cfg.MaxValueBytes, maxProblems: cfg.MaxProblems}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.HandleMethodNotAllowed = true
	if err := e.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		// ParseTrustedProxies vets the list first; failing closed here
		// keeps a bad list from trusting every peer.
		log.Error("trusted proxies ignored", "error", err)
		_ = e.SetTrustedProxies(nil)
	}
	m := newMetrics()
	e.Use(securityHeaders(), throttle.middleware(), requestID(), accessLog(log), recovery(log), m.middleware(), requestBudget(cfg.RequestTimeout))
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
	admin := e.Group("/admin", requireAdmin(cfg.AdminToken, throttle), text.middleware(writeError), guard.middleware(writeError))
	registerAdminRoutes(admin, svc.Tenants)
	if svc.Projects != nil {
		registerProjectAdminRoutes(admin, svc.Projects)
	}

	// Company routes, grouped by the shape their errors take: each area's
	// body limit and authentication answer in that area's shape.
	company := func(path string, onError errorWriter) *gin.RouterGroup {
		return e.Group(path, requireCompany(svc.Tenants, throttle, onError), text.middleware(onError), guard.middleware(onError))
	}
	registerMeRoutes(company("/", writeError))
	if svc.Inventory != nil {
		registerInventoryRoutes(company("/client-data", writeInventoryError), svc.Inventory)
	}
	if svc.Agents != nil {
		registerAgentRoutes(e, cfg, log, svc, throttle, guard)
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

// ParseTrustedProxies reads a comma-separated list of addresses and CIDR
// ranges, as PARC_TRUSTED_PROXIES gives it.
func ParseTrustedProxies(list string) ([]string, error) {
	var out []string
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if _, err := netip.ParsePrefix(item); err != nil {
			if _, err := netip.ParseAddr(item); err != nil {
				return nil, fmt.Errorf("%q is neither an IP address nor a CIDR range", item)
			}
		}
		out = append(out, item)
	}
	return out, nil
}

// AgentPaths are where the inventory agents are served: the OCS agents'
// default path, and GLPI's own inventory path, so that an agent moved from
// a GLPI server keeps its URL's path.
var AgentPaths = []string{"/ocsinventory", "/front/inventory.php"}

// registerAgentRoutes mounts the agents' protocols. They authenticate by
// themselves (HTTP Basic, with the challenge the agents need) and bound
// their bodies as sent and once inflated; the body budget and deadline, and
// the throttling of failed authentications, are the engine's, as elsewhere.
func registerAgentRoutes(e *gin.Engine, cfg Config, log *slog.Logger, svc Services, throttle *AuthThrottle, guard *bodyGuard) {
	h := agent.New(agent.Config{
		BodyLimit:  cfg.BodyLimit,
		AuthFailed: throttle.FailedRequest,
	}, svc.Tenants, svc.Agents, log)
	for _, p := range AgentPaths {
		e.POST(p, throttle.checkRequest(writeError), guard.middleware(writeError), gin.WrapH(h))
	}
}
