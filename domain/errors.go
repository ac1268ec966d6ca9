// Package domain holds what every domain package shares: the kinds of error a
// use case can end in. Each area (tenant, client, inventory, dataset, account)
// wraps one of these kinds with its own context, so that adapters map kinds to
// transport statuses in one place without knowing every area's errors.
package domain

import (
	"errors"
	"fmt"
	"strings"
)

// Error kinds. Wrap them (fmt.Errorf("client %s: %w", id, domain.ErrNotFound))
// and test them with errors.Is.
var (
	// ErrNotFound: the thing does not exist, or belongs to another tenant.
	ErrNotFound = errors.New("not found")
	// ErrConflict: the request clashes with stored state (a duplicate code,
	// a limit that would be broken, a stale version).
	ErrConflict = errors.New("conflict")
	// ErrInvalid: the input breaks a rule. *ValidationError carries the details.
	ErrInvalid = errors.New("invalid input")
	// ErrForbidden: the caller is known but may not do this.
	ErrForbidden = errors.New("forbidden")
	// ErrUnauthenticated: the caller could not be identified.
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrUnavailable: a dependency (the database) did not answer; retrying later may work.
	ErrUnavailable = errors.New("unavailable")
)

// FieldError is one problem with one input value.
type FieldError struct {
	// Path locates the value in the input: field names (string) and list
	// indexes (int), outermost first, e.g. {"rows", 3, "rowCode"}.
	Path []any
	// Type is a short machine word for the problem ("missing", "int_parsing", ...).
	Type string
	// Message is a human sentence, safe to show to the caller.
	Message string
}

// String renders the path and message, e.g. "rows[3].rowCode: missing".
func (f FieldError) String() string {
	if p := f.PathString(); p != "" {
		return p + ": " + f.Message
	}
	return f.Message
}

// PathString renders the path alone, e.g. "rows[3].rowCode".
func (f FieldError) PathString() string {
	var b strings.Builder
	for i, p := range f.Path {
		switch v := p.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", v)
		default:
			if i > 0 {
				b.WriteByte('.')
			}
			fmt.Fprint(&b, v)
		}
	}
	return b.String()
}

// ValidationError lists every problem found in one input. It matches
// ErrInvalid under errors.Is.
type ValidationError struct {
	Problems []FieldError
}

// Invalid builds a ValidationError with a single problem.
func Invalid(typ, message string, path ...any) *ValidationError {
	return &ValidationError{Problems: []FieldError{{Path: path, Type: typ, Message: message}}}
}

// Add appends a problem and returns the receiver, for chaining.
func (e *ValidationError) Add(typ, message string, path ...any) *ValidationError {
	e.Problems = append(e.Problems, FieldError{Path: path, Type: typ, Message: message})
	return e
}

// Collect appends the problems of err when it is a *ValidationError (a
// nil error, or any other, adds nothing), so that a validator can gather
// the problems of the parsers it calls and report them all at once.
func (e *ValidationError) Collect(err error) {
	if v, ok := err.(*ValidationError); ok {
		e.Problems = append(e.Problems, v.Problems...)
	}
}

// OrNil returns nil when no problem was recorded, so that a validator can
// collect problems and return them in one statement.
func (e *ValidationError) OrNil() error {
	if e == nil || len(e.Problems) == 0 {
		return nil
	}
	return e
}

func (e *ValidationError) Error() string { return "invalid input: " + e.Detail() }

// Detail renders the problems alone, "path: message; ...", without the
// error kind that Error puts first.
func (e *ValidationError) Detail() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return strings.Join(parts, "; ")
}

// Is makes errors.Is(err, ErrInvalid) true for every ValidationError.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }
