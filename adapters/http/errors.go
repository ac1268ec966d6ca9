package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parc-hq/parc/domain"
)

// Problem is an error classified for HTTP: the one place where error kinds
// become statuses. Areas whose seeds fix an error body shape (client-data,
// clients) render Problem their own way; everything else uses writeError.
type Problem struct {
	Status  int
	Code    string // short machine word: "not_found", "invalid_input", ...
	Message string // safe to show: never SQL, stack traces or secrets
	// Details are the problems of invalid input, for the area's renderer
	// to word (wording.go).
	Details []domain.FieldError
	// Cause is the original error, for the log only.
	Cause error
}

// kindStatus is the status and code of each domain error kind.
var kindStatus = []struct {
	kind   error
	status int
	code   string
}{
	{domain.ErrInvalid, http.StatusUnprocessableEntity, "invalid_input"},
	{domain.ErrUnauthenticated, http.StatusUnauthorized, "unauthorized"},
	{domain.ErrForbidden, http.StatusForbidden, "forbidden"},
	{domain.ErrNotFound, http.StatusNotFound, "not_found"},
	{domain.ErrConflict, http.StatusConflict, "conflict"},
}

// Classify maps an error to its Problem. It reads the error's type: the
// public message is the one a *domain.Error was built with where the failure
// was found, whatever context wrapping added since (that context is for the
// log). An error that only wraps a kind (a storage fault translated to
// domain.ErrConflict, say) has no public text and reads as its kind.
func Classify(err error) Problem {
	var (
		tooLarge  *http.MaxBytesError
		malformed *MalformedJSONError
		invalid   *domain.ValidationError
		refused   *RequestError
		typed     *domain.Error
	)
	switch {
	case errors.As(err, &refused):
		return Problem{Status: refused.Status, Code: refused.Code, Message: refused.Message, Cause: err}
	case errors.As(err, &tooLarge):
		return Problem{Status: http.StatusRequestEntityTooLarge, Code: "payload_too_large",
			Message: fmt.Sprintf("request body exceeds the limit of %d bytes", tooLarge.Limit), Cause: err}
	case errors.As(err, &malformed):
		return Problem{Status: http.StatusBadRequest, Code: "malformed_json", Message: malformed.Error(), Cause: err}
	case errors.As(err, &invalid):
		return Problem{Status: http.StatusUnprocessableEntity, Code: "invalid_input", Message: "the request has invalid values",
			Details: invalid.Problems, Cause: err}
	case errors.Is(err, context.Canceled):
		return Problem{Status: StatusClientClosed, Code: "client_closed", Message: "the client closed the request", Cause: err}
	case errors.Is(err, domain.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		return Problem{Status: http.StatusServiceUnavailable, Code: "unavailable", Message: "the database is unavailable, try again later", Cause: err}
	case errors.As(err, &typed):
		return kindProblem(typed.Kind(), typed.Message(), err)
	}
	for _, k := range kindStatus {
		if errors.Is(err, k.kind) {
			return kindProblem(k.kind, k.kind.Error(), err)
		}
	}
	return Problem{Status: http.StatusInternalServerError, Code: "internal", Message: "internal error", Cause: err}
}

func kindProblem(kind error, message string, cause error) Problem {
	for _, k := range kindStatus {
		if k.kind == kind {
			return Problem{Status: k.status, Code: k.code, Message: message, Cause: cause}
		}
	}
	return Problem{Status: http.StatusInternalServerError, Code: "internal", Message: "internal error", Cause: cause}
}

// errorBody is the default error shape.
type errorBody struct {
	Error     string        `json:"error"`
	Message   string        `json:"message"`
	Details   []errorDetail `json:"details,omitempty"`
	RequestID string        `json:"request_id,omitempty"`
}

type errorDetail struct {
	Path    string `json:"path"`
	Type    string `json:"type"`
	Message string `json:"message"`
}

// writeError answers with the default error shape and logs server faults.
func writeError(c *gin.Context, err error) {
	p := classifyRequest(c, err)
	noteProblem(c, p)
	body := errorBody{Error: p.Code, Message: p.Message, RequestID: requestIDOf(c)}
	for _, d := range p.Details {
		body.Details = append(body.Details, errorDetail{Path: d.PathString(), Type: d.Type, Message: plainWords(d)})
	}
	c.AbortWithStatusJSON(p.Status, body)
}

// noteProblem records the cause for the access log; server-side faults are
// logged with their full text there, never sent to the client.
// A refusal of the HTTP layer adds its headers (Retry-After, Connection).
func noteProblem(c *gin.Context, p Problem) {
	var refused *RequestError
	if errors.As(p.Cause, &refused) {
		refused.setHeaders(c.Writer.Header())
	}
	if p.Status >= 500 {
		_ = c.Error(p.Cause)
	}
}
