package main

import (
	"bytes"
	"encoding/json"
	"io"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
	assert.Equal(t, projectOut{Code: "FIELD", Name: "FIELD", Licenses: 3, Companies: []string{"ACME", "BETA"}, Owner: "ACME"}, created)

	out.Reset()
	require.NoError(t, run([]string{"project", "list"}, &out, io.Discard))
	var list []projectOut
	require.NoError(t, json.Unmarshal(out.Bytes(), &list))
	assert.Equal(t, []projectOut{created}, list)

	assert.ErrorContains(t, run([]string{"project", "create", "--code", "FIELD", "--companies", "ACME"}, &out, io.Discard), "already exists")
	assert.Error(t, run([]string{"project", "create", "--code", "OTHER", "--companies", "NOBODY"}, &out, io.Discard))
	assert.Error(t, run([]string{"project", "create", "--code", "OTHER", "--companies", "ACME", "--owner", "BETA"}, &out, io.Discard))
}
