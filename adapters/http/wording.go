package httpapi

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/parc-hq/parc/domain"
	"github.com/parc-hq/parc/domain/account"
	"github.com/parc-hq/parc/domain/inventory"
)

// The wording of problems. The domain, the use cases and this adapter's
// decoders report a problem as a type and the values of its rule
// (domain.FieldError), never a sentence; what a client reads is written
// here, one table per answer shape where the shapes differ:
//
//   - plainWording: the default shape ({"error", "message", "details"}),
//     which the data sets, accounts and admin routes answer, and the CLI;
//   - inventoryWording, over plainWording: the problems of /client-data
//     requests ("invalid request: path: words; ...");
//   - recordWording: the rejected records of a push;
//   - accountResultMessage: the results of a bulk account call;
//   - the FastAPI translator (pydantic.go): the clients area, in
//     pydantic's words, over plainWording for the problems pydantic has no
//     words for.
//
// A problem is worded by its rule (domain.RuleParam) when it has one, else
// by its type; a problem nobody words reads as its type.

// problemWords is what a wording reads of a problem.
type problemWords struct{ f domain.FieldError }

// field is the name the problem is about: the last name of its path.
func (w problemWords) field() string {
	for i := len(w.f.Path) - 1; i >= 0; i-- {
		if s, ok := w.f.Path[i].(string); ok {
			return s
		}
	}
	return "the value"
}

func (w problemWords) int(name string) int64 { return intParam(w.f, name) }

func (w problemWords) str(name string) string {
	s, _ := w.f.Params[name].(string)
	return s
}

func (w problemWords) list(name string) []string {
	l, _ := w.f.Params[name].([]string)
	return l
}

// wording is a table of words by rule or type.
type wording map[string]func(w problemWords) string

// word words f when the table knows its rule (or, without one, its type).
func (t wording) word(f domain.FieldError) (string, bool) {
	key := f.Rule()
	if key == "" {
		key = f.Type
	}
	if word, ok := t[key]; ok {
		return word(problemWords{f}), true
	}
	return "", false
}

// plainWords words a problem of the default shape: plainWording, else
// pydantic's words, else its type.
func plainWords(f domain.FieldError) string {
	if s, ok := plainWording.word(f); ok {
		return s
	}
	if s, ok := pydanticWords(f); ok {
		return s
	}
	return f.Type
}

// inventoryWords words a problem of a /client-data request.
func inventoryWords(f domain.FieldError) string {
	if s, ok := inventoryWording.word(f); ok {
		return s
	}
	return plainWords(f)
}

// problemsText lists problems as "path: words; ...".
func problemsText(problems []domain.FieldError, words func(domain.FieldError) string) string {
	parts := make([]string, len(problems))
	for i, p := range problems {
		parts[i] = words(p)
		if path := p.PathString(); path != "" {
			parts[i] = path + ": " + parts[i]
		}
	}
	return strings.Join(parts, "; ")
}

// ProblemsText words problems as the default shape does, "path: words;
// ...", for the command line.
func ProblemsText(problems []domain.FieldError) string { return problemsText(problems, plainWords) }

// The text rule's words are pydantic's, which has no words for a NUL.
const (
	msgInvalidUTF8 = "Input should be a valid string, unable to parse raw data as a unicode string"
	msgNUL         = "Input should be a valid string without NUL characters"
)

// plainWording is the default shape's table. Most sentences name the field
// they are about (the last name of the path).
var plainWording = wording{
	// Types whose words say it all.
	"missing":            func(w problemWords) string { return w.field() + " is required" },
	"string_too_short":   func(w problemWords) string { return w.field() + " is required" },
	"string_too_long":    atMostCharacters,
	"too_long":           atMostCharacters,
	"greater_than_equal": func(w problemWords) string { return fmt.Sprintf("%s must be at least %d", w.field(), w.int("ge")) },
	"less_than_equal":    func(w problemWords) string { return fmt.Sprintf("%s must be at most %d", w.field(), w.int("le")) },
	"enum":               func(w problemWords) string { return w.field() + " must be " + orList(quoted(w.list("expected"), `"`)) },
	"int_parsing":        func(w problemWords) string { return w.field() + " must be an integer" },
	"cursor":             func(problemWords) string { return "not a cursor this listing answered" },
	"finite_number":      func(problemWords) string { return "Input should be a finite number" },
	"too_many_problems": func(w problemWords) string {
		return fmt.Sprintf("%d problems in all; only the first %d are listed", w.int("total"), w.int("listed"))
	},
	"too_deep": func(w problemWords) string {
		return fmt.Sprintf("a row nests at most %d levels of objects and arrays, itself included", w.int("max_depth"))
	},

	// Codes, logins, addresses (domain, account).
	"code_chars": func(w problemWords) string {
		return w.field() + " may contain only letters, digits" + quotedChars(w.str("punctuation"))
	},
	"utf8":      func(w problemWords) string { return w.field() + " must be valid UTF-8" },
	"no_spaces": func(w problemWords) string { return w.field() + " may not contain spaces or control characters" },
	"email":     func(w problemWords) string { return w.field() + " is not a valid address" },

	// Projects and bulk calls (project, app).
	"non_negative":     func(w problemWords) string { return fmt.Sprintf("%s must be %d or more", w.field(), w.int("ge")) },
	"member_companies": func(problemWords) string { return "a project needs at least one member company" },
	"owner_member":     func(problemWords) string { return "the owner must be one of the member companies" },
	"unknown_company":  func(w problemWords) string { return fmt.Sprintf("no company has the code %q", w.str("code")) },
	"max_accounts": func(w problemWords) string {
		return fmt.Sprintf("a call may carry at most %d accounts", w.int("max_length"))
	},

	// Names and row codes (dataset).
	"name_empty": func(w problemWords) string { return w.str("of") + " name is empty" },
	"name_too_long": func(w problemWords) string {
		return fmt.Sprintf("%s name %.20q… is longer than %d characters", w.str("of"), w.str("value"), w.int("max_length"))
	},
	"name_chars": func(w problemWords) string {
		return fmt.Sprintf("%s name %q may contain only letters, digits and '_'", w.str("of"), w.str("value"))
	},
	"reserved_name": func(w problemWords) string {
		return fmt.Sprintf("%q is a reserved name, not an entity", w.str("value"))
	},
	"row_code_empty": func(problemWords) string { return "row code is empty" },
	"row_code_too_long": func(w problemWords) string {
		return fmt.Sprintf("row code is longer than %d bytes", w.int("max_length"))
	},
	"row_code_slash": func(w problemWords) string { return fmt.Sprintf("row code %q contains '/'", w.str("value")) },
	"row_code_control": func(w problemWords) string {
		return fmt.Sprintf("row code %q contains a control character", w.str("value"))
	},
	"row_code_json": func(w problemWords) string { return "a row code must be a string or a number, not " + w.str("value") },
	"no_row_code": func(w problemWords) string {
		return fmt.Sprintf("the row has no code: field %s_ID is required", w.str("entity"))
	},
	"code_changed": func(w problemWords) string {
		return fmt.Sprintf("%s may not change the row's code %q", w.field(), w.str("code"))
	},
	"date_format": func(w problemWords) string {
		return fmt.Sprintf("%q is not a date like 2025-11-06T16:55:01.544123Z", w.str("value"))
	},
	"date_precision": func(w problemWords) string {
		return fmt.Sprintf("%q is more precise than a microsecond", w.str("value"))
	},

	// Rows and batches (dataset).
	"same_field": func(w problemWords) string {
		return fmt.Sprintf("fields %q and %q are the same field (names are matched without regard to case)", w.str("first"), w.str("second"))
	},
	"nul":            func(problemWords) string { return `text values may not contain the NUL character (\u0000)` },
	"row_object":     func(problemWords) string { return "a row must be a JSON object" },
	"own_code_field": func(w problemWords) string { return w.field() + " may not be the target's own code field" },
	"server_field":   func(w problemWords) string { return w.field() + " may not be a server field" },
	"no_source_row": func(w problemWords) string {
		return fmt.Sprintf("source row %s/%s does not exist", w.str("entity"), w.str("code"))
	},
	"no_target_row": func(w problemWords) string {
		return fmt.Sprintf("target row %s/%s does not exist", w.str("entity"), w.str("code"))
	},

	// Select queries (dataset).
	"live_or_deleted": func(w problemWords) string { return w.field() + " must be 0 (live rows) or 1 (deleted rows)" },
	"direction":       func(w problemWords) string { return w.field() + " must be ASC or DESC" },
	"max_filters":     func(w problemWords) string { return fmt.Sprintf("at most %d filters", w.int("max_length")) },
	"max_sorts":       func(w problemWords) string { return fmt.Sprintf("at most %d sort fields", w.int("max_length")) },
	"max_values": func(w problemWords) string {
		return fmt.Sprintf("at most %d filter values in all", w.int("max_length"))
	},
	"null_value": func(problemWords) string { return "a filter value cannot be null" },
	"company_code_filter": func(problemWords) string {
		return "rows are not filtered by companyCode: give the companyCode parameter"
	},
	"operator": func(w problemWords) string {
		return fmt.Sprintf("operator %q is not one of %s", w.str("value"), strings.Join(w.list("expected"), ", "))
	},
	"no_values":       func(problemWords) string { return "filterValues needs at least one value" },
	"one_value":       func(w problemWords) string { return w.str("operator") + " takes exactly one value" },
	"no_start_with":   func(w problemWords) string { return w.str("compared") + " cannot be compared with StartWith" },
	"whole_numbers":   func(w problemWords) string { return w.str("compared") + " values must be whole numbers" },
	"date_strings":    func(w problemWords) string { return w.str("compared") + " values must be dates in strings" },
	"mixed_values":    func(problemWords) string { return "filterValues mixes numbers and text" },
	"start_with_text": func(problemWords) string { return "StartWith compares text: give its value as a string" },
	"value_kind": func(w problemWords) string {
		return fmt.Sprintf("filterValues[%d] must be a string, a number or a boolean", w.int("index"))
	},

	// This adapter's decoders (json.go, text.go, dataset.go, account.go).
	"json_type": func(w problemWords) string {
		return fmt.Sprintf("must be %s, not %s", kindWords(w.str("expected")), w.str("got"))
	},
	"kind":            func(w problemWords) string { return w.field() + " must be " + kindWords(w.str("expected")) },
	"value_or_array":  func(w problemWords) string { return w.field() + " must be a value or an array of values" },
	"not_object":      func(problemWords) string { return "must be an object" },
	"relation_object": func(problemWords) string { return "a relation is an object of names and row codes" },
	"entity_lists": func(w problemWords) string {
		return fmt.Sprintf("%s must be an object of entity names to arrays of %s", w.field(), itemWords(w.str("items")))
	},
	"entity_list":    func(w problemWords) string { return "must be an array of " + itemWords(w.str("items")) },
	"row_body":       func(problemWords) string { return "the row must be a JSON object" },
	"accounts_array": func(problemWords) string { return "the body must be a JSON array of accounts" },
	"same_key": func(w problemWords) string {
		return fmt.Sprintf("%q and %q are the same key", w.str("first"), w.str("second"))
	},
	ruleTextUTF8:   func(problemWords) string { return msgInvalidUTF8 },
	ruleTextNUL:    func(problemWords) string { return msgNUL },
	ruleKeyUTF8:    func(problemWords) string { return msgInvalidUTF8 + " (a key)" },
	ruleKeyNUL:     func(problemWords) string { return msgNUL + " (a key)" },
	"query_escape": func(problemWords) string { return "the query string has a malformed escape" },
	"string_bytes": func(w problemWords) string {
		return fmt.Sprintf("String should have at most %d bytes", w.int("max_bytes"))
	},
	"row_bytes": func(w problemWords) string {
		return fmt.Sprintf("A row should have at most %d bytes", w.int("max_bytes"))
	},
	"batch_bytes": func(w problemWords) string {
		return fmt.Sprintf("a batch is at most %d bytes", w.int("max_bytes"))
	},
	"max_entities": func(w problemWords) string {
		return fmt.Sprintf("a batch names at most %d entities", w.int("max"))
	},
}

// inventoryWording is the /client-data requests' table: their sentences
// follow the path they are printed after.
var inventoryWording = wording{
	"string_type":      func(problemWords) string { return "must be valid UTF-8 without control characters" },
	"datetime_parsing": func(problemWords) string { return "must be an RFC 3339 date-time" },
	"bool_parsing":     func(problemWords) string { return "must be true or false" },
	"or_absent": func(w problemWords) string {
		return "must be " + orList(quoted(w.list("expected"), `"`)) + " or absent"
	},
}

// recordWording words the problems of the records of a push, by type
// (inventory.Problem).
var recordWording = map[string]func(p inventory.Problem) string{
	inventory.ProblemNotObject: func(inventory.Problem) string { return "must be an object" },
	inventory.ProblemMissing:   func(inventory.Problem) string { return "field required" },
	inventory.ProblemType:      func(inventory.Problem) string { return "must be a string" },
	inventory.ProblemBlank:     func(inventory.Problem) string { return "must not be empty" },
	inventory.ProblemUTF8:      func(inventory.Problem) string { return "must be valid UTF-8" },
	inventory.ProblemControl:   func(inventory.Problem) string { return "must not contain control characters (U+0000 to U+001F)" },
	inventory.ProblemIP:        func(inventory.Problem) string { return "must be an IPv4 or IPv6 address" },
	inventory.ProblemTooLong: func(p inventory.Problem) string {
		return fmt.Sprintf("must be at most %d characters", intParam(domain.FieldError{Params: p.Params}, "max_length"))
	},
}

// recordWords words a record's problem.
func recordWords(p inventory.Problem) string {
	if word, ok := recordWording[p.Type]; ok {
		return word(p)
	}
	return p.Type
}

// accountResultMessage says why a bulk account result differs from what
// was asked ("" when it does not).
func accountResultMessage(r account.Result) string {
	switch r.Reason {
	case account.ReasonNoLicence:
		if r.Action == account.ActionCreated {
			return "no licence left in the project: the account is created disabled"
		}
		return "no licence left in the project: the account is disabled"
	case account.ReasonLoginTaken:
		return "the login is already used in this project"
	case account.ReasonDuplicate:
		return "the login appears earlier in this call, at index " + strconv.Itoa(r.FirstIndex)
	case account.ReasonInvalid:
		return problemsText(r.Problems, plainWords)
	}
	return ""
}

func atMostCharacters(w problemWords) string {
	return fmt.Sprintf("%s must be at most %d characters", w.field(), w.int("max_length"))
}

// kindWords names a JSON kind with its article: "a string", "an array".
func kindWords(kind string) string {
	switch kind {
	case "array", "object", "integer":
		return "an " + kind
	}
	return "a " + kind
}

// expectedKind is the problem of a member of the wrong JSON kind (integer,
// string, array, ...).
func expectedKind(kind string) domain.Params {
	return domain.Params{domain.RuleParam: "kind", "expected": kind}
}

// itemRowCodes is what the lists of a batch's "deletes" hold (those of
// "data" hold "rows"), as its problems name it.
const itemRowCodes = "row_codes"

// itemWords names what the lists of a batch member hold.
func itemWords(items string) string {
	if items == itemRowCodes {
		return "row codes"
	}
	return items
}

// quoted puts each item between q.
func quoted(items []string, q string) []string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = q + s + q
	}
	return out
}

// quotedChars writes ", '_' and '-'" for "_-", " and '_'" for "_", ""
// for none.
func quotedChars(chars string) string {
	var each []string
	for _, r := range chars {
		each = append(each, "'"+string(r)+"'")
	}
	switch n := len(each); n {
	case 0:
		return ""
	case 1:
		return " and " + each[0]
	default:
		return ", " + strings.Join(each[:n-1], ", ") + " and " + each[n-1]
	}
}
