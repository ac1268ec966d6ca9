package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
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

func TestAClientThatHungUpIsLoggedAs499(t *testing.T) {
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	ctx, cancel := context.WithCancel(context.Background())
	c.Request = httptest.NewRequest("GET", "/", nil).WithContext(ctx)
	c.Status(http.StatusInternalServerError)
	assert.Equal(t, http.StatusInternalServerError, answeredStatus(c))
	cancel()
	assert.Equal(t, StatusClientClosed, answeredStatus(c))
	assert.Equal(t, StatusClientClosed, Classify(fmt.Errorf("query: %w", context.Canceled)).Status)
}

func TestAFailureAfterTheTimeBudgetIs503(t *testing.T) {
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	ctx, cancel := context.WithTimeout(context.Background(), 0)
	defer cancel()
	<-ctx.Done()
	c.Request = httptest.NewRequest("POST", "/", nil).WithContext(ctx)
	p := classifyRequest(c, fmt.Errorf("insert rows: interrupted (9)"))
	assert.Equal(t, http.StatusServiceUnavailable, p.Status)
}
