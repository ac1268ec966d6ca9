package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

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
	Details []domain.FieldError
	// Cause is the original error, for the log only.
	Cause error
}

// Classify maps an error to its Problem.
func Classify(err error) Problem {
	var (
		tooLarge  *http.MaxBytesError
		malformed *MalformedJSONError
		invalid   *domain.ValidationError
		refused   *RequestError
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
	case errors.Is(err, domain.ErrInvalid):
		return Problem{Status: http.StatusUnprocessableEntity, Code: "invalid_input", Message: publicMessage(err, domain.ErrInvalid), Cause: err}
	case errors.Is(err, domain.ErrUnauthenticated):
		return Problem{Status: http.StatusUnauthorized, Code: "unauthorized", Message: publicMessage(err, domain.ErrUnauthenticated), Cause: err}
	case errors.Is(err, domain.ErrForbidden):
		return Problem{Status: http.StatusForbidden, Code: "forbidden", Message: publicMessage(err, domain.ErrForbidden), Cause: err}
	case errors.Is(err, domain.ErrNotFound):
		return Problem{Status: http.StatusNotFound, Code: "not_found", Message: publicMessage(err, domain.ErrNotFound), Cause: err}
	case errors.Is(err, domain.ErrConflict):
		return Problem{Status: http.StatusConflict, Code: "conflict", Message: publicMessage(err, domain.ErrConflict), Cause: err}
	case errors.Is(err, context.Canceled):
		return Problem{Status: StatusClientClosed, Code: "client_closed", Message: "the client closed the request", Cause: err}
	case errors.Is(err, domain.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		return Problem{Status: http.StatusServiceUnavailable, Code: "unavailable", Message: "the database is unavailable, try again later", Cause: err}
	}
	return Problem{Status: http.StatusInternalServerError, Code: "internal", Message: "internal error", Cause: err}
}

// publicMessage is an error's text without the trailing ": <kind>" that
// wrapping a domain kind last leaves ("... lowering its licences to 1:
// conflict"): the status and code already say the kind.
func publicMessage(err, kind error) string {
	msg := err.Error()
	if trimmed, ok := strings.CutSuffix(msg, ": "+kind.Error()); ok && trimmed != "" {
		return trimmed
	}
	return msg
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
	p := boundDetails(c, Classify(err))
	noteProblem(c, p)
	body := errorBody{Error: p.Code, Message: p.Message, RequestID: requestIDOf(c)}
	for _, d := range p.Details {
		body.Details = append(body.Details, errorDetail{Path: d.PathString(), Type: d.Type, Message: d.Message})
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
