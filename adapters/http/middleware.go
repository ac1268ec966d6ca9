package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
)

const (
	requestIDHeader = "X-Request-ID"
	ctxRequestID    = "parc.request_id"
)

// requestID adopts the caller's X-Request-ID when it is sane, or mints one,
// and echoes it so that a client can quote it in a support request.
func requestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader(requestIDHeader)
		if id == "" || len(id) > 128 {
			b := make([]byte, 12)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
		}
		c.Set(ctxRequestID, id)
		c.Header(requestIDHeader, id)
		c.Next()
	}
}

func requestIDOf(c *gin.Context) string { return c.GetString(ctxRequestID) }

// recovery turns a panic into a JSON 500 and logs the stack; the client sees
// no internals.
func recovery(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				log.ErrorContext(c.Request.Context(), "panic serving request",
					"request_id", requestIDOf(c), "method", c.Request.Method, "route", c.FullPath(),
					"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				if !c.Writer.Written() {
					c.AbortWithStatusJSON(http.StatusInternalServerError,
						errorBody{Error: "internal", Message: "internal error", RequestID: requestIDOf(c)})
				}
			}
		}()
		c.Next()
	}
}

// accessLog writes one structured line per request. It logs the route, never
// headers: the Authorization header carries secrets. The attributes are
// typed (LogAttrs), so that a line costs no allocation per number.
func accessLog(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		status := answeredStatus(c)
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		ctx := c.Request.Context()
		if !log.Enabled(ctx, level) {
			return
		}
		attrs := make([]slog.Attr, 0, 12)
		attrs = append(attrs,
			slog.String("request_id", requestIDOf(c)),
			slog.String("method", clip(c.Request.Method)),
			slog.String("route", c.FullPath()),
			slog.String("path", clip(c.Request.URL.Path)),
			slog.Int("status", status),
			slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
			slog.Int64("bytes_in", c.Request.ContentLength),
			slog.Int("bytes_out", c.Writer.Size()),
			slog.String("client_ip", c.ClientIP()),
		)
		if ua := c.Request.UserAgent(); ua != "" {
			attrs = append(attrs, slog.String("user_agent", clip(ua)))
		}
		if company, ok := companyOf(c); ok {
			attrs = append(attrs, slog.String("company_id", company.ID()))
		}
		if status >= 500 {
			if errs := c.Errors.ByType(gin.ErrorTypeAny); len(errs) > 0 {
				attrs = append(attrs, slog.String("error", clipTo(errs.String(), 4*maxLogText)))
			}
		}
		log.LogAttrs(ctx, level, "http request", attrs...)
	}
}

// errorWriter renders an error in the shape of one area's answers: the
// default body, or the shape a seed fixes (client-data, clients).
type errorWriter func(c *gin.Context, err error)

// maxLogText bounds any text a client controls in a log line (path, user
// agent, method): an outsider must not be able to write megabytes of log.
const maxLogText = 256

func clip(s string) string { return clipTo(s, maxLogText) }

// clipTo cuts s to at most n bytes, on a rune boundary, marking the cut.
func clipTo(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// answeredStatus is the status a request ended with, for logs and metrics:
// a server-side failure of a request whose client hung up is the client's
// doing, 499, not a 500.
func answeredStatus(c *gin.Context) int {
	status := c.Writer.Status()
	if status >= 500 && errors.Is(c.Request.Context().Err(), context.Canceled) {
		return StatusClientClosed
	}
	return status
}

// securityHeaders go on every answer: no MIME sniffing, no framing, no
// referrer leaks, and a content policy that lets the local Swagger UI of
// /docs run (its own scripts, and the inline styles it sets) and nothing else.
func securityHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		c.Next()
	}
}

const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; connect-src 'self'; font-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
