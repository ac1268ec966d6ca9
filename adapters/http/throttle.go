package httpapi

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"
)

// Failed authentications are throttled, so that guessing an operator token
// or an API key costs time: each client address, and each API key prefix,
// has a token bucket of failures (in process: every Parc process keeps its
// own). A request whose address or prefix has no failure left is refused
// with 429 and Retry-After before any credential is checked, a right one
// included, or the answers would still tell a right guess at full speed.
// Successful authentications take nothing from the buckets.

// DefaultAuthFailures is the failed authentications allowed per minute to
// one client address, and to one key prefix, after a burst of as many.
const DefaultAuthFailures = 30

// AuthThrottle counts failed authentications by client address and key
// prefix. Other authenticators on the engine (the agents' Basic auth) use
// it through AuthThrottleOf: Check before checking credentials, Failed
// after a failure.
type AuthThrottle struct {
	limit rate.Limit
	burst int
	mu    sync.Mutex
	gen   [2]map[string]*rate.Limiter // current and previous generation
	since time.Time                   // when the current generation began
}

// maxThrottleEntries bounds the addresses and prefixes tracked in one
// generation: an attacker with many addresses must not grow memory.
const maxThrottleEntries = 100_000

// NewAuthThrottle allows perMinute failures a minute (and a burst of as
// many) to each address and prefix; perMinute <= 0 turns throttling off.
func NewAuthThrottle(perMinute int) *AuthThrottle {
	t := &AuthThrottle{limit: rate.Limit(float64(perMinute) / 60), burst: perMinute, since: time.Now()}
	t.gen[0], t.gen[1] = map[string]*rate.Limiter{}, map[string]*rate.Limiter{}
	return t
}

// limiter returns the bucket of key. Buckets live two generations of a
// minute (a full refill): an idle one is dropped, which is the same as
// full.
func (t *AuthThrottle) limiter(key string, now time.Time) *rate.Limiter {
	if now.Sub(t.since) > time.Minute || len(t.gen[0]) >= maxThrottleEntries {
		t.gen[1], t.gen[0], t.since = t.gen[0], map[string]*rate.Limiter{}, now
	}
	if l, ok := t.gen[0][key]; ok {
		return l
	}
	l, ok := t.gen[1][key]
	if !ok {
		l = rate.NewLimiter(t.limit, t.burst)
	}
	t.gen[0][key] = l
	return l
}

// Check tells whether a request from addr, with the key prefix (""
// when none), may try to authenticate; if not, how long to wait.
func (t *AuthThrottle) Check(addr, prefix string) (time.Duration, bool) {
	if t == nil || t.burst <= 0 {
		return 0, true
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	var wait time.Duration
	for _, key := range throttleKeys(addr, prefix) {
		if tokens := t.limiter(key, now).TokensAt(now); tokens < 1 {
			wait = max(wait, time.Duration((1-tokens)/float64(t.limit)*float64(time.Second)))
		}
	}
	return wait, wait == 0
}

// Failed records a failed authentication from addr with the key prefix.
func (t *AuthThrottle) Failed(addr, prefix string) {
	if t == nil || t.burst <= 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	for _, key := range throttleKeys(addr, prefix) {
		t.limiter(key, now).AllowN(now, 1)
	}
}

// throttleKeys are the buckets a request draws on. An IPv6 client is
// counted by its /64, which one host usually owns whole.
func throttleKeys(addr, prefix string) []string {
	if ip, err := netip.ParseAddr(addr); err == nil && ip.Is6() && !ip.Is4In6() {
		if p, err := ip.Prefix(64); err == nil {
			addr = p.String()
		}
	}
	keys := []string{"addr " + addr}
	if prefix != "" {
		keys = append(keys, "prefix "+prefix)
	}
	return keys
}

const ctxThrottle = "parc.auth_throttle"

// AuthThrottleOf returns the engine's throttle of failed authentications,
// for handlers that authenticate on their own (nil outside the engine).
func AuthThrottleOf(c *gin.Context) *AuthThrottle {
	t, _ := c.Get(ctxThrottle)
	throttle, _ := t.(*AuthThrottle)
	return throttle
}

func (t *AuthThrottle) middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Set(ctxThrottle, t)
		c.Next()
	}
}

type clientAddrKey struct{}

// checkRequest refuses (429) a request whose address, or whose key prefix
// in HTTP Basic or the Authorization header, failed too often, for routes
// that authenticate by themselves; it leaves the client address (as the
// trusted proxies give it) in the request's context for FailedRequest.
func (t *AuthThrottle) checkRequest(onError errorWriter) gin.HandlerFunc {
	return func(c *gin.Context) {
		addr := c.ClientIP()
		if wait, ok := t.Check(addr, requestKeyPrefix(c.Request)); !ok {
			onError(c, errThrottled(wait))
			c.Abort()
			return
		}
		c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), clientAddrKey{}, addr))
		c.Next()
	}
}

// FailedRequest records a failed authentication of r, for handlers that
// authenticate by themselves behind checkRequest (the agents' Basic auth):
// the address is the one checkRequest resolved, else r's peer.
func (t *AuthThrottle) FailedRequest(r *http.Request) {
	addr, ok := r.Context().Value(clientAddrKey{}).(string)
	if !ok {
		addr, _, _ = net.SplitHostPort(r.RemoteAddr)
	}
	t.Failed(addr, requestKeyPrefix(r))
}

// requestKeyPrefix is the key prefix of r's credential: the password of
// HTTP Basic, else the Authorization header.
func requestKeyPrefix(r *http.Request) string {
	if _, password, ok := r.BasicAuth(); ok {
		return keyPrefix(strings.TrimSpace(password))
	}
	h := strings.TrimSpace(r.Header.Get("Authorization"))
	if scheme, rest, ok := strings.Cut(h, " "); ok && strings.EqualFold(scheme, "Bearer") {
		h = strings.TrimSpace(rest)
	}
	return keyPrefix(h)
}

// errThrottled is the refusal of a throttled address or prefix.
func errThrottled(wait time.Duration) error {
	return &RequestError{Status: http.StatusTooManyRequests, Code: "too_many_requests",
		Message: "too many failed authentications, try again later", RetryAfter: max(wait, time.Second)}
}

// keyPrefix is the public prefix of an API key as presented ("" when the
// text is not shaped as one): parc_<prefix>_<secret>.
func keyPrefix(key string) string {
	parts := strings.Split(key, "_")
	if len(parts) != 3 || parts[0] != "parc" || len(parts[1]) != 8 {
		return ""
	}
	return parts[1]
}
