package client

import (
	"github.com/parc-hq/parc/domain"
)

// Problem types of this area's validation errors. A *domain.ValidationError
// of this package carries, per problem, one of these types and the values
// of the rule it broke (domain.FieldError.Params), never a sentence: the
// HTTP adapter words them (the clients endpoints answer 422 bodies in the
// words of the FastAPI service of seed 001, whose types these are).
const (
	// TypeStringTooShort: fewer than Params["min_length"] characters
	// (after trimming; see domain.Text).
	TypeStringTooShort = domain.TypeStringTooShort
	// TypeStringTooLong: more than Params["max_length"] characters.
	TypeStringTooLong = domain.TypeStringTooLong
	// TypeGreaterThanEqual: a number below Params["ge"].
	TypeGreaterThanEqual = "greater_than_equal"
	// TypeUUIDParsing: Params["input"] is not a UUID (see ParseID).
	TypeUUIDParsing = "uuid_parsing"
	// TypeIPAnyAddress: not an IPv4 or IPv6 address (see ParseIP).
	TypeIPAnyAddress = "ip_any_address"
	// TypeEnum: not one of Params["expected"] ([]string).
	TypeEnum = "enum"
)

// problem is one problem of type typ with its rule's values, at path.
func problem(typ string, params map[string]any, path ...any) domain.FieldError {
	return domain.FieldError{Path: path, Type: typ, Params: params}
}

// invalid is one problem as a *domain.ValidationError.
func invalid(typ string, params map[string]any, path ...any) *domain.ValidationError {
	return &domain.ValidationError{Problems: []domain.FieldError{problem(typ, params, path...)}}
}

// CodeTaken is the error of a client code the company already uses (by an
// active or an inactive client). It matches domain.ErrConflict.
func CodeTaken(code int64) error {
	return domain.Conflict("client code %d already exists", code)
}

// NameTaken is the error of an equipment name whose NormaliseName key the
// company already uses. It matches domain.ErrConflict.
func NameTaken(name string) error {
	return domain.Conflict("equipment name %q already exists", name)
}

// ClientNotFound, SiteNotFound and EquipmentNotFound match domain.ErrNotFound.
// Use them too for things of another company: a tenant must not learn that
// they exist.
func ClientNotFound(id string) error { return domain.NotFound("client %s not found", id) }

// SiteNotFound: see ClientNotFound.
func SiteNotFound(id string) error { return domain.NotFound("site %s not found", id) }

// EquipmentNotFound: see ClientNotFound.
func EquipmentNotFound(id string) error { return domain.NotFound("equipment %s not found", id) }

// inactive is the refusal to attach something to an inactive client or site.
func inactive(what, id string) error { return domain.Conflict("%s %s is inactive", what, id) }
