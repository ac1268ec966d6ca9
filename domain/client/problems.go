package client

import (
	"fmt"

	"github.com/parc-hq/parc/domain"
)

// Problem is one kind of validation problem worded as FastAPI/pydantic v2
// words it: Type is pydantic's error type, Message its "msg". The clients
// endpoints answer 422 bodies in FastAPI's shape (seed 001), so this area and
// its HTTP adapter take every problem from here and never word one themselves.
type Problem struct {
	Type    string
	Message string
}

// At places the problem at path (field names first; the HTTP layer prefixes
// "body", "path" or "query").
func (p Problem) At(path ...any) domain.FieldError {
	return domain.FieldError{Path: path, Type: p.Type, Message: p.Message}
}

// Invalid returns the problem at path as a one-problem *domain.ValidationError.
func (p Problem) Invalid(path ...any) *domain.ValidationError {
	return domain.Invalid(p.Type, p.Message, path...)
}

// add appends p at path to v.
func add(v *domain.ValidationError, p Problem, path ...any) {
	v.Problems = append(v.Problems, p.At(path...))
}

// Fixed-text problems. The first ones arise while decoding a request, before
// the domain sees a value; they are here so that the HTTP layer words them
// like the rest.
var (
	Missing      = Problem{"missing", "Field required"}
	StringType   = Problem{"string_type", "Input should be a valid string"}
	IntType      = Problem{"int_type", "Input should be a valid integer"}
	IntParsing   = Problem{"int_parsing", "Input should be a valid integer, unable to parse string as an integer"}
	IntFromFloat = Problem{"int_from_float", "Input should be a valid integer, got a number with a fractional part"}
	UUIDType     = Problem{"uuid_type", "UUID input should be a string, bytes or UUID object"}
	BoolParsing  = Problem{"bool_parsing", "Input should be a valid boolean, unable to interpret input"}
	// JSONInvalid is a body that is not JSON; FastAPI places it at
	// {"body", <character offset of the error>}.
	JSONInvalid = Problem{"json_invalid", "JSON decode error"}
	// ModelAttributesType is a JSON body that is not an object.
	ModelAttributesType = Problem{"model_attributes_type", "Input should be a valid dictionary or object to extract fields from"}
	// IPAnyAddress is the problem of pydantic's IPvAnyAddress.
	IPAnyAddress = Problem{"ip_any_address", "value is not a valid IPv4 or IPv6 address"}
	// StatusEnum is the problem of a status word other than the two of Status.
	StatusEnum = Problem{"enum", "Input should be 'active' or 'inactive'"}
)

// StringTooShort: fewer than limit characters (after trimming, where trimmed).
func StringTooShort(limit int) Problem {
	return Problem{"string_too_short", fmt.Sprintf("String should have at least %d character%s", limit, plural(limit))}
}

// StringTooLong: more than limit characters.
func StringTooLong(limit int) Problem {
	return Problem{"string_too_long", fmt.Sprintf("String should have at most %d character%s", limit, plural(limit))}
}

// GreaterThanEqual: a number below its lower bound.
func GreaterThanEqual(bound int64) Problem {
	return Problem{"greater_than_equal", fmt.Sprintf("Input should be greater than or equal to %d", bound)}
}

// LessThanEqual: a number above its upper bound. The HTTP layer uses it for
// a JSON integer that does not fit int64 (pydantic itself has no such bound).
func LessThanEqual(bound int64) Problem {
	return Problem{"less_than_equal", fmt.Sprintf("Input should be less than or equal to %d", bound)}
}

// UUIDParsing: a string that is not a UUID; the message explains why as
// pydantic does (see UUIDError). input must be a string ParseID rejects.
func UUIDParsing(input string) Problem {
	return Problem{"uuid_parsing", "Input should be a valid UUID, " + UUIDError(input)}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// areaError is an error of this area whose text is safe to show as it is
// (FastAPI answers {"detail": "<text>"}), matching one domain error kind.
type areaError struct {
	kind error
	msg  string
}

func (e *areaError) Error() string { return e.msg }
func (e *areaError) Unwrap() error { return e.kind }

func newError(kind error, format string, args ...any) error {
	return &areaError{kind: kind, msg: fmt.Sprintf(format, args...)}
}

// CodeTaken is the error of a client code the company already uses (by an
// active or an inactive client). It matches domain.ErrConflict.
func CodeTaken(code int64) error {
	return newError(domain.ErrConflict, "client code %d already exists", code)
}

// NameTaken is the error of an equipment name whose NormaliseName key the
// company already uses. It matches domain.ErrConflict.
func NameTaken(name string) error {
	return newError(domain.ErrConflict, "equipment name %q already exists", name)
}

// ClientNotFound, SiteNotFound and EquipmentNotFound match domain.ErrNotFound.
// Use them too for things of another company: a tenant must not learn that
// they exist.
func ClientNotFound(id string) error { return newError(domain.ErrNotFound, "client %s not found", id) }

// SiteNotFound: see ClientNotFound.
func SiteNotFound(id string) error { return newError(domain.ErrNotFound, "site %s not found", id) }

// EquipmentNotFound: see ClientNotFound.
func EquipmentNotFound(id string) error {
	return newError(domain.ErrNotFound, "equipment %s not found", id)
}
