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

	"github.com/parc-hq/parc/adapters/http/swaggerui"
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

// registerDocsRoutes serves the document and Swagger UI. The page lives at
// /docs (its assets under /docs/); /docs/ sends browsers there.
func registerDocsRoutes(e *gin.Engine) {
	e.GET("/openapi.json", func(c *gin.Context) {
		c.Data(http.StatusOK, "application/json", openapiJSON)
	})
	e.GET("/docs", func(c *gin.Context) { swaggerui.Serve(c.Writer, c.Request, "") })
	e.GET("/docs/*file", func(c *gin.Context) {
		file := strings.TrimPrefix(c.Param("file"), "/")
		if file == "" || file == "index.html" {
			c.Redirect(http.StatusMovedPermanently, "../docs") // relative: works under a proxy path prefix
			return
		}
		if !swaggerui.Serve(c.Writer, c.Request, file) {
			writeError(c, errRouteNotFound)
		}
	})
}
