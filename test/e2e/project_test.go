package e2e

import (
	"net/http"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parc-hq/parc/test/apitest"
)

func TestOperatorManagesProjects(t *testing.T) {
	eachBackend(t, func(t *testing.T, api *apitest.API) {
		a, b := api.NewCompany(t), api.NewCompany(t)
		code := "FIELD-" + uuid.NewString()[:8]

		resp := api.Admin(t, http.MethodPost, "/admin/projects", map[string]any{
			"code": code, "licenses": 10, "companies": []string{a.Code, b.Code}, "owner": a.Code})
		require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
		created := resp.Map(t)
		assert.Equal(t, code, created["name"], "the name defaults to the code")
		assert.ElementsMatch(t, []any{a.Code, b.Code}, created["companies"])
		assert.Equal(t, a.Code, created["owner"])

		t.Run("a duplicate code: 409", func(t *testing.T) {
			resp := api.Admin(t, http.MethodPost, "/admin/projects", map[string]any{"code": code, "licenses": 1, "companies": []string{a.Code}})
			assert.Equal(t, http.StatusConflict, resp.Status)
		})
		t.Run("an unknown member company: 422 naming its index", func(t *testing.T) {
			resp := api.Admin(t, http.MethodPost, "/admin/projects", map[string]any{
				"code": "X-" + uuid.NewString()[:8], "licenses": 1, "companies": []string{a.Code, "NOBODY"}})
			require.Equal(t, http.StatusUnprocessableEntity, resp.Status)
			assert.Contains(t, string(resp.Body), `"path":"companies[1]"`)
		})
		t.Run("an owner outside the members: 422", func(t *testing.T) {
			resp := api.Admin(t, http.MethodPost, "/admin/projects", map[string]any{
				"code": "X-" + uuid.NewString()[:8], "licenses": 1, "companies": []string{a.Code}, "owner": b.Code})
			assert.Equal(t, http.StatusUnprocessableEntity, resp.Status)
		})
		t.Run("update: 200, only the fields given change", func(t *testing.T) {
			resp := api.Admin(t, http.MethodPut, "/admin/projects/"+code, map[string]any{"licenses": 3, "owner": ""})
			require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
			got := resp.Map(t)
			assert.EqualValues(t, 3, got["licenses"])
			assert.Nil(t, got["owner"])
			assert.Len(t, got["companies"], 2)
		})
		t.Run("update of an unknown project: 404", func(t *testing.T) {
			assert.Equal(t, http.StatusNotFound, api.Admin(t, http.MethodPut, "/admin/projects/NOPE-"+uuid.NewString()[:8], map[string]any{"licenses": 1}).Status)
		})
		t.Run("list: 200", func(t *testing.T) {
			resp := api.Admin(t, http.MethodGet, "/admin/projects", nil)
			require.Equal(t, http.StatusOK, resp.Status)
			assert.Contains(t, string(resp.Body), code)
		})
	})
}
