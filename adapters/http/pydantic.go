package httpapi

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/parc-hq/parc/domain"
	"github.com/parc-hq/parc/domain/client"
)

// The FastAPI translator: the clients area answers 422 bodies in the words
// of the FastAPI service of seed 001 (pydantic v2 and the Rust uuid crate
// pydantic-core reports). The domain reports a problem as a type and the
// values of its rule; its wording is here, with the problems this adapter
// finds itself while decoding a request, before the domain sees a value.

// pyProblem is a pydantic error type with the values of its rule.
type pyProblem struct {
	Type   string
	Params map[string]any
}

// at places the problem at path.
func (p pyProblem) at(path ...any) domain.FieldError {
	return domain.FieldError{Path: path, Type: p.Type, Params: p.Params}
}

// Problems found while decoding.
var (
	pyMissing      = pyProblem{Type: "missing"}
	pyStringType   = pyProblem{Type: "string_type"}
	pyIntType      = pyProblem{Type: "int_type"}
	pyIntParsing   = pyProblem{Type: "int_parsing"}
	pyIntFromFloat = pyProblem{Type: "int_from_float"}
	pyUUIDType     = pyProblem{Type: "uuid_type"}
	pyBoolParsing  = pyProblem{Type: "bool_parsing"}
	// pyJSONInvalid is a body that is not JSON; FastAPI places it at
	// {"body", <character offset of the error>}.
	pyJSONInvalid = pyProblem{Type: "json_invalid"}
	// pyModelAttributesType is a JSON body that is not an object.
	pyModelAttributesType = pyProblem{Type: "model_attributes_type"}
)

// pyGreaterThanEqual: a number below its lower bound.
func pyGreaterThanEqual(bound int64) pyProblem {
	return pyProblem{Type: client.TypeGreaterThanEqual, Params: map[string]any{"ge": bound}}
}

// pyLessThanEqual: a number above its upper bound; also a JSON integer that
// does not fit int64 (pydantic itself has no such bound).
func pyLessThanEqual(bound int64) pyProblem {
	return pyProblem{Type: "less_than_equal", Params: map[string]any{"le": bound}}
}

// fixedWords are the messages of the problem types without parameters.
var fixedWords = map[string]string{
	"missing":               "Field required",
	"string_type":           "Input should be a valid string",
	"int_type":              "Input should be a valid integer",
	"int_parsing":           "Input should be a valid integer, unable to parse string as an integer",
	"int_from_float":        "Input should be a valid integer, got a number with a fractional part",
	"uuid_type":             "UUID input should be a string, bytes or UUID object",
	"bool_parsing":          "Input should be a valid boolean, unable to interpret input",
	"json_invalid":          "JSON decode error",
	"model_attributes_type": "Input should be a valid dictionary or object to extract fields from",
	client.TypeIPAnyAddress: "value is not a valid IPv4 or IPv6 address",
}

// pydanticMessage words a problem as pydantic v2 does ("msg"). A problem
// pydantic has no words for (the text rule's, say) is worded as in the
// default shape (plainWording).
func pydanticMessage(f domain.FieldError) string {
	if s, ok := pydanticWords(f); ok {
		return s
	}
	if s, ok := plainWording.word(f); ok {
		return s
	}
	return f.Type
}

// pydanticWords words the problem types pydantic knows, by type.
func pydanticWords(f domain.FieldError) (string, bool) {
	if w, ok := fixedWords[f.Type]; ok {
		return w, true
	}
	switch f.Type {
	case client.TypeStringTooShort:
		n := intParam(f, "min_length")
		return fmt.Sprintf("String should have at least %d character%s", n, plural(n)), true
	case client.TypeStringTooLong:
		n := intParam(f, "max_length")
		return fmt.Sprintf("String should have at most %d character%s", n, plural(n)), true
	case client.TypeGreaterThanEqual:
		return fmt.Sprintf("Input should be greater than or equal to %d", intParam(f, "ge")), true
	case "less_than_equal":
		return fmt.Sprintf("Input should be less than or equal to %d", intParam(f, "le")), true
	case client.TypeUUIDParsing:
		input, _ := f.Params["input"].(string)
		return "Input should be a valid UUID, " + uuidError(input), true
	case client.TypeEnum:
		expected, _ := f.Params["expected"].([]string)
		return "Input should be " + orList(quoted(expected, "'")), true
	}
	return "", false
}

// orList joins "a", "b", "c" as pydantic does: "a, b or c".
func orList(items []string) string {
	if len(items) <= 1 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

func intParam(f domain.FieldError, name string) int64 {
	switch v := f.Params[name].(type) {
	case int:
		return int64(v)
	case int64:
		return v
	}
	return 0
}

func plural(n int64) string {
	if n == 1 {
		return ""
	}
	return "s"
}

const urnPrefix = "urn:uuid:"

func isHex(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F'
}

// uuidCharError is the start of the message for a character that cannot be
// in a UUID. Recent pydantic-core releases (a newer Rust uuid crate) shorten
// it to "invalid character: found `x` at 1"; this follows the longer wording
// of the releases FastAPI services were deployed with.
const uuidCharError = "invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found"

// uuidError explains why s is not a UUID, in the words of the Rust uuid crate
// that pydantic-core reports (the text after "Input should be a valid UUID, ").
// Its logic is the crate's, quirks included: positions are 1-based byte
// offsets; the first character that is neither a hex digit nor '-' wins;
// otherwise a string without hyphens has a bad length, then the hyphens are
// counted, then the groups measured left to right (the last group's length
// counts the braces or the "urn:uuid:" prefix too, as the crate does).
// The result is meaningless for a valid UUID (client.ParseID accepts it).
func uuidError(s string) string {
	if !utf8.ValidString(s) {
		return "non-UTF8 input"
	}
	body, offset, simple := s, 0, true
	switch {
	case len(s) >= 2 && s[0] == '{' && s[len(s)-1] == '}':
		body, offset, simple = s[1:len(s)-1], 1, false
	case strings.HasPrefix(s, urnPrefix):
		body, offset, simple = s[len(urnPrefix):], len(urnPrefix), false
	}
	hyphens := 0
	var bounds [4]int
	for i, r := range body {
		switch {
		case r == '-':
			if hyphens < 4 {
				bounds[hyphens] = i
			}
			hyphens++
		case !isHex(r):
			return fmt.Sprintf("%s `%c` at %d", uuidCharError, r, i+offset+1)
		}
	}
	switch {
	case hyphens == 0 && simple:
		return fmt.Sprintf("invalid length: expected length 32 for simple format, found %d", len(s))
	case hyphens != 4:
		return fmt.Sprintf("invalid group count: expected 5, found %d", hyphens+1)
	}
	starts := [5]int{0, 9, 14, 19, 24}
	lengths := [5]int{8, 4, 4, 4, 12}
	for g := range 4 {
		if bounds[g] != starts[g+1]-1 {
			return groupLengthError(g, lengths[g], bounds[g]-starts[g])
		}
	}
	return groupLengthError(4, lengths[4], len(s)-starts[4])
}

func groupLengthError(group, want, found int) string {
	return fmt.Sprintf("invalid group length in group %d: expected %d, found %d", group, want, found)
}
