package e2e

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	httpapi "github.com/parc-hq/parc/adapters/http"
	"github.com/parc-hq/parc/test/apitest"
	"github.com/parc-hq/parc/test/dbtest"
)

// rawExchange writes head and then body, slowly when gap > 0, on a fresh
// connection, and reads the answer. closed tells whether the server closed
// the connection after answering.
func rawExchange(t *testing.T, addr, head string, body []string, gap time.Duration) (resp *http.Response, closed bool) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, head)
	require.NoError(t, err)
	go func() {
		for _, part := range body {
			if _, err := io.WriteString(conn, part); err != nil {
				return
			}
			time.Sleep(gap)
		}
	}()
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	r := bufio.NewReader(conn)
	resp, err = http.ReadResponse(r, nil)
	require.NoError(t, err)
	_, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	_, err = r.ReadByte()
	return resp, err == io.EOF || isReset(err)
}

func isReset(err error) bool {
	return err != nil && strings.Contains(err.Error(), "reset")
}

func hostileServer(t *testing.T, target *dbtest.Target, opts ...apitest.Option) (*apitest.API, string) {
	api := apitest.New(t, target, opts...)
	srv := httptest.NewServer(api.Handler)
	t.Cleanup(srv.Close)
	return api, strings.TrimPrefix(srv.URL, "http://")
}

func TestBodyDeadlinesAndBudget(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, target *dbtest.Target) {
		api, addr := hostileServer(t, target, func(c *httpapi.Config) {
			c.BodyTimeout = 700 * time.Millisecond
			c.BodyBudget = 1 << 20
		})
		key := api.NewCompany(t).Key

		t.Run("a body sent one byte at a time is refused with 408 and the connection closed", func(t *testing.T) {
			head := "POST /client-data HTTP/1.1\r\nHost: x\r\nAuthorization: " + key +
				"\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
			parts := strings.Split(strings.Repeat("[", 20), "")
			start := time.Now()
			resp, closed := rawExchange(t, addr, head, parts, 200*time.Millisecond)
			assert.Equal(t, http.StatusRequestTimeout, resp.StatusCode)
			assert.True(t, closed, "the connection is closed after a 408")
			assert.Less(t, time.Since(start), 5*time.Second)
		})
		t.Run("a malformed chunked body is refused with 400", func(t *testing.T) {
			head := "POST /v1/Data/P/RelationalDataSet HTTP/1.1\r\nHost: x\r\nAuthorization: " + key +
				"\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
			resp, _ := rawExchange(t, addr, head, []string{"zz\r\n{}\r\n0\r\n\r\n"}, 0)
			assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
		})
		t.Run("a body cut short is refused with 400", func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			require.NoError(t, err)
			defer conn.Close()
			fmt.Fprintf(conn, "POST /client-data HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n[{", key)
			require.NoError(t, conn.(*net.TCPConn).CloseWrite())
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			require.NoError(t, err)
			assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
		})
		t.Run("a body past the bytes-in-flight budget is refused with 503 and Retry-After before it is read", func(t *testing.T) {
			head := fmt.Sprintf("POST /client-data HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", key, 2<<20)
			resp, _ := rawExchange(t, addr, head, nil, 0)
			assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
			assert.Equal(t, "1", resp.Header.Get("Retry-After"))
		})
		t.Run("every answer says nosniff and carries a content policy", func(t *testing.T) {
			for _, path := range []string{"/healthz", "/docs/", "/me", "/nowhere"} {
				resp, err := http.Get("http://" + addr + path)
				require.NoError(t, err)
				resp.Body.Close()
				assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"), path)
				assert.Contains(t, resp.Header.Get("Content-Security-Policy"), "default-src 'none'", path)
			}
		})
	})
}
