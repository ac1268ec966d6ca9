package genclient

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parc-hq/parc/test/apitest"
	"github.com/parc-hq/parc/test/dbtest"
	"github.com/parc-hq/parc/test/genclient/parcclient"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

const generated = "parcclient/client.gen.go"

// server is the real engine on the SQLite backend, over a real socket.
func server(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(apitest.New(t, dbtest.Get(t, dbtest.Backends()[0])).Handler)
	t.Cleanup(srv.Close)
	return srv
}

// The committed client is what oapi-codegen makes of /openapi.json today.
// With PARC_UPDATE_CLIENT=1 (go generate) it is rewritten instead.
func TestGeneratedClientIsCurrent(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("SKIPPED: no go command to run oapi-codegen")
	}
	resp, err := http.Get(server(t).URL + "/openapi.json")
	require.NoError(t, err)
	doc, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)

	dir := t.TempDir()
	docPath, out := filepath.Join(dir, "openapi.json"), filepath.Join(dir, "client.gen.go")
	require.NoError(t, os.WriteFile(docPath, doc, 0o600))
	cmd := exec.Command("go", "tool", "oapi-codegen", "-config", "oapi-codegen.yaml", "-o", out, docPath)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Run(), "oapi-codegen")
	fresh, err := os.ReadFile(out)
	require.NoError(t, err)

	if os.Getenv("PARC_UPDATE_CLIENT") == "1" {
		require.NoError(t, os.WriteFile(generated, fresh, 0o644))
		return
	}
	committed, err := os.ReadFile(generated)
	require.NoError(t, err)
	if !bytes.Equal(committed, fresh) {
		t.Fatalf("%s is not what oapi-codegen makes of /openapi.json: run go generate ./test/genclient and commit it", generated)
	}
}

// One call per area through the generated client, against the real server.
func TestGeneratedClientTalksToServer(t *testing.T) {
	ctx := context.Background()
	url := server(t).URL
	bearer := func(token string) parcclient.ClientOption {
		return parcclient.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
			r.Header.Set("Authorization", "Bearer "+token)
			return nil
		})
	}
	admin, err := parcclient.NewClientWithResponses(url, bearer(apitest.AdminToken))
	require.NoError(t, err)

	ready, err := admin.GetReadinessWithResponse(ctx)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, ready.StatusCode())

	code, projectCode := apitest.UniqueCode("GEN-"), apitest.UniqueCode("GENP-")
	created, err := admin.CreateCompanyWithResponse(ctx, parcclient.CreateCompanyJSONRequestBody{Code: code, Name: "Generated"})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, created.StatusCode(), "%s", created.Body)
	project, err := admin.CreateProjectWithResponse(ctx, parcclient.CreateProjectJSONRequestBody{Code: projectCode, Licenses: 2, Companies: []string{code}})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, project.StatusCode(), "%s", project.Body)

	api, err := parcclient.NewClientWithResponses(url, bearer(created.JSON201.ApiKey))
	require.NoError(t, err)

	t.Run("me", func(t *testing.T) {
		me, err := api.GetMeWithResponse(ctx)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, me.StatusCode())
		assert.Equal(t, code, me.JSON200.Code)
	})
	t.Run("inventory", func(t *testing.T) {
		pushed, err := api.PushInventoryWithResponse(ctx, nil, parcclient.PushInventoryJSONRequestBody{
			{ComputerName: "PC-1", Program: "Editor", Version: "1.0"}})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, pushed.StatusCode(), "%s", pushed.Body)
		assert.Equal(t, parcclient.ClientDataAnswerStatusSuccess, pushed.JSON200.Status)
	})
	t.Run("clients", func(t *testing.T) {
		client, err := api.RegisterClientWithResponse(ctx, parcclient.RegisterClientJSONRequestBody{Code: 9007199254740993, Nom: "Big"})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, client.StatusCode(), "%s", client.Body)
		assert.Equal(t, int64(9007199254740993), client.JSON200.Code, "a code past 2^53 keeps every digit")
	})
	t.Run("data sets", func(t *testing.T) {
		// A numeric row code past float32's precision (2^24 + 1) must
		// reach the server as written: the relation finds its source row.
		var source parcclient.RowCodeValue
		require.NoError(t, source.FromRowCodeValue1(16777217))
		var target parcclient.RowCodeValue
		require.NoError(t, target.FromRowCodeValue0("CONTACT01"))
		data := map[string][]parcclient.DataRowInput{
			"customer":        {{"customer_ID": int64(16777217), "name": "MF-01"}},
			"customerContact": {{"customerContact_ID": "CONTACT01"}},
		}
		relations := []parcclient.Relation{{SourceEntityName: ptr("customer"), SourceRowCode: &source,
			TargetEntityName: ptr("customerContact"), TargetFieldName: ptr("customer_ID"), TargetRowCode: &target}}
		written, err := api.WriteRelationalDataSetWithResponse(ctx, projectCode, nil,
			parcclient.WriteRelationalDataSetJSONRequestBody{Data: &data, Relations: &relations})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, written.StatusCode(), "%s", written.Body)

		row, err := api.GetRowWithResponse(ctx, projectCode, "customer", "16777217", nil)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, row.StatusCode(), "%s", row.Body)
		assert.Equal(t, "MF-01", row.JSON200.AdditionalProperties["name"])
	})
	t.Run("accounts", func(t *testing.T) {
		accounts, err := api.BulkAccountsWithResponse(ctx, projectCode, parcclient.BulkAccountsJSONRequestBody{{Login: "jdoe", Status: "active"}})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, accounts.StatusCode(), "%s", accounts.Body)
		assert.Equal(t, 1, accounts.JSON200.Used)
	})
}

func ptr[T any](v T) *T { return &v }
