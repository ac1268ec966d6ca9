package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parc-hq/parc/test/apitest"
	"github.com/parc-hq/parc/test/dbtest"
)

func TestAuthentication(t *testing.T) {
	eachBackend(t, func(t *testing.T, api *apitest.API) {
		acme := api.NewCompany(t)

		t.Run("a valid key sees its own company: 200", func(t *testing.T) {
			resp := api.Call(t, http.MethodGet, "/me", acme.Key, nil)
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			me := resp.Map(t)
			assert.Equal(t, acme.ID, me["company_id"])
			assert.Equal(t, acme.Code, me["code"])
			assert.Equal(t, "active", me["status"])
		})
		t.Run("the key also works as a bearer token: 200", func(t *testing.T) {
			resp := api.Call(t, http.MethodGet, "/me", "Bearer "+acme.Key, nil)
			assert.Equal(t, http.StatusOK, resp.Status)
		})
		t.Run("no key: 401", func(t *testing.T) {
			resp := api.Call(t, http.MethodGet, "/me", "", nil)
			assert.Equal(t, http.StatusUnauthorized, resp.Status)
			assert.Equal(t, "unauthorized", resp.Map(t)["error"])
		})
		t.Run("a malformed key: 401", func(t *testing.T) {
			assert.Equal(t, http.StatusUnauthorized, api.Call(t, http.MethodGet, "/me", "not-a-key", nil).Status)
		})
		t.Run("a well-formed unknown key: 401", func(t *testing.T) {
			unknown := "parc_aaaaaaaa_" + strings.Repeat("b", 32)
			assert.Equal(t, http.StatusUnauthorized, api.Call(t, http.MethodGet, "/me", unknown, nil).Status)
		})
		t.Run("a known prefix with a wrong secret: 401", func(t *testing.T) {
			forged := acme.Key[:len(acme.Key)-4] + "aaaa"
			if forged == acme.Key {
				forged = acme.Key[:len(acme.Key)-4] + "bbbb"
			}
			assert.Equal(t, http.StatusUnauthorized, api.Call(t, http.MethodGet, "/me", forged, nil).Status)
		})
	})
}

func TestKeyRotationAndRevocation(t *testing.T) {
	eachBackend(t, func(t *testing.T, api *apitest.API) {
		acme := api.NewCompany(t)

		created := api.Admin(t, http.MethodPost, "/admin/companies/"+acme.ID+"/keys", map[string]string{"name": "rotation"})
		require.Equal(t, http.StatusCreated, created.Status, "%s", created.Body)
		var key struct {
			KeyID  string `json:"key_id"`
			Prefix string `json:"prefix"`
			APIKey string `json:"api_key"`
		}
		created.JSON(t, &key)
		assert.True(t, strings.Contains(key.APIKey, key.Prefix))

		// Both keys work side by side: rotation without downtime.
		assert.Equal(t, http.StatusOK, api.Call(t, http.MethodGet, "/me", acme.Key, nil).Status)
		assert.Equal(t, http.StatusOK, api.Call(t, http.MethodGet, "/me", key.APIKey, nil).Status)

		list := api.Admin(t, http.MethodGet, "/admin/companies/"+acme.ID+"/keys", nil)
		require.Equal(t, http.StatusOK, list.Status)
		assert.NotContains(t, string(list.Body), key.APIKey, "a listing never shows a secret")
		var keys []map[string]any
		list.JSON(t, &keys)
		assert.Len(t, keys, 2)

		revoked := api.Admin(t, http.MethodDelete, "/admin/keys/"+key.KeyID, nil)
		require.Equal(t, http.StatusOK, revoked.Status, "%s", revoked.Body)
		assert.NotNil(t, revoked.Map(t)["revoked_at"])

		t.Run("a revoked key: 401", func(t *testing.T) {
			assert.Equal(t, http.StatusUnauthorized, api.Call(t, http.MethodGet, "/me", key.APIKey, nil).Status)
		})
		t.Run("the other key still works: 200", func(t *testing.T) {
			assert.Equal(t, http.StatusOK, api.Call(t, http.MethodGet, "/me", acme.Key, nil).Status)
		})
		t.Run("revoking an unknown key: 404", func(t *testing.T) {
			assert.Equal(t, http.StatusNotFound, api.Admin(t, http.MethodDelete, "/admin/keys/00000000-0000-0000-0000-000000000000", nil).Status)
		})
	})
}

func TestDisabledCompany(t *testing.T) {
	eachBackend(t, func(t *testing.T, api *apitest.API) {
		acme := api.NewCompany(t)
		resp := api.Admin(t, http.MethodPut, "/admin/companies/"+acme.ID, map[string]string{"status": "disabled"})
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		assert.Equal(t, "disabled", resp.Map(t)["status"])

		t.Run("a disabled company's key: 401", func(t *testing.T) {
			assert.Equal(t, http.StatusUnauthorized, api.Call(t, http.MethodGet, "/me", acme.Key, nil).Status)
		})
		t.Run("re-enabled, the key works again: 200", func(t *testing.T) {
			resp := api.Admin(t, http.MethodPut, "/admin/companies/"+acme.ID, map[string]string{"status": "active"})
			require.Equal(t, http.StatusOK, resp.Status)
			assert.Equal(t, http.StatusOK, api.Call(t, http.MethodGet, "/me", acme.Key, nil).Status)
		})
		t.Run("an unknown status: 422", func(t *testing.T) {
			resp := api.CallInvalid(t, http.MethodPut, "/admin/companies/"+acme.ID, "Bearer "+apitest.AdminToken, map[string]string{"status": "paused"})
			assert.Equal(t, http.StatusUnprocessableEntity, resp.Status)
		})
	})
}

func TestAdminAPI(t *testing.T) {
	eachBackend(t, func(t *testing.T, api *apitest.API) {
		t.Run("creating a company answers its first key once: 201", func(t *testing.T) {
			resp := api.Admin(t, http.MethodPost, "/admin/companies", map[string]string{"code": "NEW-" + uuid.NewString()[:8], "name": "New Co"})
			require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
			body := resp.Map(t)
			assert.NotEmpty(t, body["api_key"])
			assert.Equal(t, "active", body["status"])
		})
		t.Run("a duplicate code: 409", func(t *testing.T) {
			acme := api.NewCompany(t)
			resp := api.Admin(t, http.MethodPost, "/admin/companies", map[string]string{"code": acme.Code, "name": "Again"})
			assert.Equal(t, http.StatusConflict, resp.Status)
		})
		t.Run("missing code and name: 422 naming both", func(t *testing.T) {
			resp := api.CallInvalid(t, http.MethodPost, "/admin/companies", "Bearer "+apitest.AdminToken, map[string]string{})
			require.Equal(t, http.StatusUnprocessableEntity, resp.Status)
			assert.Contains(t, string(resp.Body), `"path":"code"`)
			assert.Contains(t, string(resp.Body), `"path":"name"`)
		})
		t.Run("malformed JSON: 400 with its position", func(t *testing.T) {
			resp := api.CallInvalid(t, http.MethodPost, "/admin/companies", "Bearer "+apitest.AdminToken, "{\n  \"code\": ,\n}")
			require.Equal(t, http.StatusBadRequest, resp.Status)
			assert.Contains(t, resp.Map(t)["message"], "line 2")
		})
		t.Run("listing companies: 200", func(t *testing.T) {
			acme := api.NewCompany(t)
			resp := api.Admin(t, http.MethodGet, "/admin/companies", nil)
			require.Equal(t, http.StatusOK, resp.Status)
			assert.Contains(t, string(resp.Body), acme.ID)
		})
		t.Run("updating an unknown company: 404", func(t *testing.T) {
			resp := api.Admin(t, http.MethodPut, "/admin/companies/00000000-0000-0000-0000-000000000000", map[string]string{"name": "x"})
			assert.Equal(t, http.StatusNotFound, resp.Status)
		})
		t.Run("a wrong operator token: 401", func(t *testing.T) {
			resp := api.CallInvalid(t, http.MethodGet, "/admin/companies", "Bearer wrong", nil)
			assert.Equal(t, http.StatusUnauthorized, resp.Status)
		})
		t.Run("a company key on the admin API: 401", func(t *testing.T) {
			acme := api.NewCompany(t)
			assert.Equal(t, http.StatusUnauthorized, api.CallInvalid(t, http.MethodGet, "/admin/companies", acme.Key, nil).Status)
		})
	})
}

func TestAdminAPIClosedWithoutToken(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, target *dbtest.Target) {
		api := apitest.New(t, target, apitest.WithAdminToken(""))
		for _, tok := range []string{"", "Bearer ", "Bearer anything"} {
			resp := api.CallInvalid(t, http.MethodGet, "/admin/companies", tok, nil)
			assert.Equal(t, http.StatusUnauthorized, resp.Status, "token %q", tok)
		}
	})
}

func TestBodyLimit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, target *dbtest.Target) {
		api := apitest.New(t, target, apitest.WithBodyLimit(64))
		company := api.NewCompany(t)
		big := strings.Repeat("x", 100)

		t.Run("admin API: 413 in the default shape", func(t *testing.T) {
			resp := api.Admin(t, http.MethodPost, "/admin/companies", `{"code":"BIG","name":"`+big+`"}`)
			require.Equal(t, http.StatusRequestEntityTooLarge, resp.Status, "%s", resp.Body)
			assert.Equal(t, "payload_too_large", resp.Map(t)["error"])
		})
		t.Run("clients: 413 in FastAPI's shape", func(t *testing.T) {
			resp := api.Call(t, http.MethodPost, "/clients/register", company.Key, `{"nom":"`+big+`","code":1}`)
			require.Equal(t, http.StatusRequestEntityTooLarge, resp.Status, "%s", resp.Body)
			assert.Contains(t, resp.Map(t)["detail"], "exceeds the limit")
		})
		t.Run("client-data: 413 in the seed's shape", func(t *testing.T) {
			resp := api.Call(t, http.MethodPost, "/client-data", company.Key,
				`[{"computer_name":"PC","program":"`+big+`","version":"1"}]`)
			require.Equal(t, http.StatusRequestEntityTooLarge, resp.Status, "%s", resp.Body)
			assert.Equal(t, "error", resp.Map(t)["status"])
		})
		t.Run("oversized body with no key: 401, authentication comes first", func(t *testing.T) {
			resp := api.CallInvalid(t, http.MethodPost, "/admin/companies", "", `{"code":"BIG","name":"`+big+`"}`)
			require.Equal(t, http.StatusUnauthorized, resp.Status, "%s", resp.Body)
			resp = api.CallInvalid(t, http.MethodPost, "/admin/companies", "wrong-token", `{"code":"BIG","name":"`+big+`"}`)
			require.Equal(t, http.StatusUnauthorized, resp.Status, "%s", resp.Body)
			resp = api.CallInvalid(t, http.MethodPost, "/v1/Accounts/FIELD", "", `[{"login":"`+big+`","status":"active"}]`)
			require.Equal(t, http.StatusUnauthorized, resp.Status, "%s", resp.Body)
			assert.Equal(t, "unauthorized", resp.Map(t)["error"])
			resp = api.CallInvalid(t, http.MethodPost, "/clients/register", "", `{"nom":"`+big+`","code":1}`)
			require.Equal(t, http.StatusUnauthorized, resp.Status, "%s", resp.Body)
			assert.Contains(t, resp.Map(t), "detail", "in FastAPI's shape")
			resp = api.CallInvalid(t, http.MethodPost, "/client-data", "", `[{"computer_name":"PC","program":"`+big+`","version":"1"}]`)
			require.Equal(t, http.StatusUnauthorized, resp.Status, "%s", resp.Body)
			assert.Equal(t, "error", resp.Map(t)["status"], "in the seed's shape")
		})
	})
}

func TestProbesAndDocs(t *testing.T) {
	eachBackend(t, func(t *testing.T, api *apitest.API) {
		assert.Equal(t, http.StatusOK, api.Call(t, http.MethodGet, "/healthz", "", nil).Status)
		assert.Equal(t, http.StatusOK, api.Call(t, http.MethodGet, "/readyz", "", nil).Status)
		assert.Equal(t, http.StatusOK, api.Call(t, http.MethodGet, "/openapi.json", "", nil).Status)
		docs := api.Call(t, http.MethodGet, "/docs", "", nil)
		assert.Equal(t, http.StatusOK, docs.Status)
		assert.Contains(t, string(docs.Body), "swagger-ui")
		initializer := api.CallInvalid(t, http.MethodGet, "/docs/swagger-initializer.js", "", nil) // an asset, not an API route
		assert.Equal(t, http.StatusOK, initializer.Status)
		assert.Contains(t, string(initializer.Body), "validatorUrl: null", "the page calls no outside validator")
		api.Call(t, http.MethodGet, "/me", "", nil)
		metrics := api.Call(t, http.MethodGet, "/metrics", "", nil)
		require.Equal(t, http.StatusOK, metrics.Status)
		assert.Contains(t, string(metrics.Body), `parc_http_requests_total{method="GET",route="/me",status="401"}`)
		assert.Contains(t, string(metrics.Body), "parc_http_request_duration_seconds_bucket")
		assert.Regexp(t, `parc_build_info\{goversion="go[^"]+",revision="[^"]+",version="[^"]+"\} 1`, string(metrics.Body))
	})
}

func TestUnknownRouteIsJSON404(t *testing.T) {
	eachBackend(t, func(t *testing.T, api *apitest.API) {
		resp := api.CallInvalid(t, http.MethodGet, "/nowhere", "", nil)
		assert.Equal(t, http.StatusNotFound, resp.Status)
		assert.Equal(t, "not_found", resp.Map(t)["error"])
	})
}
