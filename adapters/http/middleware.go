package httpapi

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

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
// headers: the Authorization header carries secrets.
func accessLog(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		status := c.Writer.Status()
		attrs := []any{
			"request_id", requestIDOf(c),
			"method", c.Request.Method,
			"route", c.FullPath(),
			"path", c.Request.URL.Path,
			"status", status,
			"duration_ms", float64(time.Since(start).Microseconds()) / 1000,
			"bytes_in", c.Request.ContentLength,
			"bytes_out", c.Writer.Size(),
			"client_ip", c.ClientIP(),
		}
		if company, ok := companyOf(c); ok {
			attrs = append(attrs, "company_id", company.ID())
		}
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
			if errs := c.Errors.ByType(gin.ErrorTypeAny); len(errs) > 0 {
				attrs = append(attrs, "error", errs.String())
			}
		}
		log.Log(c.Request.Context(), level, "http request", attrs...)
	}
}

// errorWriter renders an error in the shape of one area's answers: the
// default body, or the shape a seed fixes (client-data, clients).
type errorWriter func(c *gin.Context, err error)

// bodyLimit refuses bodies larger than limit bytes: at once when the
// declared length says so, otherwise when reading passes the limit (the
// decoder then fails with *http.MaxBytesError, which Classify maps to 413).
func bodyLimit(limit int64, onError errorWriter) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength > limit {
			onError(c, &http.MaxBytesError{Limit: limit})
			c.Abort()
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
		c.Next()
	}
}
