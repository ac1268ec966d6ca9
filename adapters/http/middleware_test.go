package httpapi

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMethodLabelIsAServedMethodOrOther(t *testing.T) {
	for method, want := range map[string]string{"GET": "GET", "POST": "POST", "DELETE": "DELETE", "RANDOM1": "other", "get": "other", "": "other"} {
		assert.Equal(t, want, methodLabel(method), method)
	}
}

func TestLoggedTextIsCut(t *testing.T) {
	long := "/" + strings.Repeat("é", 1<<19) // a 1 MiB path
	got := clip(long)
	assert.LessOrEqual(t, len(got), maxLogText+len("…"))
	assert.True(t, strings.HasSuffix(got, "…"))
	assert.Equal(t, "/short", clip("/short"))
}
