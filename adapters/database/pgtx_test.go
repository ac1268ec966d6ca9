package database

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestInlineIntegers(t *testing.T) {
	for _, c := range []struct {
		query string
		args  []any
		want  string
		ok    bool
	}{
		{"SELECT f($1, $2), g($3)", []any{int32(7), int32(-8), int64(1 << 40)}, "SELECT f((7), (-8)), g((1099511627776))", true},
		{"UPDATE t SET n = $1 WHERE id = $10", []any{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, "UPDATE t SET n = (1) WHERE id = (10)", true},
		{"SELECT 1", nil, "SELECT 1", true},
		{"SELECT f($1)", []any{"x"}, "", false},
		{"SELECT f($2)", []any{1}, "", false},
		{"SELECT 'a$1'", []any{1}, "", false},
		{`SELECT "$1"`, []any{1}, "", false},
		{"SELECT $$x$$", nil, "", false},
		{"SELECT 1; SELECT $1", []any{1}, "", false},
	} {
		got, ok := inlineIntegers(c.query, c.args)
		assert.Equal(t, c.ok, ok, c.query)
		assert.Equal(t, c.want, got, c.query)
	}
}
