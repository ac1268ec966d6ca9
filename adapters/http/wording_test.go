package httpapi

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parc-hq/parc/domain"
	"github.com/parc-hq/parc/domain/account"
	"github.com/parc-hq/parc/domain/inventory"
)

// problem builds a FieldError at path; a rule, when given, goes in Params.
func problem(typ, rule string, params domain.Params, path ...any) domain.FieldError {
	p := domain.Params{}
	for k, v := range params {
		p[k] = v
	}
	if rule != "" {
		p[domain.RuleParam] = rule
	}
	return domain.FieldError{Path: path, Type: typ, Params: p}
}

// Every rule and type of the default shape, with what a client reads.
func TestPlainWording(t *testing.T) {
	type P = domain.Params
	tests := []struct {
		p    domain.FieldError
		want string
	}{
		{problem("missing", "", nil, "code"), "code is required"},
		{problem("string_too_short", "", P{"min_length": 1}, "name"), "name is required"},
		{problem("string_too_long", "", P{"max_length": 200}, "name"), "name must be at most 200 characters"},
		{problem("too_long", "", P{"max_length": 128}, "login"), "login must be at most 128 characters"},
		{problem("greater_than_equal", "", P{"ge": int64(1)}, "limit"), "limit must be at least 1"},
		{problem("less_than_equal", "", P{"le": int64(10000)}, "limit"), "limit must be at most 10000"},
		{problem("enum", "", P{"expected": []string{"active", "disabled", "locked"}}, "status"), `status must be "active", "disabled" or "locked"`},
		{problem("enum", "", P{"expected": []string{"active", "disabled"}}, "status"), `status must be "active" or "disabled"`},
		{problem("int_parsing", "", nil, "srvExport"), "srvExport must be an integer"},
		{problem("cursor", "", nil, "cursor"), "not a cursor this listing answered"},
		{problem("finite_number", "", nil, "n"), "Input should be a finite number"},
		{problem("too_many_problems", "", P{"total": 5001, "listed": 10}), "5001 problems in all; only the first 10 are listed"},
		{problem("too_deep", "", P{"max_depth": 31}, "data", "item", 7, "d"), "a row nests at most 31 levels of objects and arrays, itself included"},

		{problem("pattern", "code_chars", P{"punctuation": "_-."}, "code"), "code may contain only letters, digits, '_', '-' and '.'"},
		{problem("pattern", "code_chars", P{"punctuation": "_-"}, "code"), "code may contain only letters, digits, '_' and '-'"},
		{problem("pattern", "code_chars", P{"punctuation": "_"}, "code"), "code may contain only letters, digits and '_'"},
		{problem("pattern", "utf8", nil, "login"), "login must be valid UTF-8"},
		{problem("pattern", "no_spaces", nil, "login"), "login may not contain spaces or control characters"},
		{problem("value_error", "email", nil, "email"), "email is not a valid address"},

		{problem("greater_than_equal", "non_negative", P{"ge": 0}, "licenses"), "licenses must be 0 or more"},
		{problem("missing", "member_companies", nil, "companies"), "a project needs at least one member company"},
		{problem("value_error", "owner_member", nil, "owner"), "the owner must be one of the member companies"},
		{problem("not_found", "unknown_company", P{"code": "NOPE"}, "companies", 0), `no company has the code "NOPE"`},
		{problem("too_long", "max_accounts", P{"max_length": 10000}, "body"), "a call may carry at most 10000 accounts"},

		{problem("entity_name", "name_empty", P{"of": "entity"}, "entityName"), "entity name is empty"},
		{problem("filter", "name_empty", P{"of": "field"}, "filterFields", 16), "field name is empty"},
		{problem("entity_name", "name_too_long", P{"of": "entity", "value": strings.Repeat("e", 65), "max_length": 64}, "entityName"),
			`entity name "eeeeeeeeeeeeeeeeeeee"… is longer than 64 characters`},
		{problem("field_name", "name_chars", P{"of": "field", "value": "bad name"}, "sortFields", 0, "fieldName"),
			`field name "bad name" may contain only letters, digits and '_'`},
		{problem("entity_name", "reserved_name", P{"value": "Select"}, "entityName"), `"Select" is a reserved name, not an entity`},
		{problem("row_code", "row_code_empty", nil, "rows", 0, "rowCode"), "row code is empty"},
		{problem("row_code", "row_code_too_long", P{"max_length": 255}, "rowCode"), "row code is longer than 255 bytes"},
		{problem("row_code", "row_code_slash", P{"value": "a/b"}, "rowCode"), `row code "a/b" contains '/'`},
		{problem("row_code", "row_code_control", P{"value": "a\x01b"}, "rowCode"), `row code "a\x01b" contains a control character`},
		{problem("row_code", "row_code_json", P{"value": "{}"}, "rows", 1, "rowCode"), "a row code must be a string or a number, not {}"},
		{problem("row_code", "no_row_code", P{"entity": "customer"}, "customer_ID"), "the row has no code: field customer_ID is required"},
		{problem("row_code", "code_changed", P{"code": "C1"}, "customer_ID"), `customer_ID may not change the row's code "C1"`},
		{problem("date", "date_format", P{"value": "x"}, "rows", 2, "srvDateUTC"), `"x" is not a date like 2025-11-06T16:55:01.544123Z`},
		{problem("filter", "date_precision", P{"value": "2025-01-01T00:00:00.1234567Z"}, "filterFields", 9),
			`"2025-01-01T00:00:00.1234567Z" is more precise than a microsecond`},

		{problem("duplicate", "same_field", P{"first": "A", "second": "a"}, "data", "item", 7, "a"),
			`fields "A" and "a" are the same field (names are matched without regard to case)`},
		{problem("value_error", "nul", nil, "n"), `text values may not contain the NUL character (\u0000)`},
		{problem("type", "row_object", nil, "data", "item", 0), "a row must be a JSON object"},
		{problem("field_name", "own_code_field", nil, "relations", 1, "TargetFieldName"), "TargetFieldName may not be the target's own code field"},
		{problem("field_name", "server_field", nil, "relations", 2, "TargetFieldName"), "TargetFieldName may not be a server field"},
		{problem("not_found", "no_source_row", P{"entity": "a", "code": "1"}, "relations", 0), "source row a/1 does not exist"},
		{problem("not_found", "no_target_row", P{"entity": "b", "code": "x"}, "relations", 0), "target row b/x does not exist"},

		{problem("enum", "live_or_deleted", nil, "srvAttrib"), "srvAttrib must be 0 (live rows) or 1 (deleted rows)"},
		{problem("enum", "direction", nil, "sortFields", 1, "direction"), "direction must be ASC or DESC"},
		{problem("too_long", "max_filters", P{"max_length": 50}, "filterFields"), "at most 50 filters"},
		{problem("too_long", "max_sorts", P{"max_length": 10}, "sortFields"), "at most 10 sort fields"},
		{problem("too_long", "max_values", P{"max_length": 1000}, "filterFields", 0, "filterValues"), "at most 1000 filter values in all"},
		{problem("type", "null_value", nil, "filterFields", 13, "filterValues", 1), "a filter value cannot be null"},
		{problem("field_name", "company_code_filter", nil, "filterFields", 14, "fieldName"),
			"rows are not filtered by companyCode: give the companyCode parameter"},
		{problem("filter", "operator", P{"value": "Foo", "expected": []string{"Equal", "StartWith", "GreaterThan", "GreaterThanOrEqual", "LessThan", "LessThanOrEqual"}}, "filterFields", 0),
			`operator "Foo" is not one of Equal, StartWith, GreaterThan, GreaterThanOrEqual, LessThan, LessThanOrEqual`},
		{problem("filter", "no_values", nil, "filterFields", 1), "filterValues needs at least one value"},
		{problem("filter", "one_value", P{"operator": "GreaterThan"}, "filterFields", 2), "GreaterThan takes exactly one value"},
		{problem("filter", "no_start_with", P{"compared": "srvExport"}, "filterFields", 3), "srvExport cannot be compared with StartWith"},
		{problem("filter", "whole_numbers", P{"compared": "srvAttrib"}, "filterFields", 5), "srvAttrib values must be whole numbers"},
		{problem("filter", "date_strings", P{"compared": "srvDateUTC"}, "filterFields", 7), "srvDateUTC values must be dates in strings"},
		{problem("filter", "mixed_values", nil, "filterFields", 10), "filterValues mixes numbers and text"},
		{problem("filter", "start_with_text", nil, "filterFields", 11), "StartWith compares text: give its value as a string"},
		{problem("filter", "value_kind", P{"index": 0}, "filterFields", 12), "filterValues[0] must be a string, a number or a boolean"},

		{problem("type", "json_type", P{"expected": "string", "got": "number"}, "code"), "must be a string, not number"},
		{problem("type", "json_type", P{"expected": "object", "got": "array"}, "body"), "must be an object, not array"},
		{problem("type", "json_type", P{"expected": "array", "got": "number"}, "rows"), "must be an array, not number"},
		{problem("type", "kind", P{"expected": "integer"}, "srvExport"), "srvExport must be an integer"},
		{problem("type", "kind", P{"expected": "string"}, "companyCode"), "companyCode must be a string"},
		{problem("type", "kind", P{"expected": "array"}, "relations"), "relations must be an array"},
		{problem("type", "value_or_array", nil, "filterFields", 0, "filterValues"), "filterValues must be a value or an array of values"},
		{problem("type", "not_object", nil, "body"), "must be an object"},
		{problem("type", "relation_object", nil, "relations", 0), "a relation is an object of names and row codes"},
		{problem("type", "entity_lists", P{"items": "rows"}, "data"), "data must be an object of entity names to arrays of rows"},
		{problem("type", "entity_lists", P{"items": itemRowCodes}, "deletes"), "deletes must be an object of entity names to arrays of row codes"},
		{problem("type", "entity_list", P{"items": "rows"}, "data", "item"), "must be an array of rows"},
		{problem("type", "entity_list", P{"items": itemRowCodes}, "deletes", "x"), "must be an array of row codes"},
		{problem("type", "row_body", nil, "body"), "the row must be a JSON object"},
		{problem("type", "accounts_array", nil, "body"), "the body must be a JSON array of accounts"},
		{problem("duplicate", "same_key", P{"first": "DATA", "second": "Data"}, "Data"), `"DATA" and "Data" are the same key`},
		{problem("string_unicode", ruleTextUTF8, nil, "name"), "Input should be a valid string, unable to parse raw data as a unicode string"},
		{problem("string_unicode", ruleTextNUL, nil, "name"), "Input should be a valid string without NUL characters"},
		{problem("string_unicode", ruleKeyUTF8, nil, `"k\xfe"`), "Input should be a valid string, unable to parse raw data as a unicode string (a key)"},
		{problem("string_unicode", ruleKeyNUL, nil, `"k\x00"`), "Input should be a valid string without NUL characters (a key)"},
		{problem("string_unicode", "query_escape", nil, "query"), "the query string has a malformed escape"},
		{problem("string_too_long", "string_bytes", P{"max_bytes": 8}, "s"), "String should have at most 8 bytes"},
		{problem("string_too_long", "row_bytes", P{"max_bytes": 1 << 20}, "body"), "A row should have at most 1048576 bytes"},
		{problem("too_large", "batch_bytes", P{"max_bytes": int64(64 << 20)}, "body"), "a batch is at most 67108864 bytes"},
		{problem("too_many", "max_entities", P{"max": 65536}, "data", "e"), "a batch names at most 65536 entities"},
	}
	worded := map[string]bool{}
	for _, tt := range tests {
		assert.Equal(t, tt.want, plainWords(tt.p), "%s", tt.p)
		worded[wordingKey(tt.p)] = true
	}
	for key := range plainWording {
		assert.True(t, worded[key], "%q has no case here", key)
	}
}

func wordingKey(f domain.FieldError) string {
	if r := f.Rule(); r != "" {
		return r
	}
	return f.Type
}

// The /client-data requests word their own problems, and the others as
// the default shape does.
func TestInventoryWording(t *testing.T) {
	tests := []struct {
		p    domain.FieldError
		want string
	}{
		{problem("string_type", "", nil, "program"), "must be valid UTF-8 without control characters"},
		{problem("datetime_parsing", "", nil, "changed_since"), "must be an RFC 3339 date-time"},
		{problem("bool_parsing", "", nil, "include_removed"), "must be true or false"},
		{problem("enum", "or_absent", domain.Params{"expected": []string{"full"}}, "mode"), `must be "full" or absent`},
		{problem("greater_than_equal", "", domain.Params{"ge": int64(1)}, "limit"), "limit must be at least 1"},
	}
	worded := map[string]bool{}
	for _, tt := range tests {
		assert.Equal(t, tt.want, inventoryWords(tt.p), "%s", tt.p)
		worded[wordingKey(tt.p)] = true
	}
	for key := range inventoryWording {
		assert.True(t, worded[key], "%q has no case here", key)
	}
	assert.Equal(t, "mode: must be \"full\" or absent; limit: limit must be at least 1",
		problemsText([]domain.FieldError{tests[3].p, tests[4].p}, inventoryWords))
}

func TestRecordWording(t *testing.T) {
	for typ, want := range map[string]string{
		inventory.ProblemNotObject: "must be an object",
		inventory.ProblemMissing:   "field required",
		inventory.ProblemType:      "must be a string",
		inventory.ProblemBlank:     "must not be empty",
		inventory.ProblemUTF8:      "must be valid UTF-8",
		inventory.ProblemControl:   "must not contain control characters (U+0000 to U+001F)",
		inventory.ProblemIP:        "must be an IPv4 or IPv6 address",
	} {
		assert.Equal(t, want, recordWords(inventory.Problem{Type: typ}))
	}
	assert.Equal(t, "must be at most 255 characters",
		recordWords(inventory.Problem{Type: inventory.ProblemTooLong, Params: map[string]any{"max_length": 255}}))
	assert.Len(t, recordWording, 8)
}

func TestAccountResultMessage(t *testing.T) {
	for _, tt := range []struct {
		r    account.Result
		want string
	}{
		{account.Result{Action: account.ActionCreated, Reason: account.ReasonNoLicence}, "no licence left in the project: the account is created disabled"},
		{account.Result{Action: account.ActionUnchanged, Reason: account.ReasonNoLicence}, "no licence left in the project: the account is disabled"},
		{account.Result{Action: account.ActionUpdated, Reason: account.ReasonNoLicence}, "no licence left in the project: the account is disabled"},
		{account.Result{Action: account.ActionRejected, Reason: account.ReasonLoginTaken}, "the login is already used in this project"},
		{account.Result{Action: account.ActionRejected, Reason: account.ReasonDuplicate, FirstIndex: 9}, "the login appears earlier in this call, at index 9"},
		{account.Result{Action: account.ActionRejected, Reason: account.ReasonInvalid, Problems: []domain.FieldError{
			problem("missing", "", nil, "login"), problem("type", "json_type", domain.Params{"expected": "string", "got": "array"}, "status")}},
			"login: login is required; status: must be a string, not array"},
		{account.Result{Action: account.ActionCreated}, ""},
	} {
		assert.Equal(t, tt.want, accountResultMessage(tt.r))
	}
}

// The FastAPI translator words in pydantic's words what pydantic words,
// and the rest as the default shape does.
func TestPydanticFallsBackOnPlainWording(t *testing.T) {
	assert.Equal(t, "Field required", pydanticMessage(problem("missing", "", nil, "nom")))
	assert.Equal(t, "the query string has a malformed escape", pydanticMessage(problem("string_unicode", "query_escape", nil, "query")))
	assert.Equal(t, "no_such_type", pydanticMessage(problem("no_such_type", "", nil, "x")), "an unknown problem reads as its type")
	assert.Equal(t, "no_such_type", plainWords(problem("no_such_type", "", nil, "x")))
}

// Every problem built anywhere in the program (a call of domain.Invalid,
// Refused or ValidationError.Add with literal words, or a literal rule in
// Params) has words in a table: a rule or type added without its wording
// fails here, not in front of a client.
func TestEveryProblemIsWorded(t *testing.T) {
	found := map[string]string{} // rule or type -> where
	for _, dir := range []string{"../../domain", "../../app", "../../adapters"} {
		require.NoError(t, filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			return problemsIn(path, found)
		}))
	}
	require.NotEmpty(t, found)
	for key, where := range found {
		f := domain.FieldError{Type: key}
		_, plain := plainWording.word(f)
		_, inv := inventoryWording.word(f)
		_, py := pydanticWords(f)
		assert.True(t, plain || inv || py, "%s (%s) has no words", key, where)
	}
}

// problemsIn records the literal rules, and the literal types of problems
// built without a rule, of one source file.
func problemsIn(path string, found map[string]string) error {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, path, nil, 0)
	if err != nil {
		return err
	}
	ast.Inspect(file, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.KeyValueExpr:
			if isRuleKey(n.Key) {
				if s, ok := stringLit(n.Value); ok {
					found[s] = fset.Position(n.Pos()).String()
				}
			}
		case *ast.CallExpr:
			name := calledName(n)
			if len(n.Args) == 0 || !slices.Contains([]string{"Invalid", "Refused", "Add"}, name) {
				return true
			}
			s, ok := stringLit(n.Args[0])
			if ok && (name == "Refused" || len(n.Args) > 1 && !hasRule(n.Args[1])) {
				found[s] = fset.Position(n.Pos()).String()
			}
		}
		return true
	})
	return nil
}

func isRuleKey(e ast.Expr) bool {
	switch k := e.(type) {
	case *ast.SelectorExpr:
		return k.Sel.Name == "RuleParam"
	case *ast.Ident:
		return k.Name == "RuleParam"
	}
	return false
}

func hasRule(e ast.Expr) bool {
	lit, ok := e.(*ast.CompositeLit)
	if !ok {
		return !isNil(e) // a variable or a call: its rule is found where it is built
	}
	for _, el := range lit.Elts {
		if kv, ok := el.(*ast.KeyValueExpr); ok && isRuleKey(kv.Key) {
			return true
		}
	}
	return false
}

func isNil(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == "nil"
}

func calledName(c *ast.CallExpr) string {
	switch f := c.Fun.(type) {
	case *ast.SelectorExpr:
		return f.Sel.Name
	case *ast.Ident:
		return f.Name
	}
	return ""
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}
