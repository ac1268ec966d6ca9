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
		{" ", true, "", "name|string_too_short|name is required"},
		{" ", false, "", ""},
		{strings.Repeat("é", 200), true, strings.Repeat("é", 200), ""},
		{strings.Repeat("é", 201), false, "", "name|string_too_long|name must be at most 200 characters"},
	} {
		v := &domain.ValidationError{}
		got := domain.Text(v, tt.in, tt.required, domain.MaxNameLen, "name")
		problem := ""
		if len(v.Problems) == 1 {
			p := v.Problems[0]
			problem = p.PathString() + "|" + p.Type + "|" + p.Message
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
