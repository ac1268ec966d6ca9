package domain_test

import (
	"strings"
	"testing"

	"github.com/parc-hq/parc/domain"
)

func TestTextTrimsAndBounds(t *testing.T) {
	for _, tt := range []struct {
		in       string
		required bool
		want     string
		problem  string
	}{
		{"  Acme \t", true, "Acme", ""},
		{" ", true, "", "name: string_too_short (min_length=1)"},
		{" ", false, "", ""},
		{strings.Repeat("é", 200), true, strings.Repeat("é", 200), ""},
		{strings.Repeat("é", 201), false, "", "name: string_too_long (max_length=200)"},
	} {
		v := &domain.ValidationError{}
		got := domain.Text(v, tt.in, tt.required, domain.MaxNameLen, "name")
		problem := ""
		if len(v.Problems) == 1 {
			problem = v.Problems[0].String()
		}
		if problem != tt.problem || (problem == "" && got != tt.want) {
			t.Errorf("Text(%q) = %q, %q; want %q, %q", tt.in, got, problem, tt.want, tt.problem)
		}
	}
}

func TestPageSizeRefusesOutsideItsBounds(t *testing.T) {
	paging := domain.PageSize{Default: 10, Max: 100}
	for _, tt := range []struct {
		given *int
		want  int
		typ   string
	}{
		{nil, 10, ""},
		{new(1), 1, ""},
		{new(100), 100, ""},
		{new(0), 0, domain.TypeGreaterThanEqual},
		{new(101), 0, domain.TypeLessThanEqual},
	} {
		got, err := paging.Limit(tt.given, "limit")
		typ := ""
		if v, ok := err.(*domain.ValidationError); ok {
			typ = v.Problems[0].Type
		}
		if got != tt.want || typ != tt.typ {
			t.Errorf("Limit(%v) = %d, %v; want %d, %s", tt.given, got, err, tt.want, tt.typ)
		}
	}
}

// A parser's problem has no place and no type until its caller gives them;
// a typed problem keeps its type wherever it is placed.
func TestProblemsArePlacedByTheirCaller(t *testing.T) {
	v := &domain.ValidationError{}
	if !v.AddAt(domain.Refused("row_code_empty", nil), "row_code", "rows", 3, "rowCode") {
		t.Fatal("a refusal is a problem")
	}
	v.AddAt(domain.Invalid("missing", nil, "code"), "ignored", "companies", 0)
	if got, want := v.Detail(), "rows[3].rowCode: row_code (rule=row_code_empty); companies[0].code: missing"; got != want {
		t.Errorf("Detail() = %q, want %q", got, want)
	}
	other := domain.NotFound("project %s not found", "P")
	if v.AddAt(other, "row_code") || domain.InvalidAt(other, "row_code") != error(other) || len(v.Problems) != 2 {
		t.Error("an error that is not a problem is not placed")
	}
	if r := v.Problems[0].Rule(); r != "row_code_empty" {
		t.Errorf("Rule() = %q", r)
	}
}
