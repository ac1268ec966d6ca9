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
// and '_', at most 64 characters, not a reserved operation name.
func ParseEntityName(s string) (EntityName, error) {
	if err := checkIdentifier(s, "entity name"); err != nil {
		return EntityName{}, err
	}
	for _, r := range reserved {
		if strings.EqualFold(s, r) {
			return EntityName{}, domain.Rejected("%q is a reserved name, not an entity", s)
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
// and '_', at most 64 characters.
func ParseFieldName(s string) (FieldName, error) {
	if err := checkIdentifier(s, "field name"); err != nil {
		return FieldName{}, err
	}
	return FieldName{key: strings.ToLower(s), display: s}, nil
}

// Key is the case-folded name fields are matched by.
func (f FieldName) Key() string { return f.key }

// Display is the spelling given.
func (f FieldName) Display() string { return f.display }

func checkIdentifier(s, what string) error {
	if s == "" {
		return domain.Rejected("%s is empty", what)
	}
	if len(s) > maxNameLen {
		return domain.Rejected("%s %.20q… is longer than %d characters", what, s, maxNameLen)
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return domain.Rejected("%s %q may contain only letters, digits and '_'", what, s)
		}
	}
	return nil
}

// RowCode identifies a row within (project, entity, company). Row codes
// compare exactly: the contract folds entity and field names only.
type RowCode string

// ParseRowCode validates a row code: 1 to 255 characters, no control
// characters, no '/' (a code is a segment of /v1/Data/{codeProjet}/{entity}/{rowCode},
// where a '/' would make a row that no path reaches).
func ParseRowCode(s string) (RowCode, error) {
	switch {
	case s == "":
		return "", domain.Rejected("row code is empty")
	case len(s) > MaxRowCodeLen:
		return "", domain.Rejected("row code is longer than %d bytes", MaxRowCodeLen)
	case strings.Contains(s, "/"):
		return "", domain.Rejected("row code %q contains '/'", s)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return "", domain.Rejected("row code %q contains a control character", s)
		}
	}
	return RowCode(s), nil
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
	return k.Code < o.Code
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

func (c RowCode) String() string { return string(c) }
