package e2e

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parc-hq/parc/test/apitest"
)

// issue is one entry of a FastAPI 422 body.
type issue struct {
	Loc  []any  `json:"loc"`
	Msg  string `json:"msg"`
	Type string `json:"type"`
}

func issues(t *testing.T, resp *apitest.Response) []issue {
	t.Helper()
	require.Equal(t, http.StatusUnprocessableEntity, resp.Status, "%s", resp.Body)
	var body struct {
		Detail []issue `json:"detail"`
	}
	resp.JSON(t, &body)
	return body.Detail
}

// detail is the "detail" text of a non-validation FastAPI error.
func detail(t *testing.T, resp *apitest.Response, status int) string {
	t.Helper()
	require.Equal(t, status, resp.Status, "%s", resp.Body)
	var body struct {
		Detail string `json:"detail"`
	}
	resp.JSON(t, &body)
	require.NotEmpty(t, body.Detail)
	return body.Detail
}

// randomCode keeps client codes of concurrent test runs apart.
func randomCode() int64 { return rand.Int64N(1 << 40) }

func register(t *testing.T, api *apitest.API, key, nom string, code int64) map[string]any {
	t.Helper()
	resp := api.Call(t, http.MethodPost, "/clients/register", key, map[string]any{"nom": nom, "code": code})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	return resp.Map(t)
}

func createSite(t *testing.T, api *apitest.API, key, clientID, nom string) map[string]any {
	t.Helper()
	resp := api.Call(t, http.MethodPost, "/clients/"+clientID+"/sites", key, map[string]any{"nom": nom})
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	return resp.Map(t)
}

func createEquipment(t *testing.T, api *apitest.API, key, siteID string, body map[string]any) map[string]any {
	t.Helper()
	resp := api.Call(t, http.MethodPost, "/sites/"+siteID+"/equipements", key, body)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	return resp.Map(t)
}

// listed finds a client in GET /clients/all.
func listed(t *testing.T, api *apitest.API, key, id string) map[string]any {
	t.Helper()
	resp := api.Call(t, http.MethodGet, "/clients/all", key, nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	var list []map[string]any
	resp.JSON(t, &list)
	for _, c := range list {
		if c["client_id"] == id {
			return c
		}
	}
	t.Fatalf("client %s not in /clients/all", id)
	return nil
}

func infos(t *testing.T, api *apitest.API, key, id string) map[string]any {
	t.Helper()
	resp := api.Call(t, http.MethodGet, "/clients/"+id+"/infos", key, nil)
	require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
	return resp.Map(t)
}

var millis = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)

func TestClientSeedEndpoints(t *testing.T) {
	eachBackend(t, func(t *testing.T, api *apitest.API) {
		acme := api.NewCompany(t)
		code := randomCode()

		created := register(t, api, acme.Key, "  Boulangerie Martin ", code)
		id, _ := created["client_id"].(string)
		_, err := uuid.Parse(id)
		require.NoError(t, err, "client_id is a UUID")
		assert.Equal(t, "Boulangerie Martin", created["nom"])
		assert.EqualValues(t, code, created["code"])
		assert.EqualValues(t, 0, created["sites"])
		assert.EqualValues(t, 0, created["equipements"])
		assert.Equal(t, "active", created["status"])
		assert.Regexp(t, millis, created["timestamp"])

		t.Run("register with a code the company uses: 409", func(t *testing.T) {
			resp := api.Call(t, http.MethodPost, "/clients/register", acme.Key, map[string]any{"nom": "Other", "code": code})
			assert.Equal(t, fmt.Sprintf("client code %d already exists", code), detail(t, resp, http.StatusConflict))
		})
		t.Run("another company may use the same code: 200", func(t *testing.T) {
			register(t, api, api.NewCompany(t).Key, "Same code", code)
		})
		t.Run("a code as a numeric string is accepted as pydantic does: 200", func(t *testing.T) {
			resp := api.CallInvalid(t, http.MethodPost, "/clients/register", acme.Key, fmt.Sprintf(`{"nom":"Str","code":"%d"}`, code+1))
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			assert.EqualValues(t, code+1, resp.Map(t)["code"])
		})
		t.Run("list: 200, a bare array with the client", func(t *testing.T) {
			got := listed(t, api, acme.Key, id)
			assert.Equal(t, created, got)
		})
		t.Run("infos: 200 with no site yet", func(t *testing.T) {
			got := infos(t, api, acme.Key, id)
			assert.Equal(t, map[string]any{"client_id": id, "nom": "Boulangerie Martin", "code": created["code"],
				"timestamp": created["timestamp"], "sites": []any{}}, got)
		})
		t.Run("infos accepts an upper-case id: 200", func(t *testing.T) {
			assert.Equal(t, id, infos(t, api, acme.Key, strings.ToUpper(id))["client_id"])
		})
		t.Run("update: 200 with the new name and code", func(t *testing.T) {
			resp := api.Call(t, http.MethodPut, "/clients/update", acme.Key, map[string]any{"client_id": id, "nom": "Martin & Fils", "code": code + 2})
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			got := resp.Map(t)
			assert.Equal(t, "Martin & Fils", got["nom"])
			assert.EqualValues(t, code+2, got["code"])
			assert.Equal(t, created["timestamp"], got["timestamp"], "the creation time stays")
		})
		t.Run("update to a code another client has: 409", func(t *testing.T) {
			resp := api.Call(t, http.MethodPut, "/clients/update", acme.Key, map[string]any{"client_id": id, "nom": "X", "code": code + 1})
			detail(t, resp, http.StatusConflict)
		})
		t.Run("update of an unknown client: 404", func(t *testing.T) {
			unknown := uuid.NewString()
			resp := api.Call(t, http.MethodPut, "/clients/update", acme.Key, map[string]any{"client_id": unknown, "nom": "X", "code": 1})
			assert.Equal(t, "client "+unknown+" not found", detail(t, resp, http.StatusNotFound))
		})
		t.Run("infos and delete of an unknown client: 404", func(t *testing.T) {
			unknown := uuid.NewString()
			detail(t, api.Call(t, http.MethodGet, "/clients/"+unknown+"/infos", acme.Key, nil), http.StatusNotFound)
			detail(t, api.Call(t, http.MethodDelete, "/clients/"+unknown, acme.Key, nil), http.StatusNotFound)
		})
		t.Run("delete: 200 true, the client stays, inactive", func(t *testing.T) {
			resp := api.Call(t, http.MethodDelete, "/clients/"+id, acme.Key, nil)
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			assert.Equal(t, "true", string(resp.Body))
			assert.Equal(t, "inactive", listed(t, api, acme.Key, id)["status"])
			infos(t, api, acme.Key, id)
			again := api.Call(t, http.MethodDelete, "/clients/"+id, acme.Key, nil)
			assert.Equal(t, http.StatusOK, again.Status, "deactivating twice is harmless")
			conflict := api.Call(t, http.MethodPost, "/clients/register", acme.Key, map[string]any{"nom": "Reuse", "code": code + 2})
			assert.Equal(t, http.StatusConflict, conflict.Status, "an inactive client keeps its code")
		})
		t.Run("no key: 401 as FastAPI words it", func(t *testing.T) {
			for _, path := range []string{"/clients/all", "/clients/" + id + "/infos", "/equipements"} {
				detail(t, api.Call(t, http.MethodGet, path, "", nil), http.StatusUnauthorized)
			}
			detail(t, api.Call(t, http.MethodGet, "/clients/all", "parc_aaaaaaaa_"+strings.Repeat("b", 32), nil), http.StatusUnauthorized)
		})
	})
}

func TestClientListPagination(t *testing.T) {
	eachBackend(t, func(t *testing.T, api *apitest.API) {
		acme := api.NewCompany(t)
		var ids []string
		for i := range 5 {
			ids = append(ids, register(t, api, acme.Key, fmt.Sprintf("C%d", i), int64(10-i))["client_id"].(string))
		}
		// By code: C4 (6), C3 (7), C2 (8), C1 (9), C0 (10).
		page := func(query string) ([]string, string) {
			resp := api.Call(t, http.MethodGet, "/clients/all"+query, acme.Key, nil)
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			var list []map[string]any
			resp.JSON(t, &list)
			var got []string
			for _, c := range list {
				got = append(got, c["nom"].(string))
			}
			return got, resp.Header.Get("X-Total-Count")
		}
		got, total := page("")
		assert.Equal(t, []string{"C4", "C3", "C2", "C1", "C0"}, got)
		assert.Equal(t, "5", total)
		got, total = page("?limit=2&offset=1")
		assert.Equal(t, []string{"C3", "C2"}, got)
		assert.Equal(t, "5", total)
		got, total = page("?offset=4")
		assert.Equal(t, []string{"C0"}, got)
		assert.Equal(t, "5", total)

		require.Equal(t, http.StatusOK, api.Call(t, http.MethodDelete, "/clients/"+ids[1], acme.Key, nil).Status)
		got, total = page("?status=inactive")
		assert.Equal(t, []string{"C1"}, got)
		assert.Equal(t, "1", total)
		got, total = page("?status=active&limit=10")
		assert.Equal(t, []string{"C4", "C3", "C2", "C0"}, got)
		assert.Equal(t, "4", total)
	})
}

func TestClientValidationErrorsAsFastAPI(t *testing.T) {
	eachBackend(t, func(t *testing.T, api *apitest.API) {
		acme := api.NewCompany(t)
		id := register(t, api, acme.Key, "Acme", randomCode())["client_id"].(string)
		post := func(body string) []issue {
			return issues(t, api.CallInvalid(t, http.MethodPost, "/clients/register", acme.Key, body))
		}
		tests := []struct {
			name string
			got  func() []issue
			want []issue
		}{
			{"missing fields", func() []issue { return post(`{}`) }, []issue{
				{[]any{"body", "nom"}, "Field required", "missing"},
				{[]any{"body", "code"}, "Field required", "missing"}}},
			{"code as text", func() []issue { return post(`{"nom":"A","code":"abc"}`) }, []issue{
				{[]any{"body", "code"}, "Input should be a valid integer, unable to parse string as an integer", "int_parsing"}}},
			{"nom as a number", func() []issue { return post(`{"nom":12,"code":1}`) }, []issue{
				{[]any{"body", "nom"}, "Input should be a valid string", "string_type"}}},
			{"code with a fraction", func() []issue { return post(`{"nom":"A","code":1.5}`) }, []issue{
				{[]any{"body", "code"}, "Input should be a valid integer, got a number with a fractional part", "int_from_float"}}},
			{"code null", func() []issue { return post(`{"nom":"A","code":null}`) }, []issue{
				{[]any{"body", "code"}, "Input should be a valid integer", "int_type"}}},
			{"negative code", func() []issue { return post(`{"nom":"A","code":-1}`) }, []issue{
				{[]any{"body", "code"}, "Input should be greater than or equal to 0", "greater_than_equal"}}},
			{"every problem at once, in field order", func() []issue { return post(`{"code":"abc","nom":"  "}`) }, []issue{
				{[]any{"body", "nom"}, "String should have at least 1 character", "string_too_short"},
				{[]any{"body", "code"}, "Input should be a valid integer, unable to parse string as an integer", "int_parsing"}}},
			{"malformed JSON", func() []issue { return post(`{"nom": }`) }, []issue{
				{[]any{"body", float64(8)}, "JSON decode error", "json_invalid"}}},
			{"not an object", func() []issue { return post(`[1]`) }, []issue{
				{[]any{"body"}, "Input should be a valid dictionary or object to extract fields from", "model_attributes_type"}}},
			{"no body", func() []issue { return post(``) }, []issue{{[]any{"body"}, "Field required", "missing"}}},
			{"a null body", func() []issue { return post(`null`) }, []issue{{[]any{"body"}, "Field required", "missing"}}},
			{"a body of blanks", func() []issue { return post(`   `) }, []issue{
				{[]any{"body", float64(3)}, "JSON decode error", "json_invalid"}}},
			{"a bad body for an unknown client: the body first", func() []issue {
				return issues(t, api.CallInvalid(t, http.MethodPut, "/clients/update", acme.Key,
					`{"client_id":"00000000-0000-4000-8000-000000000000","nom":"","code":-5}`))
			}, []issue{
				{[]any{"body", "nom"}, "String should have at least 1 character", "string_too_short"},
				{[]any{"body", "code"}, "Input should be greater than or equal to 0", "greater_than_equal"}}},
			{"update with a malformed client_id", func() []issue {
				return issues(t, api.CallInvalid(t, http.MethodPut, "/clients/update", acme.Key, `{"client_id":"nope","nom":"A","code":1}`))
			}, []issue{{[]any{"body", "client_id"}, "Input should be a valid UUID, invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `n` at 1", "uuid_parsing"}}},
			{"update with a number as client_id", func() []issue {
				return issues(t, api.CallInvalid(t, http.MethodPut, "/clients/update", acme.Key, `{"client_id":5,"nom":"A","code":1}`))
			}, []issue{{[]any{"body", "client_id"}, "UUID input should be a string, bytes or UUID object", "uuid_type"}}},
			{"a malformed id in the path", func() []issue {
				return issues(t, api.CallInvalid(t, http.MethodGet, "/clients/"+id[:35]+"/infos", acme.Key, nil))
			}, []issue{{[]any{"path", "client_id"}, "Input should be a valid UUID, invalid group length in group 4: expected 12, found 11", "uuid_parsing"}}},
			{"delete with a malformed id", func() []issue {
				return issues(t, api.CallInvalid(t, http.MethodDelete, "/clients/x", acme.Key, nil))
			}, []issue{{[]any{"path", "client_id"}, "Input should be a valid UUID, invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `x` at 1", "uuid_parsing"}}},
			{"query parameters", func() []issue {
				return issues(t, api.CallInvalid(t, http.MethodGet, "/clients/all?limit=abc&offset=-1&status=gone", acme.Key, nil))
			}, []issue{
				{[]any{"query", "limit"}, "Input should be a valid integer, unable to parse string as an integer", "int_parsing"},
				{[]any{"query", "offset"}, "Input should be greater than or equal to 0", "greater_than_equal"},
				{[]any{"query", "status"}, "Input should be 'active' or 'inactive'", "enum"}}},
			{"a path and a body problem together", func() []issue {
				return issues(t, api.CallInvalid(t, http.MethodPost, "/clients/nope/sites", acme.Key, `{}`))
			}, []issue{
				{[]any{"path", "client_id"}, "Input should be a valid UUID, invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `n` at 1", "uuid_parsing"},
				{[]any{"body", "nom"}, "Field required", "missing"}}},
			{"unassigned is not a boolean", func() []issue {
				return issues(t, api.CallInvalid(t, http.MethodGet, "/equipements?unassigned=maybe", acme.Key, nil))
			}, []issue{{[]any{"query", "unassigned"}, "Input should be a valid boolean, unable to interpret input", "bool_parsing"}}},
		}
		for _, tt := range tests {
			t.Run(tt.name+": 422", func(t *testing.T) {
				assert.Equal(t, tt.want, tt.got())
			})
		}
	})
}

func TestSitesAndEquipment(t *testing.T) {
	eachBackend(t, func(t *testing.T, api *apitest.API) {
		acme := api.NewCompany(t)
		key := acme.Key
		clientID := register(t, api, key, "Acme", randomCode())["client_id"].(string)

		lyon := createSite(t, api, key, clientID, " Lyon ")
		assert.Equal(t, "Lyon", lyon["nom"])
		assert.Equal(t, clientID, lyon["client_id"])
		assert.EqualValues(t, 0, lyon["equipements"])
		assert.Equal(t, "active", lyon["status"])
		lyonID := lyon["site_id"].(string)
		parisID := createSite(t, api, key, clientID, "Paris")["site_id"].(string)

		pc := createEquipment(t, api, key, lyonID, map[string]any{"name": "PC-01", "type": "computer", "serial": "SN1", "ip_address": "10.0.0.7"})
		assert.Equal(t, lyonID, pc["site_id"])
		assert.Equal(t, "10.0.0.7", pc["ip_address"])
		assert.Nil(t, pc["last_seen"])
		pcID := pc["equipement_id"].(string)
		printerID := createEquipment(t, api, key, lyonID, map[string]any{"name": "Imprimante"})["equipement_id"].(string)
		createEquipment(t, api, key, parisID, map[string]any{"name": "Routeur", "type": "router"})

		counts := func() (sites, equipements any, perSite map[string]any) {
			c := listed(t, api, key, clientID)
			perSite = map[string]any{}
			for _, s := range infos(t, api, key, clientID)["sites"].([]any) {
				s := s.(map[string]any)
				perSite[s["nom"].(string)] = s["equipements"]
			}
			return c["sites"], c["equipements"], perSite
		}
		sites, equipements, perSite := counts()
		assert.EqualValues(t, 2, sites)
		assert.EqualValues(t, 3, equipements)
		assert.EqualValues(t, map[string]any{"Lyon": float64(2), "Paris": float64(1)}, perSite)

		t.Run("list a client's sites: 200 with counts", func(t *testing.T) {
			resp := api.Call(t, http.MethodGet, "/clients/"+clientID+"/sites", key, nil)
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			var list []map[string]any
			resp.JSON(t, &list)
			require.Len(t, list, 2)
			assert.Equal(t, "Lyon", list[0]["nom"])
			assert.EqualValues(t, 2, list[0]["equipements"])
		})
		t.Run("list a site's equipment: 200 by name", func(t *testing.T) {
			resp := api.Call(t, http.MethodGet, "/sites/"+lyonID+"/equipements", key, nil)
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			var list []map[string]any
			resp.JSON(t, &list)
			require.Len(t, list, 2)
			assert.Equal(t, "Imprimante", list[0]["name"])
			assert.Equal(t, "2", resp.Header.Get("X-Total-Count"))
		})
		t.Run("a name the company uses, in another case: 409", func(t *testing.T) {
			resp := api.Call(t, http.MethodPost, "/sites/"+parisID+"/equipements", key, map[string]any{"name": " pc-01 "})
			assert.Equal(t, `equipment name "pc-01" already exists`, detail(t, resp, http.StatusConflict))
		})
		t.Run("an invalid address: 422 ip_any_address", func(t *testing.T) {
			resp := api.CallInvalid(t, http.MethodPost, "/sites/"+parisID+"/equipements", key, map[string]any{"name": "X", "ip_address": "10.0.0"})
			assert.Equal(t, []issue{{[]any{"body", "ip_address"}, "value is not a valid IPv4 or IPv6 address", "ip_any_address"}}, issues(t, resp))
		})
		t.Run("wrong types and values together: 422, in field order", func(t *testing.T) {
			resp := api.CallInvalid(t, http.MethodPost, "/sites/"+parisID+"/equipements", key, `{"ip_address":"x","serial":"`+strings.Repeat("s", 129)+`","name":5}`)
			assert.Equal(t, []issue{
				{[]any{"body", "name"}, "Input should be a valid string", "string_type"},
				{[]any{"body", "serial"}, "String should have at most 128 characters", "string_too_long"},
				{[]any{"body", "ip_address"}, "value is not a valid IPv4 or IPv6 address", "ip_any_address"}}, issues(t, resp))
			resp = api.CallInvalid(t, http.MethodPut, "/equipements/"+pcID, key, `{"site_id":"nope","name":null}`)
			assert.Equal(t, []issue{
				{[]any{"body", "name"}, "Input should be a valid string", "string_type"},
				{[]any{"body", "site_id"}, "Input should be a valid UUID, invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `n` at 1", "uuid_parsing"}}, issues(t, resp))
			resp = api.CallInvalid(t, http.MethodPut, "/sites/"+parisID, key, `{"nom":""}`)
			assert.Equal(t, []issue{{[]any{"body", "nom"}, "String should have at least 1 character", "string_too_short"}}, issues(t, resp))
		})
		t.Run("rename a site: 200", func(t *testing.T) {
			resp := api.Call(t, http.MethodPut, "/sites/"+parisID, key, map[string]any{"nom": "Paris 9e"})
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			assert.Equal(t, "Paris 9e", resp.Map(t)["nom"])
			assert.EqualValues(t, 1, resp.Map(t)["equipements"])
		})
		t.Run("move, retype and clear the address of an equipment: 200", func(t *testing.T) {
			resp := api.Call(t, http.MethodPut, "/equipements/"+pcID, key, map[string]any{"site_id": parisID, "type": "laptop", "ip_address": nil})
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			got := resp.Map(t)
			assert.Equal(t, parisID, got["site_id"])
			assert.Equal(t, "laptop", got["type"])
			assert.Nil(t, got["ip_address"])
			assert.Equal(t, "PC-01", got["name"], "fields left out stay")
			assert.Equal(t, "SN1", got["serial"])
			_, _, perSite := counts()
			assert.EqualValues(t, map[string]any{"Lyon": float64(1), "Paris 9e": float64(2)}, perSite)
		})
		t.Run("rename an equipment to a taken name: 409", func(t *testing.T) {
			resp := api.Call(t, http.MethodPut, "/equipements/"+pcID, key, map[string]any{"name": "ROUTEUR"})
			detail(t, resp, http.StatusConflict)
		})
		t.Run("deactivate an equipment: 200 true, no longer counted", func(t *testing.T) {
			resp := api.Call(t, http.MethodDelete, "/equipements/"+pcID, key, nil)
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			assert.Equal(t, "true", string(resp.Body))
			_, equipements, _ := counts()
			assert.EqualValues(t, 2, equipements)
			list := api.Call(t, http.MethodGet, "/equipements?status=inactive", key, nil)
			assert.Contains(t, string(list.Body), pcID, "it stays, inactive")
		})
		t.Run("deactivate a site: 200 true, gone from the counts and infos, still listed", func(t *testing.T) {
			resp := api.Call(t, http.MethodDelete, "/sites/"+parisID, key, nil)
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			sites, equipements, perSite := counts()
			assert.EqualValues(t, 1, sites)
			assert.EqualValues(t, 1, equipements)
			assert.EqualValues(t, map[string]any{"Lyon": float64(1)}, perSite)
			assert.Contains(t, string(api.Call(t, http.MethodGet, "/clients/"+clientID+"/sites", key, nil).Body), `"status":"inactive"`)
		})
		t.Run("equipment onto an inactive site: 409", func(t *testing.T) {
			detail(t, api.Call(t, http.MethodPost, "/sites/"+parisID+"/equipements", key, map[string]any{"name": "New"}), http.StatusConflict)
			detail(t, api.Call(t, http.MethodPut, "/equipements/"+printerID, key, map[string]any{"site_id": parisID}), http.StatusConflict)
		})
		t.Run("unknown site and equipment: 404", func(t *testing.T) {
			unknown := uuid.NewString()
			detail(t, api.Call(t, http.MethodPut, "/sites/"+unknown, key, map[string]any{"nom": "X"}), http.StatusNotFound)
			detail(t, api.Call(t, http.MethodGet, "/sites/"+unknown+"/equipements", key, nil), http.StatusNotFound)
			detail(t, api.Call(t, http.MethodDelete, "/equipements/"+unknown, key, nil), http.StatusNotFound)
			detail(t, api.Call(t, http.MethodPut, "/equipements/"+pcID, key, map[string]any{"site_id": unknown}), http.StatusNotFound)
		})
		t.Run("deactivating the client keeps it and its sites; no new site: 409", func(t *testing.T) {
			require.Equal(t, http.StatusOK, api.Call(t, http.MethodDelete, "/clients/"+clientID, key, nil).Status)
			c := listed(t, api, key, clientID)
			assert.Equal(t, "inactive", c["status"])
			assert.EqualValues(t, 1, c["sites"])
			assert.EqualValues(t, 1, c["equipements"])
			assert.Len(t, infos(t, api, key, clientID)["sites"], 1)
			resp := api.Call(t, http.MethodGet, "/clients/"+clientID+"/sites", key, nil)
			assert.Contains(t, string(resp.Body), lyonID)
			detail(t, api.Call(t, http.MethodPost, "/clients/"+clientID+"/sites", key, map[string]any{"nom": "Nice"}), http.StatusConflict)
		})
	})
}

// The inventory push creates computers with no site; assigning one to a site
// makes it count there.
func TestInventoryComputerAssignedToSite(t *testing.T) {
	eachBackend(t, func(t *testing.T, api *apitest.API) {
		acme := api.NewCompany(t)
		key := acme.Key
		clientID := register(t, api, key, "Acme", randomCode())["client_id"].(string)
		siteID := createSite(t, api, key, clientID, "Siege")["site_id"].(string)

		pushed := api.Call(t, http.MethodPost, "/client-data", key,
			[]map[string]any{{"computer_name": "POSTE-42", "ip_address": "192.168.1.42", "program": "Chrome", "version": "119"}})
		require.Equal(t, http.StatusOK, pushed.Status, "%s", pushed.Body)

		resp := api.Call(t, http.MethodGet, "/equipements?unassigned=true", key, nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		var list []map[string]any
		resp.JSON(t, &list)
		require.Len(t, list, 1, "the push made the computer an equipment")
		pcID := list[0]["equipement_id"].(string)
		assert.Equal(t, "POSTE-42", list[0]["name"])
		assert.Nil(t, list[0]["site_id"])
		assert.Equal(t, "computer", list[0]["type"])
		assert.Equal(t, "192.168.1.42", list[0]["ip_address"])
		assert.Regexp(t, millis, list[0]["last_seen"])
		assert.Equal(t, "1", resp.Header.Get("X-Total-Count"))

		moved := api.Call(t, http.MethodPut, "/equipements/"+pcID, key, map[string]any{"site_id": siteID, "serial": "SN-42"})
		require.Equal(t, http.StatusOK, moved.Status, "%s", moved.Body)
		assert.Equal(t, list[0]["last_seen"], moved.Map(t)["last_seen"], "the push's last_seen stays")

		c := listed(t, api, key, clientID)
		assert.EqualValues(t, 1, c["equipements"])
		assert.EqualValues(t, 1, infos(t, api, key, clientID)["sites"].([]any)[0].(map[string]any)["equipements"])
		assert.Equal(t, "[]", strings.TrimSpace(string(api.Call(t, http.MethodGet, "/equipements?unassigned=true", key, nil).Body)))

		t.Run("renaming a computer the push reports: 409", func(t *testing.T) {
			resp := api.Call(t, http.MethodPut, "/equipements/"+pcID, key, map[string]any{"name": "Desk-3"})
			require.Equal(t, http.StatusConflict, resp.Status, "%s", resp.Body)
			assert.Contains(t, resp.Map(t)["detail"], "reported by the software inventory")
		})
		t.Run("a new spelling of its name: 200", func(t *testing.T) {
			resp := api.Call(t, http.MethodPut, "/equipements/"+pcID, key, map[string]any{"name": "poste-42"})
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			assert.Equal(t, "poste-42", resp.Map(t)["name"])
		})
		t.Run("the next push finds the same, placed equipment", func(t *testing.T) {
			pushed := api.Call(t, http.MethodPost, "/client-data", key,
				[]map[string]any{{"computer_name": "POSTE-42", "ip_address": "192.168.1.43", "program": "Chrome", "version": "120"}})
			require.Equal(t, http.StatusOK, pushed.Status, "%s", pushed.Body)
			resp := api.Call(t, http.MethodGet, "/sites/"+siteID+"/equipements", key, nil)
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			var onSite []map[string]any
			resp.JSON(t, &onSite)
			require.Len(t, onSite, 1)
			assert.Equal(t, pcID, onSite[0]["equipement_id"])
			assert.Equal(t, "192.168.1.43", onSite[0]["ip_address"])
			assert.Equal(t, "SN-42", onSite[0]["serial"])
			assert.Equal(t, "1", api.Call(t, http.MethodGet, "/equipements", key, nil).Header.Get("X-Total-Count"), "no second computer")
		})

		unassigned := api.Call(t, http.MethodPut, "/equipements/"+pcID, key, map[string]any{"site_id": nil})
		require.Equal(t, http.StatusOK, unassigned.Status, "%s", unassigned.Body)
		assert.EqualValues(t, 0, listed(t, api, key, clientID)["equipements"])
	})
}

// Another company's ids are 404 on every path, as if they did not exist.
func TestClientIsolationBetweenCompanies(t *testing.T) {
	eachBackend(t, func(t *testing.T, api *apitest.API) {
		owner, other := api.NewCompany(t), api.NewCompany(t)
		clientID := register(t, api, owner.Key, "Private", randomCode())["client_id"].(string)
		siteID := createSite(t, api, owner.Key, clientID, "Site")["site_id"].(string)
		eqID := createEquipment(t, api, owner.Key, siteID, map[string]any{"name": "Secret"})["equipement_id"].(string)
		ownSite := createSite(t, api, other.Key, register(t, api, other.Key, "Mine", randomCode())["client_id"].(string), "Mine")["site_id"].(string)

		for _, call := range []struct {
			method, path string
			body         any
		}{
			{http.MethodGet, "/clients/" + clientID + "/infos", nil},
			{http.MethodPut, "/clients/update", map[string]any{"client_id": clientID, "nom": "Taken", "code": 1}},
			{http.MethodDelete, "/clients/" + clientID, nil},
			{http.MethodPost, "/clients/" + clientID + "/sites", map[string]any{"nom": "Intrus"}},
			{http.MethodGet, "/clients/" + clientID + "/sites", nil},
			{http.MethodPut, "/sites/" + siteID, map[string]any{"nom": "Intrus"}},
			{http.MethodDelete, "/sites/" + siteID, nil},
			{http.MethodPost, "/sites/" + siteID + "/equipements", map[string]any{"name": "Intrus"}},
			{http.MethodGet, "/sites/" + siteID + "/equipements", nil},
			{http.MethodPut, "/equipements/" + eqID, map[string]any{"name": "Intrus"}},
			{http.MethodDelete, "/equipements/" + eqID, nil},
		} {
			t.Run(call.method+" "+call.path+": 404", func(t *testing.T) {
				detail(t, api.Call(t, call.method, call.path, other.Key, call.body), http.StatusNotFound)
			})
		}
		t.Run("their site is not a destination: 404", func(t *testing.T) {
			own := createEquipment(t, api, other.Key, ownSite, map[string]any{"name": "Mine"})["equipement_id"].(string)
			detail(t, api.Call(t, http.MethodPut, "/equipements/"+own, other.Key, map[string]any{"site_id": siteID}), http.StatusNotFound)
		})
		t.Run("listings show only the company's own", func(t *testing.T) {
			assert.NotContains(t, string(api.Call(t, http.MethodGet, "/clients/all", other.Key, nil).Body), clientID)
			assert.NotContains(t, string(api.Call(t, http.MethodGet, "/equipements", other.Key, nil).Body), eqID)
		})
		t.Run("nothing changed for the owner", func(t *testing.T) {
			c := listed(t, api, owner.Key, clientID)
			assert.Equal(t, "Private", c["nom"])
			assert.Equal(t, "active", c["status"])
			assert.EqualValues(t, 1, c["sites"])
			assert.EqualValues(t, 1, c["equipements"])
		})
	})
}

func TestClientRegistrationRace(t *testing.T) {
	eachBackend(t, func(t *testing.T, api *apitest.API) {
		t.Run("Concurrent registrations of one code: one wins, the others 409", func(t *testing.T) {
			acme := api.NewCompany(t)
			code := randomCode()
			const n = 8
			statuses := make([]int, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					statuses[i] = api.Call(t, http.MethodPost, "/clients/register", acme.Key, map[string]any{"nom": fmt.Sprint("N", i), "code": code}).Status
				}()
			}
			wg.Wait()
			won := 0
			for _, s := range statuses {
				if s == http.StatusOK {
					won++
				} else {
					assert.Equal(t, http.StatusConflict, s)
				}
			}
			assert.Equal(t, 1, won)
		})
	})
}

func TestEquipmentOnASiteOfAnInactiveClient(t *testing.T) {
	eachBackend(t, func(t *testing.T, api *apitest.API) {
		key := api.NewCompany(t).Key
		clientID := register(t, api, key, "Gone", randomCode())["client_id"].(string)
		siteID := createSite(t, api, key, clientID, "Old office")["site_id"].(string)
		spare := api.Call(t, http.MethodPost, "/sites/"+siteID+"/equipements", key, map[string]any{"name": "Spare"})
		require.Equal(t, http.StatusOK, spare.Status, "%s", spare.Body)
		require.Equal(t, http.StatusOK, api.Call(t, http.MethodDelete, "/clients/"+clientID, key, nil).Status)

		t.Run("adding equipment to its site: 409, as adding a site", func(t *testing.T) {
			resp := api.Call(t, http.MethodPost, "/sites/"+siteID+"/equipements", key, map[string]any{"name": "Printer"})
			require.Equal(t, http.StatusConflict, resp.Status, "%s", resp.Body)
			assert.Equal(t, "client "+clientID+" is inactive", resp.Map(t)["detail"])
		})
		t.Run("moving equipment onto its site: 409", func(t *testing.T) {
			other := register(t, api, key, "Active", randomCode())["client_id"].(string)
			otherSite := createSite(t, api, key, other, "HQ")["site_id"].(string)
			eq := api.Call(t, http.MethodPost, "/sites/"+otherSite+"/equipements", key, map[string]any{"name": "Laptop"})
			require.Equal(t, http.StatusOK, eq.Status, "%s", eq.Body)
			resp := api.Call(t, http.MethodPut, "/equipements/"+eq.Map(t)["equipement_id"].(string), key, map[string]any{"site_id": siteID})
			assert.Equal(t, http.StatusConflict, resp.Status, "%s", resp.Body)
		})
		t.Run("equipment already there stays, and can be changed: 200", func(t *testing.T) {
			resp := api.Call(t, http.MethodPut, "/equipements/"+spare.Map(t)["equipement_id"].(string), key, map[string]any{"serial": "SN-1"})
			assert.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		})
	})
}
