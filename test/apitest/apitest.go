// Package apitest drives the real Gin engine, wired to the real adapters on a
// real database, and checks every request and response against the OpenAPI
// document the server publishes, so that the document cannot drift from the
// code.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/stretchr/testify/require"

	httpapi "github.com/parc-hq/parc/adapters/http"
	"github.com/parc-hq/parc/test/dbtest"
)

// AdminToken is the operator token of test servers.
const AdminToken = "test-admin-token"

// API is a server under test.
type API struct {
	Handler http.Handler
	Target  *dbtest.Target
	router  routers.Router
}

// Option adjusts the HTTP configuration of a test server.
type Option func(*httpapi.Config)

// WithBodyLimit sets the request body limit.
func WithBodyLimit(n int64) Option { return func(c *httpapi.Config) { c.BodyLimit = n } }

// WithAdminToken sets the operator token ("" closes the admin API).
func WithAdminToken(tok string) Option { return func(c *httpapi.Config) { c.AdminToken = tok } }

// New builds the engine on the target database.
func New(t testing.TB, target *dbtest.Target, opts ...Option) *API {
	t.Helper()
	// Tests fail authentication on purpose, many times a minute from one
	// address: throttling is lifted unless a test sets it.
	cfg := httpapi.Config{AdminToken: AdminToken, AuthFailuresPerMinute: 1 << 30}
	for _, o := range opts {
		o(&cfg)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	engine := httpapi.NewEngine(cfg, log, Services(target, log))
	return &API{Handler: engine, Target: target, router: openAPIRouter(t)}
}

func init() {
	// The documentation page is HTML; validate it as opaque text.
	openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.PlainBodyDecoder)
	// The inventory agents' bodies and replies: compressed or XML, opaque.
	for _, ct := range []string{"application/x-compress", "application/x-compress-zlib", "application/x-compress-gzip", "application/xml"} {
		openapi3filter.RegisterBodyDecoder(ct, openapi3filter.FileBodyDecoder)
	}
}

func openAPIRouter(t testing.TB) routers.Router {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(httpapi.OpenAPIDocument())
	require.NoError(t, err, "OpenAPI document does not load")
	require.NoError(t, doc.Validate(context.Background()), "OpenAPI document is not valid")
	router, err := gorillamux.NewRouter(doc)
	require.NoError(t, err)
	return router
}

// Request is one call; build it with the API's methods.
type Request struct {
	Method  string
	Path    string // with query string
	Body    []byte
	Header  http.Header
	Invalid bool // deliberately off-contract: skip request validation
}

// Response is what the server answered.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(r.Body, v), "body: %s", r.Body)
}

// Map decodes the body as a JSON object.
func (r *Response) Map(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	r.JSON(t, &m)
	return m
}

// Call sends body (marshalled to JSON unless it is []byte or a string) with
// the key in the Authorization header ("" for none).
func (a *API) Call(t testing.TB, method, path, key string, body any) *Response {
	t.Helper()
	return a.Do(t, Request{Method: method, Path: path, Body: encode(t, body), Header: authHeader(key)})
}

// CallInvalid is Call for a request that is deliberately off-contract (bad
// JSON, missing fields, unknown route): only the response is validated.
func (a *API) CallInvalid(t testing.TB, method, path, key string, body any) *Response {
	t.Helper()
	return a.Do(t, Request{Method: method, Path: path, Body: encode(t, body), Header: authHeader(key), Invalid: true})
}

// Admin calls an /admin endpoint with the operator token.
func (a *API) Admin(t testing.TB, method, path string, body any) *Response {
	t.Helper()
	return a.Do(t, Request{Method: method, Path: path, Body: encode(t, body), Header: authHeader("Bearer " + AdminToken)})
}

func authHeader(key string) http.Header {
	h := http.Header{}
	if key != "" {
		h.Set("Authorization", key)
	}
	return h
}

func encode(t testing.TB, body any) []byte {
	switch b := body.(type) {
	case nil:
		return nil
	case []byte:
		return b
	case string:
		return []byte(b)
	}
	raw, err := json.Marshal(body)
	require.NoError(t, err)
	return raw
}

// Do sends a request through the engine and validates it and its answer
// against the OpenAPI document.
func (a *API) Do(t testing.TB, r Request) *Response {
	t.Helper()
	req := httptest.NewRequest(r.Method, r.Path, bytes.NewReader(r.Body))
	for k, v := range r.Header {
		req.Header[k] = v
	}
	if r.Body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	a.Handler.ServeHTTP(rec, req)
	resp := &Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	a.validate(t, r, resp)
	return resp
}

func (a *API) validate(t testing.TB, r Request, resp *Response) {
	t.Helper()
	ctx := context.Background()
	// A fresh request for the validator: the engine consumed the first body.
	req := httptest.NewRequest(r.Method, "http://localhost"+r.Path, bytes.NewReader(r.Body))
	for k, v := range r.Header {
		req.Header[k] = v
	}
	if r.Body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	route, params, err := a.router.FindRoute(req)
	if err != nil {
		if r.Invalid {
			return // an undocumented route, on purpose
		}
		t.Fatalf("%s %s is not in the OpenAPI document: %v", r.Method, r.Path, err)
	}
	in := &openapi3filter.RequestValidationInput{
		Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true, MultiError: true},
	}
	if !r.Invalid {
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			t.Fatalf("%s %s: the request does not match the OpenAPI document: %v", r.Method, r.Path, err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: resp.Status, Header: resp.Header,
		Body: io.NopCloser(bytes.NewReader(resp.Body)), Options: in.Options,
	}
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		t.Fatalf("%s %s → %d: the response does not match the OpenAPI document: %v\nbody: %s",
			r.Method, r.Path, resp.Status, err, truncate(resp.Body))
	}
}

func truncate(b []byte) string {
	s := string(b)
	if len(s) > 2000 {
		s = s[:2000] + "…"
	}
	return strings.TrimSpace(s)
}

// Company is a tenant created for a test.
type Company struct {
	ID   string
	Code string
	Key  string
}

// NewCompany creates a company through the admin API and returns its first key.
func (a *API) NewCompany(t testing.TB) Company {
	t.Helper()
	code := "T-" + randomCode()
	resp := a.Admin(t, http.MethodPost, "/admin/companies", map[string]string{"code": code, "name": "Test " + code})
	require.Equal(t, http.StatusCreated, resp.Status, "create company: %s", resp.Body)
	var out struct {
		CompanyID string `json:"company_id"`
		APIKey    string `json:"api_key"`
	}
	resp.JSON(t, &out)
	return Company{ID: out.CompanyID, Code: code, Key: out.APIKey}
}
