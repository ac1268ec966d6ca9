package main

import (
	"bytes"
	"io"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A word the command does not take is refused before anything is stored.
func TestCLIRefusesExtraArguments(t *testing.T) {
	testConfig(t, "sqlite:"+filepath.Join(t.TempDir(), "cli.db"))
	require.NoError(t, run([]string{"company", "create", "--code", "BETA", "--name", "Beta"}, io.Discard, io.Discard))

	var usage usageError
	err := run([]string{"company", "update", "--code", "BETA", "--name", "New", "Name", "--status", "disabled"}, io.Discard, io.Discard)
	require.ErrorAs(t, err, &usage)
	assert.Contains(t, usage.msg, `unexpected argument "Name"`)
	assert.Contains(t, usage.help, "usage: parc company update")

	var out bytes.Buffer
	require.NoError(t, run([]string{"company", "list"}, &out, io.Discard))
	assert.Contains(t, out.String(), `"name": "Beta"`, "nothing changed")
	assert.Contains(t, out.String(), `"status": "active"`)

	for _, args := range [][]string{
		{"company", "list", "extra"},
		{"key", "revoke"},
		{"key", "revoke", "a", "b"},
		{"migrate", "--addr", "x:1"}, // only serve listens
		{"version", "now"},
		{"--version", "now"},
		{"company", "rename"},
		{"company"},
		{"nonsense"},
		{},
	} {
		assert.ErrorAs(t, run(args, io.Discard, io.Discard), &usage, "%q", args)
	}
}

func TestCLIHelpListsOnlyTheCommandsFlags(t *testing.T) {
	help := func(args ...string) string {
		t.Helper()
		var out bytes.Buffer
		require.NoError(t, run(args, &out, io.Discard), "%q", args)
		return out.String()
	}
	main := help("help")
	assert.Contains(t, main, "company update")
	assert.Contains(t, main, "version")
	assert.Equal(t, main, help("--help"))

	group := help("company", "--help")
	assert.Contains(t, group, "company create")
	assert.NotContains(t, group, "key create")
	assert.Equal(t, group, help("help", "company"))

	update := help("company", "update", "--help")
	assert.Contains(t, update, "usage: parc company update --code CODE")
	assert.Contains(t, update, "-status")
	assert.Contains(t, update, "-database-url")
	assert.NotContains(t, update, "-addr")
	assert.Equal(t, update, help("help", "company", "update"))

	assert.Contains(t, help("serve", "-h"), "-addr")
	assert.NotContains(t, help("version", "--help"), "-database-url")
}

func TestCLIVersion(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run([]string{"version"}, &out, io.Discard))
	assert.Regexp(t, `^parc \S+ \(revision \S+.*`+runtime.Version()+`\)\n$`, out.String())
	var again bytes.Buffer
	require.NoError(t, run([]string{"--version"}, &again, io.Discard))
	assert.Equal(t, out.String(), again.String())
}

func TestCLINamesAMissingDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nowhere")
	testConfig(t, "sqlite:"+filepath.Join(dir, "parc.db"))
	err := run([]string{"company", "list"}, io.Discard, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "directory "+dir+" does not exist")
	assert.NotContains(t, err.Error(), "out of memory")
}

func TestCLIPrintsTheOpenAPIDocument(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run([]string{"openapi"}, &out, io.Discard))
	assert.Contains(t, out.String(), `"operationId": "listClients"`)
}

func TestCLIMigrateAndStatus(t *testing.T) {
	testConfig(t, "sqlite:"+filepath.Join(t.TempDir(), "cli.db"))
	var out bytes.Buffer
	require.NoError(t, run([]string{"migrate", "status"}, &out, io.Discard))
	assert.Contains(t, out.String(), "schema version: 0 of ")
	assert.Contains(t, out.String(), "pending steps")
	out.Reset()
	require.NoError(t, run([]string{"migrate"}, &out, io.Discard))
	assert.Contains(t, out.String(), "schema is up to date: version ")
	out.Reset()
	require.NoError(t, run([]string{"migrate", "status"}, &out, io.Discard))
	assert.Contains(t, out.String(), "up to date")
	assert.NotContains(t, out.String(), "pending")
}

// Invalid input reads as the API words it: the problems carry no prose.
func TestCLIWordsInvalidInput(t *testing.T) {
	testConfig(t, "sqlite:"+filepath.Join(t.TempDir(), "cli.db"))
	require.NoError(t, run([]string{"migrate"}, io.Discard, io.Discard))
	err := run([]string{"company", "create", "--code", "bad code", "--name", " "}, io.Discard, io.Discard)
	require.Error(t, err)
	assert.Equal(t, "invalid input: code: code may contain only letters, digits, '_', '-' and '.'; name: name is required", describe(err))
}
