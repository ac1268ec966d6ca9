// Package agents runs the real inventory agents of Debian —
// fusioninventory-agent and ocsinventory-agent — against a real Parc HTTP
// listener on each database backend. The tests install nothing: without the
// agents they are skipped, loudly, unless PARC_TEST_REQUIRE names "agents".
package agents

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parc-hq/parc/test/apitest"
	"github.com/parc-hq/parc/test/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// Binaries are the agents these tests run.
var Binaries = []string{"fusioninventory-agent", "ocsinventory-agent", "dpkg-query"}

// needAgents skips the test, loudly, when an agent is missing, or fails it
// when PARC_TEST_REQUIRE names "agents".
func needAgents(t *testing.T) {
	t.Helper()
	for _, bin := range Binaries {
		if _, err := exec.LookPath(bin); err != nil {
			if slices.Contains(strings.Split(os.Getenv("PARC_TEST_REQUIRE"), ","), "agents") {
				t.Fatalf("%s is required (PARC_TEST_REQUIRE=agents) but not installed: %v", bin, err)
			}
			t.Skipf("SKIPPED: %s is not installed (apt-get install ocsinventory-agent fusioninventory-agent); set PARC_TEST_REQUIRE=agents to fail instead", bin)
		}
	}
}

// installed is what dpkg lists as installed, by the program name the
// agents' packages are kept under (dpkg's name:arch), with its version.
func installed(t *testing.T) map[string]string {
	t.Helper()
	out, err := exec.Command("dpkg-query", "-W", "-f", `${Package}\t${Architecture}\t${Version}\t${Status}\n`).Output()
	require.NoError(t, err)
	want := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, "\t")
		if len(f) == 4 && strings.HasSuffix(f[3], " installed") {
			want[f[0]+":"+f[1]] = f[2]
		}
	}
	require.NotEmpty(t, want)
	return want
}

var (
	localOnce sync.Once
	localXML  []byte
	localErr  error
)

// localInventory is FusionInventory's inventory of this machine, written
// to a file (--local) once for every backend: the base of the modified
// inventories.
func localInventory(t *testing.T) []byte {
	t.Helper()
	localOnce.Do(func() {
		dir, err := os.MkdirTemp("", "parc-agents-")
		if err != nil {
			localErr = err
			return
		}
		defer os.RemoveAll(dir)
		if out, err := run("fusioninventory-agent", "--local", dir, "--no-httpd", "--logger=stderr"); err != nil {
			localErr = err
			_ = out
			return
		}
		files, _ := filepath.Glob(filepath.Join(dir, "*.ocs"))
		if len(files) != 1 {
			localErr = os.ErrNotExist
			return
		}
		localXML, localErr = os.ReadFile(files[0])
	})
	require.NoError(t, localErr, "fusioninventory-agent --local")
	return localXML
}

// run runs an agent with a deadline, answering its combined output.
func run(name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	return string(out), err
}

// fusion runs fusioninventory-agent once; its exit code is 0 even after an
// HTTP error, so success is a log without an "[error]" line.
func fusion(t *testing.T, server, key string) (string, bool) {
	t.Helper()
	out, err := run("fusioninventory-agent", "--server", server, "--user", "agent", "--password", key,
		"--no-ssl-check", "--force", "--no-httpd", "--logger=stderr", "--tasks=inventory")
	return out, err == nil && !strings.Contains(out, "[error]")
}

// ocs runs ocsinventory-agent once, with its quirks: credentials given in
// base64, --nolocal against Debian's configuration file.
func ocs(t *testing.T, server, key string) (string, bool) {
	t.Helper()
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	out, err := run("ocsinventory-agent", "--nolocal", "--server", server, "--user", b64("agent"), "--password", b64(key),
		"--basevardir", t.TempDir())
	return out, err == nil
}

type row struct {
	ComputerName string `json:"computer_name"`
	Program      string `json:"program"`
	Version      string `json:"version"`
	Removed      bool   `json:"removed"`
	ChangedAt    string `json:"changed_at"`
}

// listing reads every installation of the company, removed ones too.
func listing(t *testing.T, api *apitest.API, key string) []row {
	t.Helper()
	var all []row
	cursor := ""
	for {
		path := "/client-data?include_removed=true&limit=5000"
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		resp := api.Call(t, http.MethodGet, path, key, nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s", resp.Body)
		var page struct {
			Items      []row   `json:"items"`
			NextCursor *string `json:"next_cursor"`
		}
		resp.JSON(t, &page)
		all = append(all, page.Items...)
		if page.NextCursor == nil {
			return all
		}
		cursor = *page.NextCursor
	}
}

func present(rows []row) map[string]string {
	out := map[string]string{}
	for _, r := range rows {
		if !r.Removed {
			out[r.Program] = r.Version
		}
	}
	return out
}

func TestRealAgents(t *testing.T) {
	needAgents(t)
	want := installed(t)
	base := localInventory(t)
	dbtest.Each(t, func(t *testing.T, target *dbtest.Target) {
		api := apitest.New(t, target)
		srv := httptest.NewServer(api.Handler)
		defer srv.Close()
		server := srv.URL + "/ocsinventory"
		acme := api.NewCompany(t)

		t.Run("fusioninventory-agent stores every installed package", func(t *testing.T) {
			out, ok := fusion(t, server, acme.Key)
			require.True(t, ok, "fusioninventory-agent failed:\n%s", out)
			rows := listing(t, api, acme.Key)
			assert.Equal(t, want, present(rows))
			require.NotEmpty(t, rows)
			eq := api.Call(t, http.MethodGet, "/equipements", acme.Key, nil)
			assert.Contains(t, string(eq.Body), `"agent":"fusioninventory"`)
		})

		t.Run("ocsinventory-agent on the same machine changes nothing", func(t *testing.T) {
			before := listing(t, api, acme.Key)
			out, ok := ocs(t, server, acme.Key)
			require.True(t, ok, "ocsinventory-agent failed:\n%s", out)
			assert.Equal(t, before, listing(t, api, acme.Key), "same programs, versions and change times")
			eq := api.Call(t, http.MethodGet, "/equipements", acme.Key, nil)
			assert.Contains(t, string(eq.Body), `"agent":"ocsinventory"`)
			assert.Equal(t, 1, strings.Count(string(eq.Body), `"equipement_id"`), "one computer")
		})

		t.Run("a package no longer listed is marked removed", func(t *testing.T) {
			gone := regexp.MustCompile(`(?s)<SOFTWARES>.*?</SOFTWARES>`).FindString(string(base))
			require.NotEmpty(t, gone)
			name := regexp.MustCompile(`<NAME>(.*?)</NAME>`).FindStringSubmatch(gone)[1]
			arch := regexp.MustCompile(`<ARCH>(.*?)</ARCH>`).FindStringSubmatch(gone)[1]
			status := postInventory(t, server, acme.Key, strings.Replace(string(base), gone, "", 1))
			require.Equal(t, http.StatusOK, status)
			rows := listing(t, api, acme.Key)
			expected := clone(want)
			delete(expected, name+":"+arch)
			assert.Equal(t, expected, present(rows))
			assert.Len(t, rows, len(want), "the removed package is kept, marked removed")
		})

		t.Run("a wrong key leaves nothing", func(t *testing.T) {
			other := api.NewCompany(t)
			wrong := other.Key + "x"
			if out, ok := fusion(t, server, wrong); ok {
				t.Errorf("fusioninventory-agent succeeded with a wrong key:\n%s", out)
			}
			if out, ok := ocs(t, server, wrong); ok {
				t.Errorf("ocsinventory-agent succeeded with a wrong key:\n%s", out)
			}
			assert.Empty(t, listing(t, api, other.Key))
			eq := api.Call(t, http.MethodGet, "/equipements", other.Key, nil)
			assert.JSONEq(t, `[]`, string(eq.Body))
		})
	})
}

func clone(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// postInventory sends an inventory as the OCS agent does: zlib, labelled
// application/x-compress, credentials after the challenge.
func postInventory(t *testing.T, server, key, xml string) int {
	t.Helper()
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	_, _ = w.Write([]byte(xml))
	require.NoError(t, w.Close())
	req, err := http.NewRequest(http.MethodPost, server, &buf)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-compress")
	req.SetBasicAuth("agent", key)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	return resp.StatusCode
}
