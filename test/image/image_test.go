// Package image checks the container image `make image` builds: it holds a
// working parc binary and runs it as a non-root user. Without the tarball
// the test skips, loudly, unless PARC_TEST_REQUIRE names "image".
package image

import (
	"archive/tar"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const tarballPath = "../../dist/image/parc.tar"

func TestImageHoldsTheBinaryAndRunsAsNonRoot(t *testing.T) {
	if _, err := os.Stat(tarballPath); err != nil {
		if slices.Contains(strings.Split(os.Getenv("PARC_TEST_REQUIRE"), ","), "image") {
			t.Fatalf("the image is required (PARC_TEST_REQUIRE) but %s is missing: run make image", tarballPath)
		}
		t.Skipf("SKIPPED: %s not built; run make image (or set PARC_TEST_REQUIRE=image to fail instead)", tarballPath)
	}
	img, err := tarball.ImageFromPath(tarballPath, nil)
	require.NoError(t, err)
	cfg, err := img.ConfigFile()
	require.NoError(t, err)
	assert.Equal(t, "linux", cfg.OS)
	assert.Equal(t, []string{"/parc"}, cfg.Config.Entrypoint)
	assert.Equal(t, []string{"serve"}, cfg.Config.Cmd)
	user, _, _ := strings.Cut(cfg.Config.User, ":")
	assert.NotContains(t, []string{"", "0", "root"}, user, "runs as a non-root user")
	assert.Contains(t, cfg.Config.Env, "PARC_ADDR=0.0.0.0:8080")

	files := map[string]*tar.Header{}
	var binary []byte
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		files[strings.Trim(h.Name, "/")] = h
		if h.Name == "parc" {
			binary, err = io.ReadAll(tr)
			require.NoError(t, err)
		}
	}
	require.Contains(t, files, "parc", "the image holds the binary")
	assert.NotZero(t, files["parc"].Mode&0o111, "executable")
	require.Contains(t, files, "data")
	assert.Equal(t, user, strconv.Itoa(files["data"].Uid), "the data directory belongs to the image's user")

	if cfg.Architecture != runtime.GOARCH || runtime.GOOS != "linux" {
		t.Logf("not running the %s binary on %s/%s", cfg.Architecture, runtime.GOOS, runtime.GOARCH)
		return
	}
	path := filepath.Join(t.TempDir(), "parc")
	require.NoError(t, os.WriteFile(path, binary, 0o755))
	out, err := exec.Command(path, "version").CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Regexp(t, `^parc \S+ \(revision`, string(out))
}
