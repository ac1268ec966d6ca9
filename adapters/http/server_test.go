package httpapi_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	httpapi "github.com/parc-hq/parc/adapters/http"
)

// A stop (SIGINT/SIGTERM in parc serve) must let a request already being
// served finish with its answer, and refuse new connections.
func TestStopDrainsRequestsInFlight(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	engine := gin.New()
	started := make(chan struct{})
	engine.GET("/slow", func(c *gin.Context) {
		close(started)
		time.Sleep(300 * time.Millisecond)
		c.String(http.StatusOK, "finished")
	})
	srv := httpapi.NewServer(httpapi.Config{Addr: "127.0.0.1:0"}, engine, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, srv.Start(context.Background()))
	url := "http://" + srv.Addr() + "/slow"

	type result struct {
		status int
		body   string
		err    error
	}
	answered := make(chan result, 1)
	go func() {
		resp, err := http.Get(url)
		if err != nil {
			answered <- result{err: err}
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		answered <- result{status: resp.StatusCode, body: string(body), err: err}
	}()
	<-started

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, srv.Stop(ctx), "stop waits for the request instead of timing out")

	got := <-answered
	require.NoError(t, got.err)
	assert.Equal(t, http.StatusOK, got.status)
	assert.Equal(t, "finished", got.body)

	_, err := http.Get(url)
	assert.Error(t, err, "a stopped server accepts no new connection")
}
