// Package dataset holds project data sets: rows of named entities, each a
// JSON object of fields identified by its row code, with the server fields
// srvDateUTC, srvExport and srvAttrib. It decides the RelationalDataSet plan
// (deletes, then creates and merging updates, then relations) and validates
// Select queries, as pure functions over rows loaded by the caller.
package dataset

import (
	"strings"

	"github.com/parc-hq/parc/domain"
)

const (
	maxNameLen = 64
	// MaxRowCodeLen bounds row codes so that they fit an index on every backend.
	MaxRowCodeLen = 255
)

// Reserved entity names: the operation segments of /v1/Data/{codeProjet}/...
var reserved = []string{"Select", "SrvExport", "RelationalDataSet"}

// Names of the server fields a row carries beside its own fields. Fields of
// these names sent by a client are ignored: the server owns them.
const (
	SrvDateUTC  = "srvDateUTC"
	SrvExport   = "srvExport"
	SrvAttrib   = "srvAttrib"
	CompanyCode = "companyCode"
)

var serverFields = []string{SrvDateUTC, SrvExport, SrvAttrib, CompanyCode}

// IsServerField reports whether name (in any case) is a server field.
func IsServerField(name string) bool {
	for _, s := range serverFields {
		if strings.EqualFold(name, s) {
			return true
		}
	}
	return false
}

// EntityName names an entity (the seed's table sw_data_<entity>). Entities
// are matched without regard to case: Key is the lower-cased form, Display
// the spelling first seen.
type EntityName struct {
	key     string
	display string
}

// ParseEntityName validates an entity name: an identifier of letters, digits
// and '_', at most 64 characters (see checkIdentifier), not a reserved
// operation name (rule "reserved_name" {"value"}). Its problems are
// domain.Refused: the caller places them.
func ParseEntityName(s string) (EntityName, error) {
	if err := checkIdentifier(s, "entity"); err != nil {
		return EntityName{}, err
	}
	for _, r := range reserved {
		if strings.EqualFold(s, r) {
			return EntityName{}, domain.Refused("reserved_name", domain.Params{"value": s})
		}
	}
	return EntityName{key: strings.ToLower(s), display: s}, nil
}

// RestoreEntityName rebuilds a stored entity name.
func RestoreEntityName(display string) EntityName {
	return EntityName{key: strings.ToLower(display), display: display}
}

// Key is the case-folded name entities are matched by.
func (e EntityName) Key() string { return e.key }

// Display is the spelling shown.
func (e EntityName) Display() string { return e.display }

// IDField is the key of the field that holds an entity's row codes:
// <entity>_ID, case-folded.
func (e EntityName) IDField() string { return e.key + "_id" }

// FieldName names a field of a row; matched without regard to case.
type FieldName struct {
	key     string
	display string
}

// ParseFieldName validates a field name: an identifier of letters, digits
// and '_', at most 64 characters (see checkIdentifier).
func ParseFieldName(s string) (FieldName, error) {
	if err := checkIdentifier(s, "field"); err != nil {
		return FieldName{}, err
	}
	return FieldName{key: strings.ToLower(s), display: s}, nil
}

// Key is the case-folded name fields are matched by.
func (f FieldName) Key() string { return f.key }

// Display is the spelling given.
func (f FieldName) Display() string { return f.display }

// checkIdentifier is the rule of entity and field names. Its problems are
// domain.Refused, of rule "name_empty", "name_too_long" {"max_length"} or
// "name_chars", with the name as "value" and what it names ("entity",
// "field") as "of".
func checkIdentifier(s, of string) error {
	switch {
	case s == "":
		return domain.Refused("name_empty", domain.Params{"of": of})
	case len(s) > maxNameLen:
		return domain.Refused("name_too_long", domain.Params{"of": of, "value": s, "max_length": maxNameLen})
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return domain.Refused("name_chars", domain.Params{"of": of, "value": s})
		}
	}
	return nil
}

// RowCode identifies a row within (project, entity, company). Row codes
// compare exactly: the contract folds entity and field names only.
//
// A RowCode is made by ParseRowCode (input) or RestoreRowCode (storage)
// only; the zero RowCode is no code.
type RowCode struct{ s string }

// RestoreRowCode rebuilds a stored row code.
func RestoreRowCode(s string) RowCode { return RowCode{s} }

func (c RowCode) String() string { return c.s }

// MarshalText writes the code as its text (JSON, logs).
func (c RowCode) MarshalText() ([]byte, error) { return []byte(c.s), nil }

// ParseRowCode validates a row code: 1 to 255 characters, no control
// characters, no '/' (a code is a segment of /v1/Data/{codeProjet}/{entity}/{rowCode},
// where a '/' would make a row that no path reaches). Its problems are
// domain.Refused, of rule "row_code_empty", "row_code_too_long"
// {"max_length"}, "row_code_slash" or "row_code_control" {"value"}.
func ParseRowCode(s string) (RowCode, error) {
	switch {
	case s == "":
		return RowCode{}, domain.Refused("row_code_empty", nil)
	case len(s) > MaxRowCodeLen:
		return RowCode{}, domain.Refused("row_code_too_long", domain.Params{"max_length": MaxRowCodeLen})
	case strings.Contains(s, "/"):
		return RowCode{}, domain.Refused("row_code_slash", domain.Params{"value": s})
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return RowCode{}, domain.Refused("row_code_control", domain.Params{"value": s})
		}
	}
	return RowCode{s}, nil
}

// RowKey identifies a row within one (project, company) scope.
type RowKey struct {
	Entity string // EntityName.Key()
	Code   RowCode
}

// Less orders keys by entity then code: multi-row writes sorted this way take
// locks in the same order and cannot deadlock each other.
func (k RowKey) Less(o RowKey) bool {
	if k.Entity != o.Entity {
		return k.Entity < o.Entity
	}
	return k.Code.s < o.Code.s
}

// CompareKeys is Less as a three-way comparison, for slices.SortFunc.
func CompareKeys(a, b RowKey) int {
	switch {
	case a == b:
		return 0
	case a.Less(b):
		return -1
	}
	return 1
}
