package httpapi

import (
	"net/http"

	"github.com/klauspost/compress/gzhttp"
)

// Compress gzip-encodes answers of 1 KiB and more for clients that accept
// it (smaller ones gain nothing and are sent as they are), and sets
// Vary: Accept-Encoding. Answers that already carry a Content-Encoding, such
// as Swagger UI's precompressed files, pass through untouched.
func Compress(h http.Handler) http.Handler {
	wrap, err := gzhttp.NewWrapper(gzhttp.MinSize(1024))
	if err != nil {
		panic("httpapi: gzip wrapper: " + err.Error()) // only for invalid options
	}
	return wrap(h)
}
