package swaggerui

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func serve(t *testing.T, name string, header http.Header) *http.Response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/docs/"+name, nil)
	req.Header = header
	rec := httptest.NewRecorder()
	require.True(t, Serve(rec, req, name), name)
	return rec.Result()
}

func TestBundleIsServedCompressedAndCacheable(t *testing.T) {
	resp := serve(t, "swagger-ui-bundle.js", http.Header{"Accept-Encoding": {"br;q=1.0, gzip;q=0.8"}})
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "gzip", resp.Header.Get("Content-Encoding"))
	assert.Equal(t, "public, max-age=86400", resp.Header.Get("Cache-Control"))
	assert.Contains(t, resp.Header.Get("Content-Type"), "javascript")
	zr, err := gzip.NewReader(resp.Body)
	require.NoError(t, err)
	body, err := io.ReadAll(zr)
	require.NoError(t, err)
	assert.Contains(t, string(body), "SwaggerUIBundle")
	compressed := resp.ContentLength
	assert.Less(t, compressed, int64(len(body))/2, "gzip at least halves the bundle")

	etag := resp.Header.Get("ETag")
	require.NotEmpty(t, etag)
	again := serve(t, "swagger-ui-bundle.js", http.Header{"If-None-Match": {etag}})
	assert.Equal(t, http.StatusNotModified, again.StatusCode)

	plain := serve(t, "swagger-ui-bundle.js", http.Header{"Accept-Encoding": {"gzip;q=0"}})
	assert.Empty(t, plain.Header.Get("Content-Encoding"))
	assert.Equal(t, int64(len(body)), plain.ContentLength)
}

func TestPageLoadsOurDocumentOffline(t *testing.T) {
	page := serve(t, "", http.Header{})
	assert.Equal(t, "no-cache", page.Header.Get("Cache-Control"))
	body, _ := io.ReadAll(page.Body)
	assert.Contains(t, string(body), `src="docs/swagger-ui-bundle.js"`)
	init := serve(t, "swagger-initializer.js", http.Header{})
	js, _ := io.ReadAll(init.Body)
	assert.Contains(t, string(js), `url: "openapi.json"`)
	assert.Contains(t, string(js), "validatorUrl: null")
	assert.False(t, Serve(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/docs/x", nil), "x"))
	assert.False(t, strings.Contains(string(body), "petstore"))
}

// The embedded files are the release the tools pin (make swagger-ui copies
// them from there).
func TestVersionIsThePinnedPackage(t *testing.T) {
	raw, err := os.ReadFile("../../../tools/redocly/package.json")
	require.NoError(t, err)
	var pkg struct {
		DevDependencies map[string]string `json:"devDependencies"`
	}
	require.NoError(t, json.Unmarshal(raw, &pkg))
	assert.Equal(t, Version, pkg.DevDependencies["swagger-ui-dist"])
	bundle, err := dist.ReadFile("dist/swagger-ui-bundle.js")
	require.NoError(t, err)
	assert.Contains(t, string(bundle), Version)
}
