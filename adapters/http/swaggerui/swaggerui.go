// Package swaggerui serves Swagger UI for the API's OpenAPI document,
// offline: its files come from the swagger-ui-dist package (version below,
// refreshed with `make swagger-ui`) and are embedded in the binary.
//
// Each file is compressed once, on first use, and served gzip-encoded to
// clients that accept it, with an ETag and cache headers: the bundle is
// 1.7 MB as is and about 0.5 MB compressed.
package swaggerui

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
)

// Version is the swagger-ui-dist release the files in dist/ come from.
const Version = "5.35.0"

//go:embed dist
var dist embed.FS

// page and initializer are ours: asset URLs are relative to /docs (so that
// the page works under a reverse proxy's path prefix), and the initializer
// loads our document with no outside validator (the default one fetches a
// badge from another host; /docs must work offline and leak nothing).
const page = `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <title>Parc API</title>
    <link rel="stylesheet" type="text/css" href="docs/swagger-ui.css" />
    <link rel="stylesheet" type="text/css" href="docs/index.css" />
    <link rel="icon" type="image/png" href="docs/favicon-32x32.png" sizes="32x32" />
    <link rel="icon" type="image/png" href="docs/favicon-16x16.png" sizes="16x16" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="docs/swagger-ui-bundle.js" charset="UTF-8"></script>
    <script src="docs/swagger-ui-standalone-preset.js" charset="UTF-8"></script>
    <script src="docs/swagger-initializer.js" charset="UTF-8"></script>
  </body>
</html>
`

const initializer = `window.onload = function() {
  window.ui = SwaggerUIBundle({
    url: "openapi.json",
    validatorUrl: null,
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "StandaloneLayout"
  });
};
`

type asset struct {
	body, gz    []byte
	contentType string
	etag        string
}

func newAsset(name string, body []byte) *asset {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(body)
	_ = zw.Close()
	sum := sha256.Sum256(body)
	ctype := mime.TypeByExtension(path.Ext(name))
	if ctype == "" {
		ctype = http.DetectContentType(body)
	}
	return &asset{body: body, gz: buf.Bytes(), contentType: ctype, etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
}

// assets maps a name under /docs/ ("" for the page) to its file.
var assets = sync.OnceValue(func() map[string]*asset {
	all := map[string]*asset{
		"":                       newAsset("index.html", []byte(page)),
		"swagger-initializer.js": newAsset("swagger-initializer.js", []byte(initializer)),
	}
	entries, err := fs.ReadDir(dist, "dist")
	if err != nil {
		panic("swaggerui: embedded files: " + err.Error())
	}
	for _, e := range entries {
		body, err := fs.ReadFile(dist, "dist/"+e.Name())
		if err != nil {
			panic("swaggerui: embedded files: " + err.Error())
		}
		all[e.Name()] = newAsset(e.Name(), body)
	}
	return all
})

// Serve writes the file name ("" for the page) and reports whether it
// exists. The page is revalidated on every visit (its ETag makes that a
// 304); the other files may be cached for a day.
func Serve(w http.ResponseWriter, r *http.Request, name string) bool {
	a, ok := assets()[name]
	if !ok {
		return false
	}
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("ETag", a.etag)
	h.Set("Vary", "Accept-Encoding")
	if name == "" {
		h.Set("Cache-Control", "no-cache")
	} else {
		h.Set("Cache-Control", "public, max-age=86400")
	}
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, a.etag) {
		w.WriteHeader(http.StatusNotModified)
		return true
	}
	body := a.body
	if acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		body = a.gz
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
	return true
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		q, isQ := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q=")
		if !isQ {
			return true
		}
		weight, err := strconv.ParseFloat(q, 64)
		return err == nil && weight > 0
	}
	return false
}
