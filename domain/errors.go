// Package domain holds what every domain package shares: the kinds of error a
// use case can end in, and the typed errors that carry them. An area builds
// its error where the failure is found (NotFound, Conflict, …, or a
// *ValidationError for input problems), with the message a caller may read;
// wrapping it later (fmt.Errorf("list accounts: %w", err)) adds context for
// the logs only. Adapters read the type (errors.As) to choose a status and
// the public text, in one place, and never cut text out of Error().
package domain

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Error kinds. Build errors of a kind with NotFound, Conflict, … (or
// *ValidationError for ErrInvalid) and test them with errors.Is. An error
// that wraps a kind without being an *Error (a storage fault translated to
// ErrUnavailable, a duplicate key as ErrConflict) has no public message:
// adapters show the kind's generic text.
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

// Error is a domain error: its kind (one of the Err… values above, which it
// matches under errors.Is) and a message safe to show to the caller, set
// where the failure is found. Its Error() is that message alone.
type Error struct {
	kind    error
	message string
}

func newError(kind error, format string, args ...any) *Error {
	return &Error{kind: kind, message: fmt.Sprintf(format, args...)}
}

// NotFound: the thing does not exist, or belongs to another tenant.
func NotFound(format string, args ...any) *Error { return newError(ErrNotFound, format, args...) }

// Conflict: the request clashes with stored state.
func Conflict(format string, args ...any) *Error { return newError(ErrConflict, format, args...) }

// Forbidden: the caller is known but may not do this.
func Forbidden(format string, args ...any) *Error { return newError(ErrForbidden, format, args...) }

// Unauthenticated: the caller could not be identified.
func Unauthenticated(format string, args ...any) *Error {
	return newError(ErrUnauthenticated, format, args...)
}

// Rejected: the input breaks a rule that is not about one field (use
// *ValidationError for field problems). It matches ErrInvalid.
func Rejected(format string, args ...any) *Error { return newError(ErrInvalid, format, args...) }

func (e *Error) Error() string { return e.message }

// Unwrap makes errors.Is(err, kind) true.
func (e *Error) Unwrap() error { return e.kind }

// Kind is one of ErrNotFound, ErrConflict, ErrInvalid, ErrForbidden,
// ErrUnauthenticated, ErrUnavailable.
func (e *Error) Kind() error { return e.kind }

// Message is the text a caller may read.
func (e *Error) Message() string { return e.message }

// FieldError is one problem with one input value.
type FieldError struct {
	// Path locates the value in the input: field names (string) and list
	// indexes (int), outermost first, e.g. {"rows", 3, "rowCode"}.
	Path []any
	// Type is a short machine word for the problem ("missing", "int_parsing", ...).
	Type string
	// Params are the values of the rule the input broke, by name (e.g.
	// {"max_length": 200}), for adapters that word problems themselves.
	Params map[string]any
	// Message is a human sentence, safe to show to the caller; "" where
	// the area leaves the wording to its adapters (see Params).
	Message string
}

// ProblemAt places err's problem at path, for parsers whose caller knows
// where the value was: a *ValidationError's problems, or a *Error of kind
// ErrInvalid as one problem of type typ worded by its message. Any other
// error is returned as it is (ok false).
func ProblemAt(err error, typ string, path ...any) (problems []FieldError, ok bool) {
	var v *ValidationError
	if errors.As(err, &v) {
		out := make([]FieldError, len(v.Problems))
		for i, p := range v.Problems {
			p.Path = append(slices.Clone(path), p.Path...)
			out[i] = p
		}
		return out, true
	}
	var e *Error
	if errors.As(err, &e) && e.kind == ErrInvalid {
		return []FieldError{{Path: slices.Clone(path), Type: typ, Message: e.message}}, true
	}
	return nil, false
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

// InvalidAt is err's problem placed at path (see ProblemAt) as a
// *ValidationError; an error that is not a problem is returned as it is.
func InvalidAt(err error, typ string, path ...any) error {
	if err == nil {
		return nil
	}
	if ps, ok := ProblemAt(err, typ, path...); ok {
		return &ValidationError{Problems: ps}
	}
	return err
}

// AddAt appends the problem of a parser's err (see ProblemAt) at path, of
// type typ when err is a plain *Error; it tells whether err was a problem.
func (e *ValidationError) AddAt(err error, typ string, path ...any) bool {
	ps, ok := ProblemAt(err, typ, path...)
	e.Problems = append(e.Problems, ps...)
	return ok
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

// TypeTooManyProblems is the type of the problem that ends a bounded list
// (see BoundProblems).
const TypeTooManyProblems = "too_many_problems"

// BoundProblems cuts v to at most n problems (n > 0) and, when total (the
// problems found, listed or not) is more, adds one saying so. A list that
// is already bounded so is left as it is.
func BoundProblems(v *ValidationError, total, n int) *ValidationError {
	if v == nil || n <= 0 || total <= n {
		return v
	}
	if len(v.Problems) == n+1 && v.Problems[n].Type == TypeTooManyProblems {
		return v
	}
	v.Problems = append(v.Problems[:min(n, len(v.Problems)):n], FieldError{Type: TypeTooManyProblems,
		Message: fmt.Sprintf("%d problems in all; only the first %d are listed", total, n)})
	return v
}
