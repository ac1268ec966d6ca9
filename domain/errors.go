// Package domain holds what every domain package shares: the kinds of error a
// use case can end in, and the typed errors that carry them. An area builds
// its error where the failure is found: NotFound, Conflict, … with the
// message a caller may read, or a *ValidationError whose problems are codes
// and parameters, never prose (each adapter words them for its clients).
// Wrapping an error later (fmt.Errorf("list accounts: %w", err)) adds
// context for the logs only. Adapters read the type (errors.As) to choose a
// status and the public text, in one place, and never cut text out of
// Error().
package domain

import (
	"errors"
	"fmt"
	"maps"
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

// Params are the values of the rule an input broke, by name ({"max_length":
// 200}, {"expected": []string{"active", "disabled"}}).
type Params = map[string]any

// RuleParam is the parameter that names the rule a value broke, where one
// Type covers several rules (Type "pattern", rule "no_spaces"), and for the
// problems a parser reports before its caller types them (see Refused).
// Rule names are unique across the domain: the wording of a problem is
// chosen by its rule, else by its Type.
const RuleParam = "rule"

// FieldError is one problem with one input value: where it is, what kind of
// problem it is, and the values of the rule it broke. It holds no prose:
// each adapter words problems in the words of its clients.
type FieldError struct {
	// Path locates the value in the input: field names (string) and list
	// indexes (int), outermost first, e.g. {"rows", 3, "rowCode"}.
	Path []any
	// Type is a short machine word for the problem ("missing", "int_parsing", ...).
	Type string
	// Params are the values of the rule the input broke, by name (e.g.
	// {"max_length": 200}); RuleParam names the rule where Type does not.
	Params Params
}

// Rule is the name of the rule the problem broke, or "".
func (f FieldError) Rule() string {
	r, _ := f.Params[RuleParam].(string)
	return r
}

// ProblemAt places the problems of err, a *ValidationError, at path, for
// parsers whose caller knows where the value was; a problem without a type
// (see Refused) takes typ. Any other error is returned as it is (ok false).
func ProblemAt(err error, typ string, path ...any) (problems []FieldError, ok bool) {
	var v *ValidationError
	if !errors.As(err, &v) {
		return nil, false
	}
	out := make([]FieldError, len(v.Problems))
	for i, p := range v.Problems {
		p.Path = append(slices.Clone(path), p.Path...)
		if p.Type == "" {
			p.Type = typ
		}
		out[i] = p
	}
	return out, true
}

// String renders the problem for logs, e.g. "rows[3].rowCode: row_code
// (rule=row_code_empty)": its path, type and parameters, in no client's words.
func (f FieldError) String() string {
	var b strings.Builder
	if p := f.PathString(); p != "" {
		b.WriteString(p + ": ")
	}
	b.WriteString(f.Type)
	if len(f.Params) > 0 {
		b.WriteString(" (")
		for i, k := range slices.Sorted(maps.Keys(f.Params)) {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s=%v", k, f.Params[k])
		}
		b.WriteString(")")
	}
	return b.String()
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

// Invalid builds a ValidationError with one problem of type typ at path;
// params are the values of the rule broken (nil when the type says all).
func Invalid(typ string, params Params, path ...any) *ValidationError {
	return &ValidationError{Problems: []FieldError{{Path: path, Type: typ, Params: params}}}
}

// Refused is the problem a parser finds in a value whose place and type
// only its caller knows (ParseRowCode is called for a path segment, a
// field of a row, an item of a list): the rule broken and its values,
// without a type or a path. The caller places it with InvalidAt or AddAt.
func Refused(rule string, params Params) *ValidationError {
	p := make(Params, len(params)+1)
	maps.Copy(p, params)
	p[RuleParam] = rule
	return &ValidationError{Problems: []FieldError{{Params: p}}}
}

// Add appends a problem and returns the receiver, for chaining.
func (e *ValidationError) Add(typ string, params Params, path ...any) *ValidationError {
	e.Problems = append(e.Problems, FieldError{Path: path, Type: typ, Params: params})
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

// AddAt appends the problems of a parser's err at path (see ProblemAt);
// it tells whether err was a problem.
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

// Detail renders the problems alone for logs, "path: type (params); ...",
// without the error kind that Error puts first.
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
		Params: Params{"total": total, "listed": n}})
	return v
}
