package httpapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/sync/semaphore"
)

// Body limits, deadlines and the process-wide budget of body bytes.
//
// A request body is admitted only when its bytes fit in the budget shared by
// every request in flight: the declared Content-Length is reserved before
// anything is read, and a chunked body (length unknown) reserves as it
// arrives. Past the budget the request is refused with 503 and Retry-After,
// so that memory stays bounded however many clients send at once. The
// reservation is held until the answer is written, since the decoded body
// lives that long.

const (
	// DefaultBodyLimit is the largest request body accepted unless configured.
	DefaultBodyLimit = 32 << 20
	// DefaultBodyBudget is the request body bytes in flight across the
	// process: four bodies of the largest size, which decoded and stored
	// stay under 2 GiB.
	DefaultBodyBudget = 128 << 20
	// DefaultBodyTimeout is how long a body may take to arrive.
	DefaultBodyTimeout = 60 * time.Second
	// DefaultRequestTimeout bounds the handling of one request, its body
	// included; the database work is cancelled through the context past it.
	DefaultRequestTimeout = 90 * time.Second
	// DefaultWriteTimeout is the time left to write the answer once the
	// request budget is spent.
	DefaultWriteTimeout = 30 * time.Second

	// chunkReserve is what a body of unknown length reserves at a time.
	chunkReserve = 64 << 10
)

var (
	errBodyBudget = &RequestError{Status: http.StatusServiceUnavailable, Code: "busy",
		Message: "the server is receiving too much data at once, try again shortly", RetryAfter: time.Second, Close: true}
	errBodyTimeout = &RequestError{Status: http.StatusRequestTimeout, Code: "request_timeout",
		Message: "the request body did not arrive in time", Close: true}
)

// bodyGuard holds the byte budget shared by all requests of an engine.
type bodyGuard struct {
	limit   int64
	timeout time.Duration
	budget  *semaphore.Weighted
	size    int64
}

func newBodyGuard(cfg Config) *bodyGuard {
	return &bodyGuard{limit: cfg.BodyLimit, timeout: cfg.BodyTimeout, budget: semaphore.NewWeighted(cfg.BodyBudget), size: cfg.BodyBudget}
}

// middleware refuses bodies past the limit or the budget, sets the body's
// read deadline and turns read failures into RequestErrors that onError
// renders in the area's shape.
func (g *bodyGuard) middleware(onError errorWriter) gin.HandlerFunc {
	return func(c *gin.Context) {
		r := c.Request
		if r.ContentLength > g.limit {
			onError(c, &http.MaxBytesError{Limit: g.limit})
			c.Abort()
			return
		}
		if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
			c.Next()
			return
		}
		rc := http.NewResponseController(c.Writer)
		body := &guardedBody{body: http.MaxBytesReader(c.Writer, r.Body, g.limit), guard: g, header: c.Writer.Header(), rc: rc}
		if r.ContentLength > 0 {
			// A body larger than the whole budget takes all of it: it
			// runs alone rather than never.
			need := min(r.ContentLength, g.size)
			if !g.budget.TryAcquire(need) {
				onError(c, errBodyBudget)
				c.Abort()
				return
			}
			body.reserved, body.declared = need, true
		}
		defer body.release()
		if g.timeout > 0 {
			// Not every writer supports deadlines (tests' recorders): then
			// the server's own timeouts are all there is.
			_ = rc.SetReadDeadline(time.Now().Add(g.timeout))
		}
		r.Body = body
		c.Next()
	}
}

// guardedBody reads a request body within the byte budget and names why
// reading failed.
type guardedBody struct {
	body     io.ReadCloser
	guard    *bodyGuard
	header   http.Header
	rc       *http.ResponseController
	declared bool  // the whole declared length is reserved
	reserved int64 // bytes held in the budget
	read     int64
	err      error // the first failure, returned ever after
}

func (b *guardedBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if !b.declared && b.read+int64(len(p)) > b.reserved && b.reserved < b.guard.size {
		need := min(max(int64(chunkReserve), int64(len(p))), b.guard.size-b.reserved)
		if !b.guard.budget.TryAcquire(need) {
			return 0, b.fail(errBodyBudget)
		}
		b.reserved += need
	}
	n, err := b.body.Read(p)
	b.read += int64(n)
	if err == io.EOF {
		// The body is in: lift the deadline, or the server's watch for a
		// closed connection would take it for a client gone and cancel
		// the request while it is being handled.
		_ = b.rc.SetReadDeadline(time.Time{})
	}
	if err != nil && err != io.EOF {
		return n, b.fail(classifyRead(err))
	}
	return n, err
}

func (b *guardedBody) Close() error { return b.body.Close() }

func (b *guardedBody) fail(err error) error {
	b.err = err
	var refused *RequestError
	if errors.As(err, &refused) {
		refused.setHeaders(b.header)
	}
	return err
}

func (b *guardedBody) release() {
	if b.reserved > 0 {
		b.guard.budget.Release(b.reserved)
		b.reserved = 0
	}
}

// classifyRead names a failure to read a body: over the limit stays a
// *http.MaxBytesError (413); a deadline passed is 408; a body cut short or
// not framed as HTTP says (a malformed chunk) is the client's doing, 400.
func classifyRead(err error) error {
	var tooLarge *http.MaxBytesError
	var refused *RequestError
	switch {
	case errors.As(err, &tooLarge), errors.As(err, &refused):
		return err
	case errors.Is(err, os.ErrDeadlineExceeded):
		return errBodyTimeout
	case errors.Is(err, context.Canceled):
		return err
	}
	return &RequestError{Status: http.StatusBadRequest, Code: "bad_body", Close: true, Cause: err,
		Message: fmt.Sprintf("the request body could not be read: %s", bodyReadReason(err))}
}

// bodyReadReason is a short public reason for a read failure: net/http's
// own texts for malformed chunks are safe to show, others are summed up.
func bodyReadReason(err error) string {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "it ended before its declared length"
	}
	var netErr interface{ Timeout() bool }
	if errors.As(err, &netErr) {
		return "the connection failed"
	}
	msg := err.Error()
	if len(msg) > 120 {
		msg = msg[:120]
	}
	return msg
}

// requestBudget gives each request a deadline: the database work it starts
// is cancelled through the context once the budget is spent.
func requestBudget(d time.Duration) gin.HandlerFunc {
	return func(c *gin.Context) {
		if d <= 0 {
			c.Next()
			return
		}
		ctx, cancel := context.WithTimeout(c.Request.Context(), d)
		defer cancel()
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}
