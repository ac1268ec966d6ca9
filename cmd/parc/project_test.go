package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/fx"

	"github.com/parc-hq/parc/app"
)

// projectOut is the part of a printed project the tests compare.
type projectOut struct {
	Code      string   `json:"code"`
	Name      string   `json:"name"`
	Licenses  int      `json:"licenses"`
	Companies []string `json:"companies"`
	Owner     *string  `json:"owner"`
}

type companyOut struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Status string `json:"status"`
}

func owner(code string) *string { return &code }

func TestCLICreatesAProject(t *testing.T) {
	testConfig(t, "sqlite:"+filepath.Join(t.TempDir(), "cli.db"))
	var out bytes.Buffer
	for _, code := range []string{"ACME", "BETA"} {
		require.NoError(t, run([]string{"company", "create", "--code", code, "--name", code}, &out, io.Discard))
	}
	out.Reset()
	require.NoError(t, run([]string{"project", "create", "--code", "FIELD", "--licenses", "3", "--companies", "ACME, BETA", "--owner", "ACME"}, &out, io.Discard))
	var created projectOut
	require.NoError(t, json.Unmarshal(out.Bytes(), &created))
	assert.Equal(t, projectOut{Code: "FIELD", Name: "FIELD", Licenses: 3, Companies: []string{"ACME", "BETA"}, Owner: owner("ACME")}, created)

	out.Reset()
	require.NoError(t, run([]string{"project", "list"}, &out, io.Discard))
	var list []projectOut
	require.NoError(t, json.Unmarshal(out.Bytes(), &list))
	assert.Equal(t, []projectOut{created}, list)

	assert.ErrorContains(t, run([]string{"project", "create", "--code", "FIELD", "--companies", "ACME"}, &out, io.Discard), "already exists")
	assert.Error(t, run([]string{"project", "create", "--code", "OTHER", "--companies", "NOBODY"}, &out, io.Discard))
	assert.Error(t, run([]string{"project", "create", "--code", "OTHER", "--companies", "ACME", "--owner", "BETA"}, &out, io.Discard))
}

func TestCLIUpdatesProjectsAndCompanies(t *testing.T) {
	cfg := testConfig(t, "sqlite:"+filepath.Join(t.TempDir(), "cli.db"))
	var out bytes.Buffer
	for _, code := range []string{"ACME", "BETA", "GAMMA"} {
		require.NoError(t, run([]string{"company", "create", "--code", code, "--name", code}, &out, io.Discard))
	}
	require.NoError(t, run([]string{"project", "create", "--code", "FIELD", "--licenses", "3", "--companies", "ACME,BETA", "--owner", "ACME"}, &out, io.Discard))

	t.Run("project update changes only the flags given", func(t *testing.T) {
		out.Reset()
		require.NoError(t, run([]string{"project", "update", "--code", "FIELD", "--name", "Field work", "--companies", "ACME,BETA,GAMMA"}, &out, io.Discard))
		var got projectOut
		require.NoError(t, json.Unmarshal(out.Bytes(), &got))
		assert.Equal(t, projectOut{Code: "FIELD", Name: "Field work", Licenses: 3, Companies: []string{"ACME", "BETA", "GAMMA"}, Owner: owner("ACME")}, got)

		out.Reset()
		require.NoError(t, run([]string{"project", "update", "--code", "FIELD", "--owner", ""}, &out, io.Discard))
		got = projectOut{}
		require.NoError(t, json.Unmarshal(out.Bytes(), &got))
		assert.Equal(t, projectOut{Code: "FIELD", Name: "Field work", Licenses: 3, Companies: []string{"ACME", "BETA", "GAMMA"}}, got)
	})

	t.Run("project update runs the licence rules", func(t *testing.T) {
		require.NoError(t, withCore(context.Background(), cfg, func(d struct {
			fx.In
			Tenants  *app.TenantService
			Accounts *app.AccountService
		}) error {
			beta, err := d.Tenants.CompanyByCode(context.Background(), "BETA")
			require.NoError(t, err)
			_, err = d.Accounts.Bulk(context.Background(), "FIELD", beta, []app.AccountInput{{Login: "a", Status: "active"}, {Login: "b", Status: "active"}})
			return err
		}))
		err := run([]string{"project", "update", "--code", "FIELD", "--licenses", "1"}, &out, io.Discard)
		assert.ErrorContains(t, err, "project FIELD has 2 active accounts: disable 1 before lowering its licences to 1")
		err = run([]string{"project", "update", "--code", "FIELD", "--companies", "ACME,GAMMA"}, &out, io.Discard)
		assert.ErrorContains(t, err, "company BETA has 2 active accounts in project FIELD")
		out.Reset()
		require.NoError(t, run([]string{"project", "update", "--code", "FIELD", "--licenses", "2"}, &out, io.Discard))
		assert.Contains(t, out.String(), `"licenses": 2`)
	})

	t.Run("project update: bad input is an error", func(t *testing.T) {
		var usage usageError
		assert.ErrorAs(t, run([]string{"project", "update", "--licenses", "2"}, &out, io.Discard), &usage, "no --code")
		assert.ErrorAs(t, run([]string{"project", "update", "--code", "FIELD", "--licenses", "many"}, &out, io.Discard), &usage)
		assert.ErrorContains(t, run([]string{"project", "update", "--code", "NOPE", "--licenses", "2"}, &out, io.Discard), "not found")
		assert.ErrorContains(t, run([]string{"project", "update", "--code", "FIELD", "--companies", "ACME,NOBODY"}, &out, io.Discard), "NOBODY")
		assert.Error(t, run([]string{"project", "update", "--code", "FIELD", "--licenses", "-1"}, &out, io.Discard))
	})

	t.Run("company update renames and disables", func(t *testing.T) {
		out.Reset()
		require.NoError(t, run([]string{"company", "update", "--code", "GAMMA", "--name", "Gamma SA", "--status", "disabled"}, &out, io.Discard))
		var got companyOut
		require.NoError(t, json.Unmarshal(out.Bytes(), &got))
		assert.Equal(t, "Gamma SA", got.Name)
		assert.Equal(t, "disabled", got.Status)

		out.Reset()
		require.NoError(t, run([]string{"company", "update", "--code", "GAMMA", "--status", "active"}, &out, io.Discard))
		got = companyOut{}
		require.NoError(t, json.Unmarshal(out.Bytes(), &got))
		assert.Equal(t, companyOut{Code: "GAMMA", Name: "Gamma SA", Status: "active"}, got)

		assert.Error(t, run([]string{"company", "update", "--code", "GAMMA", "--status", "sleeping"}, &out, io.Discard))
		assert.ErrorContains(t, run([]string{"company", "update", "--code", "NOPE", "--name", "x"}, &out, io.Discard), "not found")
		var usage usageError
		assert.ErrorAs(t, run([]string{"company", "update", "--name", "x"}, &out, io.Discard), &usage)
	})
}
