package httpapi

import (
	"net/http"
	"strconv"
	"time"
)

// StatusClientClosed is the status logged and counted for a request whose
// client hung up before it was answered (nginx's convention): not a fault of
// the server, so never a 500.
const StatusClientClosed = 499

// RequestError is a refusal decided by the HTTP layer itself, before or
// while a body is read: a body cut short or malformed (400), too slow (408),
// too many bytes in flight (503), too many failed logins (429), a client
// gone (499). Classify maps it to its status as it is.
type RequestError struct {
	Status  int
	Code    string // machine word, as Problem.Code
	Message string // safe to show
	// RetryAfter, when positive, is sent as the Retry-After header.
	RetryAfter time.Duration
	// Close asks for the connection to be closed after the answer: the
	// rest of the body is not worth waiting for.
	Close bool
	Cause error
}

func (e *RequestError) Error() string { return e.Message }
func (e *RequestError) Unwrap() error { return e.Cause }

// setHeaders adds the headers the refusal calls for to h.
func (e *RequestError) setHeaders(h http.Header) {
	if e.RetryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(int((e.RetryAfter+time.Second-1)/time.Second)))
	}
	if e.Close {
		h.Set("Connection", "close")
	}
}
