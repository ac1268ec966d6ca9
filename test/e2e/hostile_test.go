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
			head := func(n int) string {
				return fmt.Sprintf("POST /client-data HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", key, n)
			}
			holder, err := net.Dial("tcp", addr) // holds 800 kB of the 1 MiB budget while its body trickles
			require.NoError(t, err)
			defer holder.Close()
			_, err = io.WriteString(holder, head(800_000)+"[")
			require.NoError(t, err)
			time.Sleep(150 * time.Millisecond)
			resp, _ := rawExchange(t, addr, head(500_000), nil, 0)
			assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
			assert.Equal(t, "1", resp.Header.Get("Retry-After"))

			time.Sleep(time.Second) // the holder timed out: its reservation is back
			resp, _ = rawExchange(t, addr, head(2), []string{"[]"}, 0)
			assert.NotEqual(t, http.StatusServiceUnavailable, resp.StatusCode)
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

// Text a client sends that is not valid UTF-8, holds NUL, or a number no
// float64 holds, is refused with the area's 4xx naming the value: alike on
// every backend, before any of them sees it.
func TestTextRuleOnEveryBackend(t *testing.T) {
	eachBackend(t, func(t *testing.T, api *apitest.API) {
		p := newDataProject(t, api)
		key := p.owner.Key
		big := `"` + strings.Repeat("x", 2<<20) + `"`
		for _, tc := range []struct {
			name, method, path, body string
			status                   int
			where, typ               string // in the body: the location and the problem type
		}{
			{"invalid UTF-8 in a project code", "GET", "/v1/Data/%FF/customer", "", 422, "path.codeProjet", "string_unicode"},
			{"NUL in an entity name", "GET", p.path("cust%00omer"), "", 422, "path.entity", "string_unicode"},
			{"NUL in a query value", "GET", "/v1/Accounts/" + p.code + "?companyCode=%00", "", 422, "query.companyCode", "string_unicode"},
			{"a malformed query escape", "GET", p.path("customer") + "?limit=%zz", "", 422, "query", "string_unicode"},
			{"NUL in a client's name", "POST", "/clients/register", `{"nom":"a\u0000b","code":901}`, 422, `"body","nom"`, "string_unicode"},
			{"raw bytes in a client's name", "POST", "/clients/register", "{\"nom\":\"\xff\xfe\",\"code\":902}", 422, `"body","nom"`, "string_unicode"},
			{"a lone surrogate in a data row", "POST", p.path("RelationalDataSet"), `{"data":{"e":[{"e_ID":"r0","a":"\ud800"}]}}`, 422, "data.e[0].a", "string_unicode"},
			{"raw bytes in a data row", "POST", p.path("RelationalDataSet"), "{\"data\":{\"e\":[{\"e_ID\":\"r0\",\"a\":\"\xff\xfe\"}]}}", 422, "data.e[0].a", "string_unicode"},
			{"a number beyond float64 in a data row", "POST", p.path("RelationalDataSet"), `{"data":{"e":[{"e_ID":"r0","a":1e999999}]}}`, 422, "data.e[0].a", "finite_number"},
			{"a number beyond float64 in a created row", "POST", p.path("e"), `{"e_ID":"r1","a":-1e999999}`, 422, "a", "finite_number"},
			{"NUL deep in a Select filter", "POST", p.path("Select"), `{"entityName":"e","filterFields":[{"fieldName":"a","operator":"=","filterValues":["\u0000"]}]}`, 422, "filterFields[0].filterValues[0]", "string_unicode"},
			{"NUL in a SrvExport row code", "POST", p.path("SrvExport"), `{"entityName":"e","srvExport":1,"rows":[{"rowCode":"a\u0000"}]}`, 422, "rows[0].rowCode", "string_unicode"},
			{"NUL in an account login", "POST", "/v1/Accounts/" + p.code, `[{"login":"a\u0000","email":"a@b.c","name":"A","status":"active"}]`, 422, "[0].login", "string_unicode"},
			{"a 2 MiB row value", "POST", p.path("RelationalDataSet"), `{"data":{"e":[{"e_ID":"r0","a":` + big + `}]}}`, 422, "data.e[0].a", "string_too_long"},
			{"a 2 MiB row of numbers", "POST", p.path("e"), `{"e_ID":"r2","a":[` + strings.Repeat("1,", 1<<20) + `1]}`, 422, "body", "string_too_long"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var body any
				if tc.body != "" {
					body = tc.body
				}
				resp := api.CallInvalid(t, tc.method, tc.path, key, body)
				require.Equal(t, tc.status, resp.Status, "%s", truncated(resp.Body))
				assert.Contains(t, string(resp.Body), tc.where)
				assert.Contains(t, string(resp.Body), tc.typ)
			})
		}
		t.Run("the admin API refuses bad bytes in a path with 422", func(t *testing.T) {
			resp := api.Do(t, apitest.Request{Method: "GET", Path: "/admin/companies/%FF/keys", Invalid: true,
				Header: http.Header{"Authorization": {"Bearer " + apitest.AdminToken}}})
			require.Equal(t, 422, resp.Status, "%s", resp.Body)
			assert.Contains(t, string(resp.Body), "path.company_id")
		})
		t.Run("a push keeps its per-record rule: bad bytes reject their record only", func(t *testing.T) {
			resp := api.CallInvalid(t, "POST", "/client-data", key,
				"[{\"computer_name\":\"PC-1\",\"program\":\"Zip\",\"version\":\"1\"},{\"computer_name\":\"PC-1\",\"program\":\"\\ud800\",\"version\":\"1\"}]")
			require.Equal(t, 200, resp.Status, "%s", resp.Body)
			assert.Contains(t, string(resp.Body), `"field":"program","message":"must be valid UTF-8"`)
		})
	})
}

func truncated(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}

func getWith(t *testing.T, url, auth, forwardedFor string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if forwardedFor != "" {
		req.Header.Set("X-Forwarded-For", forwardedFor)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// Failed authentications are throttled by address and by key prefix; a
// forwarded-for header counts only from a trusted proxy.
func TestGuessingIsThrottled(t *testing.T) {
	target := dbtest.Get(t, dbtest.Backends()[0])
	t.Run("by address and by prefix, behind a trusted proxy", func(t *testing.T) {
		api, addr := hostileServer(t, target, func(c *httpapi.Config) {
			c.AuthFailuresPerMinute = 5
			c.TrustedProxies = []string{"127.0.0.1"}
		})
		valid := api.NewCompany(t).Key
		victim := api.NewCompany(t).Key
		wrong := victim[:14] + strings.Repeat("a", 32) // the victim's prefix, a wrong secret
		base := "http://" + addr
		for i := range 5 {
			assert.Equal(t, 401, getWith(t, base+"/me", wrong, fmt.Sprintf("198.51.100.%d", i)).StatusCode)
		}
		resp := getWith(t, base+"/me", wrong, "198.51.100.99")
		assert.Equal(t, 429, resp.StatusCode, "the prefix is spent, whatever the address")
		assert.NotEmpty(t, resp.Header.Get("Retry-After"))
		assert.Equal(t, 200, getWith(t, base+"/me", valid, "198.51.100.99").StatusCode, "another prefix from a fresh address is not slowed")

		for range 5 {
			assert.Equal(t, 401, getWith(t, base+"/admin/companies", "Bearer guess", "203.0.113.7").StatusCode)
		}
		assert.Equal(t, 429, getWith(t, base+"/admin/companies", "Bearer guess", "203.0.113.7").StatusCode)
		assert.Equal(t, 429, getWith(t, base+"/me", valid, "203.0.113.7").StatusCode, "the address is spent")
		assert.Equal(t, 200, getWith(t, base+"/admin/companies", "Bearer "+apitest.AdminToken, "203.0.113.8").StatusCode)
	})
	t.Run("failed agent Basic authentications count too", func(t *testing.T) {
		_, addr := hostileServer(t, target, func(c *httpapi.Config) { c.AuthFailuresPerMinute = 3 })
		statuses := []int{}
		for range 4 {
			req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/ocsinventory", strings.NewReader("<REQUEST/>"))
			require.NoError(t, err)
			req.SetBasicAuth("agent", "parc_abcdefgh_"+strings.Repeat("a", 32))
			req.Header.Set("Content-Type", "application/xml")
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			statuses = append(statuses, resp.StatusCode)
		}
		assert.Equal(t, []int{401, 401, 401, 429}, statuses)
	})
	t.Run("a forwarded-for header from an untrusted peer is ignored", func(t *testing.T) {
		api, addr := hostileServer(t, target, func(c *httpapi.Config) { c.AuthFailuresPerMinute = 3 })
		valid := api.NewCompany(t).Key
		for i := range 3 {
			getWith(t, "http://"+addr+"/admin/companies", "Bearer guess", fmt.Sprintf("198.51.100.%d", i))
		}
		assert.Equal(t, 429, getWith(t, "http://"+addr+"/me", valid, "198.51.100.200").StatusCode,
			"every guess counted against the peer's own address")
	})
}
