package httpapi

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"sort"
	"strings"

	"github.com/gin-gonic/gin"
	swaggerfiles "github.com/swaggo/files/v2"
)

// The OpenAPI document is kept as one JSON fragment per area under openapi/,
// merged at start-up: base.json holds info, security and shared components;
// each area file adds its paths and schemas. The end-to-end tests validate
// every request and response they make against the merged document.
//
//go:embed openapi/*.json
var openapiFragments embed.FS

// OpenAPIDocument returns the merged OpenAPI 3 document as JSON.
func OpenAPIDocument() []byte { return openapiJSON }

var openapiJSON = mustMergeOpenAPI()

func mustMergeOpenAPI() []byte {
	doc, err := mergeOpenAPI(openapiFragments)
	if err != nil {
		panic(fmt.Sprintf("httpapi: OpenAPI fragments: %v", err))
	}
	return doc
}

func mergeOpenAPI(fsys fs.FS) ([]byte, error) {
	names, err := fs.Glob(fsys, "openapi/*.json")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	merged := map[string]any{}
	for _, name := range names {
		raw, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		var frag map[string]any
		if err := json.Unmarshal(raw, &frag); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if err := mergeInto(merged, frag, path.Base(name)); err != nil {
			return nil, err
		}
	}
	return json.MarshalIndent(merged, "", "  ")
}

// mergeInto merges objects recursively and concatenates lists (tags); two
// fragments defining the same scalar or path is an error, so that areas
// cannot silently overwrite each other.
func mergeInto(dst, src map[string]any, where string) error {
	for k, v := range src {
		existing, ok := dst[k]
		if !ok {
			dst[k] = v
			continue
		}
		if list, isList := existing.([]any); isList {
			more, ok := v.([]any)
			if !ok {
				return fmt.Errorf("%s: %q is a list in one fragment and not in another", where, k)
			}
			dst[k] = append(list, more...)
			continue
		}
		a, aok := existing.(map[string]any)
		b, bok := v.(map[string]any)
		if !aok || !bok {
			return fmt.Errorf("%s: %q is defined twice", where, k)
		}
		if err := mergeInto(a, b, where+"/"+k); err != nil {
			return err
		}
	}
	return nil
}

// swaggerInitializer points the embedded Swagger UI at our document, with
// no validator: the default one loads a badge from an outside host, and
// /docs must work offline and leak nothing.
const swaggerInitializer = `window.onload = function() {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    validatorUrl: null,
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "StandaloneLayout"
  });
};
`

func registerDocsRoutes(e *gin.Engine) {
	e.GET("/openapi.json", func(c *gin.Context) {
		c.Data(http.StatusOK, "application/json", openapiJSON)
	})
	assets := http.FileServer(http.FS(swaggerfiles.FS))
	e.GET("/docs", func(c *gin.Context) { c.Redirect(http.StatusMovedPermanently, "/docs/") })
	e.GET("/docs/*file", func(c *gin.Context) {
		file := strings.TrimPrefix(c.Param("file"), "/")
		if file == "swagger-initializer.js" {
			c.Data(http.StatusOK, "application/javascript", []byte(swaggerInitializer))
			return
		}
		if file == "" || file == "index.html" {
			// Served directly: the file server would redirect index.html to "./".
			page, err := fs.ReadFile(swaggerfiles.FS, "index.html")
			if err != nil {
				writeError(c, err)
				return
			}
			c.Data(http.StatusOK, "text/html; charset=utf-8", page)
			return
		}
		c.Request.URL.Path = "/" + file
		assets.ServeHTTP(c.Writer, c.Request)
	})
}
