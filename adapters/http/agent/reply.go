package agent

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strings"
)

// reply is how a request is answered: XML (always zlib: the only form both
// Debian agents read), or JSON compressed as the request was, the agent
// reading the reply by its Content-Type.
type reply struct {
	json bool
	kind compression
}

// replyTo guesses the protocol from the headers until the body tells: a
// request refused before its body is read is answered in its own protocol.
func replyTo(r *http.Request) reply {
	ct := strings.ToLower(r.Header.Get("Content-Type"))
	return reply{json: strings.Contains(ct, "json")}
}

const xmlHeader = `<?xml version="1.0" encoding="UTF-8"?>`

var (
	prologXML    = []byte(xmlHeader + `<REPLY><PROLOG_FREQ>24</PROLOG_FREQ><RESPONSE>SEND</RESPONSE></REPLY>`)
	inventoryXML = []byte(xmlHeader + `<REPLY><RESPONSE>NO_ACCOUNT_UPDATE</RESPONSE></REPLY>`)
	okJSON       = []byte(`{"status":"ok","expiration":24}`)
)

func errorXML(msg string) []byte {
	var b strings.Builder
	b.WriteString(xmlHeader + `<REPLY><ERROR>`)
	_ = xml.EscapeText(&b, []byte(msg)) // a strings.Builder does not fail
	b.WriteString(`</ERROR></REPLY>`)
	return []byte(b.String())
}

func errorJSON(msg string) []byte {
	b, _ := json.Marshal(struct {
		Status  string `json:"status"`
		Message string `json:"message"`
	}{"error", msg})
	return b
}

func writeXML(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/x-compress-zlib")
	w.WriteHeader(status)
	_, _ = w.Write(compress(body, zlibbed))
}

func writeJSON(w http.ResponseWriter, out reply, status int, body []byte) {
	switch out.kind {
	case zlibbed:
		w.Header().Set("Content-Type", "application/x-compress-zlib")
	case gzipped:
		w.Header().Set("Content-Type", "application/x-compress-gzip")
	default:
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	_, _ = w.Write(compress(body, out.kind))
}
