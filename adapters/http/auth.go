package httpapi

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/parc-hq/parc/domain"
	"github.com/parc-hq/parc/domain/tenant"
)

const ctxCompany = "parc.company"

// Authenticator resolves an API key to its company (app.TenantService).
type Authenticator interface {
	Authenticate(ctx context.Context, key string) (tenant.Company, error)
}

// credential extracts the key from "Authorization: <key>" or
// "Authorization: Bearer <key>".
func credential(c *gin.Context) string {
	h := strings.TrimSpace(c.GetHeader("Authorization"))
	if scheme, rest, ok := strings.Cut(h, " "); ok && strings.EqualFold(scheme, "Bearer") {
		return strings.TrimSpace(rest)
	}
	return h
}

var errNoKey = domain.Unauthenticated("missing API key (send it in the Authorization header)")

// requireCompany admits requests carrying a valid key of an active company.
// onError renders failures in the caller area's error shape. Failures are
// counted by the throttle, which refuses an address or key prefix that
// failed too often (429) before its key is looked at.
func requireCompany(auth Authenticator, throttle *AuthThrottle, onError errorWriter) gin.HandlerFunc {
	return func(c *gin.Context) {
		key := credential(c)
		addr, prefix := c.ClientIP(), keyPrefix(key)
		if wait, ok := throttle.Check(addr, prefix); !ok {
			onError(c, errThrottled(wait))
			c.Abort()
			return
		}
		if key == "" {
			throttle.Failed(addr, "")
			onError(c, errNoKey)
			c.Abort()
			return
		}
		// A refused key is answered as soon as it is refused: an unknown
		// prefix costs what a known one with a wrong secret does (see
		// TenantService.Authenticate), so there is no difference to pad.
		company, err := auth.Authenticate(c.Request.Context(), key)
		if err != nil {
			if errors.Is(err, domain.ErrUnauthenticated) {
				throttle.Failed(addr, prefix)
			}
			onError(c, err)
			c.Abort()
			return
		}
		c.Set(ctxCompany, company)
		c.Next()
	}
}

// companyOf returns the authenticated company of the request.
func companyOf(c *gin.Context) (tenant.Company, bool) {
	v, ok := c.Get(ctxCompany)
	if !ok {
		return tenant.Company{}, false
	}
	company, ok := v.(tenant.Company)
	return company, ok
}

// mustCompany returns the authenticated company; routes that call it sit
// behind requireCompany.
func mustCompany(c *gin.Context) tenant.Company {
	company, ok := companyOf(c)
	if !ok {
		panic("httpapi: route without requireCompany")
	}
	return company
}

var (
	errAdminClosed = domain.Unauthenticated("the admin API is closed: no operator token is configured")
	errAdminToken  = domain.Unauthenticated("invalid operator token")
)

// requireAdmin admits requests bearing the operator token. With no token
// configured the admin API is closed to everyone. Failures are throttled by
// client address, as for API keys.
func requireAdmin(token string, throttle *AuthThrottle) gin.HandlerFunc {
	want := sha256.Sum256([]byte(token))
	return func(c *gin.Context) {
		addr := c.ClientIP()
		if wait, ok := throttle.Check(addr, ""); !ok {
			writeError(c, errThrottled(wait))
			return
		}
		if token == "" {
			throttle.Failed(addr, "")
			writeError(c, errAdminClosed)
			return
		}
		// Hashing first makes the comparison constant-time whatever the lengths.
		got := sha256.Sum256([]byte(credential(c)))
		if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			throttle.Failed(addr, "")
			writeError(c, errAdminToken)
			return
		}
		c.Next()
	}
}
