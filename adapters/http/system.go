package httpapi

import (
	"context"
	"net/http"
	"net/netip"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parc-hq/parc/domain"
	"github.com/parc-hq/parc/ports"
)

var errRouteNotFound = domain.NotFound("no such route")

// registerSystemRoutes: probes, metrics and documentation, all without auth.
func registerSystemRoutes(e *gin.Engine, health ports.HealthChecker, m *metrics) {
	h := systemHandlers{health: health}
	e.GET("/healthz", h.healthz)
	e.GET("/readyz", h.readyz)
	e.GET("/metrics", m.handler())
	registerDocsRoutes(e)
}

// systemHandlers serve the probes.
type systemHandlers struct{ health ports.HealthChecker }

// healthz serves GET /healthz: the process answers.
func (h systemHandlers) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// readyz serves GET /readyz: the database answers too.
func (h systemHandlers) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if err := h.health.Ping(ctx); err != nil {
		_ = c.Error(err)
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "message": "the database does not answer"})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}

// timeJSON renders a time as the seeds do: RFC 3339, UTC, milliseconds.
func timeJSON(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z07:00")
}

func timePtrJSON(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := timeJSON(*t)
	return &s
}

// knownTimeJSON is timeJSON, or nil for the zero time (never happened).
func knownTimeJSON(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	return timePtrJSON(&t)
}

// knownIPJSON is the address as text, or nil when it is unknown.
func knownIPJSON(ip netip.Addr) *string {
	if !ip.IsValid() {
		return nil
	}
	return optional(ip.String())
}

// optional is s, or nil when it is empty.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
