package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/parc-hq/parc/domain/dataset"
)

// Fuzz targets for every request decoder: whatever the body, a decoder
// neither panics nor fails with anything but a client error (4xx), and
// what it accepts breaks no text rule. Their seed corpora live in
// testdata/fuzz/<target>; `go test` replays them, `go test -fuzz=FuzzX`
// explores further.

// bodyContext is a request context holding body, as a route would see it.
func bodyContext(body []byte) *gin.Context {
	gin.SetMode(gin.ReleaseMode)
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	c.Request = httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	c.Set(ctxTextRule, textRule{maxText: 4096, maxProblems: 20})
	return c
}

// clientError fails the test when err would be answered with a 5xx.
func clientError(t *testing.T, body []byte, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if p := Classify(err); p.Status >= 500 {
		t.Fatalf("body %q: %d for a client's body: %v", body, p.Status, err)
	}
}

// seeds adds the shared hostile seeds and the target's own.
func seeds(f *testing.F, own ...string) {
	for _, s := range append(own, "", "null", "[]", "{}", "{", `"\u0000"`, "\xff\xfe", `{"a":1e999999}`,
		`{"a":"\ud800"}`, `[[[[[[[[[[`, `{"a":{"b":[1,2,{"c":"\u0000"}]}}`) {
		f.Add([]byte(s))
	}
}

func FuzzTextRule(f *testing.F) {
	seeds(f, `{"k\u0000":"v"}`, `["\ud83d\ude00"]`)
	f.Fuzz(func(t *testing.T, body []byte) {
		_ = textRule{maxText: 64, maxProblems: 5}.scanJSON(body)
	})
}

func FuzzDecodePush(f *testing.F) {
	seeds(f, `[{"computer_name":"PC-1","program":"Zip","version":"1"}]`,
		`[{"computer_name":1e999,"program":"\ud800","version":null},3,"x"]`)
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, full := range []bool{false, true} {
			v, err := decodePush(bodyContext(body), full)
			clientError(t, body, err)
			if err != nil {
				continue
			}
			var items []json.RawMessage
			if json.Unmarshal(body, &items) != nil || v.Accepted+v.Rejected != len(items) {
				t.Fatalf("body %q: accepted as %d records", body, v.Accepted+v.Rejected)
			}
		}
	})
}

func FuzzDecodeBatch(f *testing.F) {
	seeds(f, `{"data":{"e":[{"e_ID":"r0","a":0}]},"deletes":{"e":["r1",2]},"relations":[{"SourceEntityName":"e","SourceRowCode":"r0","TargetEntityName":"f","TargetFieldName":"e_ID","TargetRowCode":"x"}],"srvExport":1,"companyCode":"C"}`,
		`{"Data":{},"data":{}}`, `{"data":{"e":[1,"x",null]},"relations":[1]}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		in, _, err := decodeBatch(bodyContext(body))
		clientError(t, body, err)
		if err == nil {
			_, err = dataset.ParseBatch(in)
			clientError(t, body, err)
		}
	})
}

func FuzzDecodeSelect(f *testing.F) {
	seeds(f, `{"entityName":"e","limit":10,"filterFields":[{"fieldName":"a","operator":"=","filterValues":[1,"x"]}],"sortFields":[{"fieldName":"a","direction":"desc"}]}`,
		`{"filterFields":[{"filterValues":{"x":1}}]}`, `{"limit":"x"}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		_, _, err := decodeSelect(bodyContext(body))
		clientError(t, body, err)
	})
}

func FuzzDecodeExport(f *testing.F) {
	seeds(f, `{"entityName":"e","srvExport":2,"rows":[{"rowCode":"r0","srvDateUTC":"2024-01-01T00:00:00.000Z"},{"rowCode":7}]}`,
		`{"rows":[{"rowCode":{}}]}`, `{"srvExport":1e99}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		_, _, err := decodeExport(bodyContext(body))
		clientError(t, body, err)
	})
}

func FuzzDecodeAccounts(f *testing.F) {
	seeds(f, `[{"login":"a","email":"a@b.c","name":"A","status":"active","companyCode":"C"}]`, `[{"login":1},2,null]`)
	f.Fuzz(func(t *testing.T, body []byte) {
		_, err := decodeAccountItems(bodyContext(body))
		clientError(t, body, err)
	})
}

func FuzzDecodeFastAPIBodies(f *testing.F) {
	seeds(f, `{"nom":"Acme","code":12}`, `{"client_id":"00000000-0000-0000-0000-000000000001","nom":"x","code":"12"}`,
		`{"name":"PC","type":"pc","serial":"s","ip_address":"10.0.0.1","site_id":null}`, `{"code":1.5,"nom":true}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		_, _, _, err := clientBody(bodyContext(body), true)
		clientError(t, body, err)
		_, err = siteBody(bodyContext(body), &problems{})
		clientError(t, body, err)
		for _, creating := range []bool{true, false} {
			_, err = equipmentBody(bodyContext(body), &problems{}, creating)
			clientError(t, body, err)
		}
	})
}

// The zero-copy views read what encoding/json reads.
func FuzzJSONViews(f *testing.F) {
	seeds(f, `{"a":[1,{"b":"c\"]"}],"d":null,"a":2}`, `[1,"x",[2,[3]],{"k":{}}, true ,-1.5e3]`, ` { "k" : "v" } `)
	f.Fuzz(func(t *testing.T, doc []byte) {
		if !json.Valid(doc) {
			return
		}
		var wantMap map[string]json.RawMessage
		if json.Unmarshal(doc, &wantMap) == nil && wantMap != nil {
			got := mapView(doc)
			if len(got) != len(wantMap) {
				t.Fatalf("%q: %d members, want %d", doc, len(got), len(wantMap))
			}
			for k, v := range wantMap {
				if !bytes.Equal(bytes.TrimSpace(got[k]), bytes.TrimSpace(v)) {
					t.Fatalf("%q: member %q is %q, want %q", doc, k, got[k], v)
				}
			}
		}
		var wantList []json.RawMessage
		if json.Unmarshal(doc, &wantList) == nil && wantList != nil {
			got, ok := arrayView(doc)
			if !ok || len(got) != len(wantList) {
				t.Fatalf("%q: %d items, want %d", doc, len(got), len(wantList))
			}
			for i := range got {
				if !bytes.Equal(bytes.TrimSpace(got[i]), bytes.TrimSpace(wantList[i])) {
					t.Fatalf("%q: item %d is %q, want %q", doc, i, got[i], wantList[i])
				}
			}
		}
	})
}
