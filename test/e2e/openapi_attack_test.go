package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	httpapi "github.com/parc-hq/parc/adapters/http"
	"github.com/parc-hq/parc/test/apitest"
)

// The published OpenAPI document drives an attack on the real server, on
// every backend: for each operation, requests built from its schemas with
// hostile path segments, query values of the wrong type or with bad bytes,
// and bodies whose every value is in turn replaced by a wrong type, bad
// text, an extreme number or an extreme size. Nothing may be answered with
// a 5xx, and the server must still answer afterwards.

const minAttackRequests = 5000

// attackRequest is one hostile request.
type attackRequest struct {
	method, path string
	body         []byte
	admin        bool
}

// hostileSegments replace a path parameter.
var hostileSegments = []string{"%FF", "%00", "a%00b", "%C0%AF", "%ED%A0%80", "..%2F..", "%25", "1e999999", "-1",
	"%F0%9F%98%80", strings.Repeat("a", 5000), " ", "null"}

// hostileQuery are query values for any parameter.
var hostileQuery = []string{"x", "-1", "0", "99999999999999999999", "1e999999", "1.5", "", "%00", "%FF", "%zz",
	"true", strings.Repeat("9", 3000), "%ED%A0%80"}

// hostileValues replace one value of a body, as raw JSON text.
var hostileValues = []string{"null", "1e999999", "-1e999999", `"\u0000"`, `"a\u0000b"`, `"\ud800"`, "\"\xff\xfe\"",
	"{}", "[]", "true", "-1", "0", "12345678901234567890123", "1.5", `""`, strings.Repeat("[", 300) + strings.Repeat("]", 300),
	`{"a":{"b":{"c":"\u0000"}}}`}

// extremeValues replace the first value of each body: sizes past the
// limits of one value.
var extremeValues = []string{`"` + strings.Repeat("x", 1100000) + `"`, "[" + strings.Repeat("1,", 100000) + "1]"}

// hostileBodies replace a whole body.
var hostileBodies = []string{"", "{", "[", "null", "\xff\xfe", "not json", "{}", "[]", `"x"`, "1e999999",
	strings.Repeat("[", 100000), `{"a":1}{"b":2}`, "[" + strings.Repeat(`{"x":"\u0000"},`, 3000) + "1]", "\x00", `{"":""}`}

type openAPIDoc struct {
	raw map[string]any
}

// resolve follows a local $ref.
func (d openAPIDoc) resolve(v any) map[string]any {
	m, _ := v.(map[string]any)
	for range 10 {
		ref, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		var cur any = d.raw
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			cur = cur.(map[string]any)[part]
		}
		m, _ = cur.(map[string]any)
	}
	return m
}

// instance builds a plausible value of schema.
func (d openAPIDoc) instance(schema any, depth int) any {
	s := d.resolve(schema)
	if s == nil || depth > 6 {
		return nil
	}
	if ex, ok := s["example"]; ok {
		return ex
	}
	if enum, ok := s["enum"].([]any); ok && len(enum) > 0 {
		return enum[0]
	}
	for _, key := range []string{"allOf", "oneOf", "anyOf"} {
		if list, ok := s[key].([]any); ok && len(list) > 0 {
			return d.instance(list[0], depth+1)
		}
	}
	typ, _ := s["type"].(string)
	if list, ok := s["type"].([]any); ok && len(list) > 0 {
		typ, _ = list[0].(string)
	}
	switch {
	case typ == "object" || s["properties"] != nil:
		out := map[string]any{}
		props, _ := s["properties"].(map[string]any)
		for name, p := range props {
			out[name] = d.instance(p, depth+1)
		}
		return out
	case typ == "array":
		return []any{d.instance(s["items"], depth+1)}
	case typ == "integer" || typ == "number":
		return 1
	case typ == "boolean":
		return true
	case s["format"] == "uuid":
		return uuid.NewString()
	}
	return "x"
}

// holes lists the JSON paths of every value of v, so that each can be
// replaced in turn.
func holes(v any, prefix []any, out *[][]any) {
	*out = append(*out, slices.Clone(prefix))
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			holes(e, append(prefix, k), out)
		}
	case []any:
		for i, e := range x {
			holes(e, append(prefix, i), out)
		}
	}
}

const hole = "\x01hole\x01"

// withHole is v with the value at path replaced by the hole marker.
func withHole(v any, path []any) any {
	if len(path) == 0 {
		return hole
	}
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = e
		}
		out[path[0].(string)] = withHole(x[path[0].(string)], path[1:])
		return out
	case []any:
		out := slices.Clone(x)
		out[path[0].(int)] = withHole(x[path[0].(int)], path[1:])
		return out
	}
	return v
}

var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

// attackRequests builds the requests for every operation of the document.
func attackRequests(t *testing.T, doc openAPIDoc, good map[string]string) []attackRequest {
	var out []attackRequest
	paths := doc.raw["paths"].(map[string]any)
	names := make([]string, 0, len(paths))
	for p := range paths {
		names = append(names, p)
	}
	sort.Strings(names)
	for _, tmpl := range names {
		item := paths[tmpl].(map[string]any)
		for _, method := range []string{"get", "post", "put", "delete"} {
			op, ok := item[method].(map[string]any)
			if !ok {
				continue
			}
			out = append(out, operationRequests(doc, strings.ToUpper(method), tmpl, op, good)...)
		}
	}
	require.NotEmpty(t, out)
	return out
}

func operationRequests(doc openAPIDoc, method, tmpl string, op map[string]any, good map[string]string) []attackRequest {
	admin := strings.HasPrefix(tmpl, "/admin")
	fill := func(override map[string]string) string {
		return pathParam.ReplaceAllStringFunc(tmpl, func(m string) string {
			name := m[1 : len(m)-1]
			if v, ok := override[name]; ok {
				return v
			}
			if v, ok := good[name]; ok {
				return v
			}
			return uuid.NewString()
		})
	}
	var body any
	var hasBody bool
	if rb := doc.resolve(op["requestBody"]); rb != nil {
		if content, ok := rb["content"].(map[string]any)["application/json"].(map[string]any); ok {
			body, hasBody = doc.instance(content["schema"], 0), true
		}
	}
	goodBody := func() []byte {
		if !hasBody {
			return nil
		}
		b, _ := json.Marshal(body)
		return b
	}
	var out []attackRequest
	add := func(path string, b []byte) {
		out = append(out, attackRequest{method: method, path: path, body: b, admin: admin})
	}
	for _, m := range pathParam.FindAllStringSubmatch(tmpl, -1) {
		for _, seg := range hostileSegments {
			add(fill(map[string]string{m[1]: seg}), goodBody())
		}
	}
	var query []string
	params, _ := op["parameters"].([]any)
	for _, p := range params {
		if pm := doc.resolve(p); pm["in"] == "query" {
			query = append(query, pm["name"].(string))
		}
	}
	query = append(query, "companyCode", "limit")
	for _, q := range query {
		for _, v := range hostileQuery {
			add(fill(nil)+"?"+q+"="+v, goodBody())
		}
	}
	if !hasBody {
		return out
	}
	for _, b := range hostileBodies {
		add(fill(nil), []byte(b))
	}
	var where [][]any
	holes(body, nil, &where)
	if len(where) > 1 {
		text, _ := json.Marshal(withHole(body, where[1]))
		for _, v := range extremeValues {
			add(fill(nil), bytes.Replace(text, []byte(`"\u0001hole\u0001"`), []byte(v), 1))
		}
	}
	for _, path := range where {
		text, _ := json.Marshal(withHole(body, path))
		for _, v := range hostileValues {
			add(fill(nil), bytes.Replace(text, []byte(`"\u0001hole\u0001"`), []byte(v), 1))
		}
	}
	return out
}

func TestOpenAPIDrivenAttackAnswersNo5xx(t *testing.T) {
	var raw map[string]any
	require.NoError(t, json.Unmarshal(httpapi.OpenAPIDocument(), &raw))
	doc := openAPIDoc{raw: raw}
	eachBackend(t, func(t *testing.T, api *apitest.API) {
		t.Run("requests built from the document answer no 5xx", func(t *testing.T) { attackFromDocument(t, api, doc) })
	})
}

// attackFromDocument sends the requests of attackRequests to a real server
// of api, and then checks that it still answers.
func attackFromDocument(t *testing.T, api *apitest.API, doc openAPIDoc) {
	srv := httptest.NewServer(api.Handler)
	defer srv.Close()
	p := newDataProject(t, api)
	good := map[string]string{"codeProjet": p.code, "code": p.code, "entity": "customer", "rowCode": "r0", "computer_name": "PC-1"}
	api.Call(t, http.MethodPost, p.path("RelationalDataSet"), p.owner.Key, map[string]any{"data": map[string]any{"customer": []any{map[string]any{"customer_ID": "r0", "name": "x"}}}})

	requests := attackRequests(t, doc, good)
	for len(requests) < minAttackRequests {
		requests = append(requests, requests...)
	}
	// A fixed sample keeps the run short; every operation keeps its share.
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(requests), func(i, j int) { requests[i], requests[j] = requests[j], requests[i] })
	requests = requests[:minAttackRequests+200]
	client := &http.Client{Timeout: 30 * time.Second}
	statuses := map[int]int{}
	var failures []string
	start := time.Now()
	for _, r := range requests {
		req, err := http.NewRequest(r.method, srv.URL+r.path, bytes.NewReader(r.body))
		if err != nil {
			statuses[-1]++ // a URL Go itself refuses to send
			continue
		}
		req.Header.Set("Content-Type", "application/json")
		if r.admin {
			req.Header.Set("Authorization", "Bearer "+apitest.AdminToken)
		} else {
			req.Header.Set("Authorization", p.owner.Key)
		}
		resp, err := client.Do(req)
		require.NoError(t, err, "%s %s", r.method, r.path)
		answer, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		statuses[resp.StatusCode]++
		if resp.StatusCode >= 500 && len(failures) < 20 {
			failures = append(failures, fmt.Sprintf("%s %.200s body %.200q → %d %.300s", r.method, r.path, r.body, resp.StatusCode, answer))
		}
	}
	t.Logf("%d requests in %s: statuses %v", len(requests), time.Since(start).Round(time.Millisecond), statuses)
	assert.Empty(t, failures, "5xx answers to client mistakes")
	me := api.Call(t, http.MethodGet, "/me", p.owner.Key, nil)
	assert.Equal(t, http.StatusOK, me.Status, "the server still answers")
}
