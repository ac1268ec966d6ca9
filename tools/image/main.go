// Command image packs a parc binary into a container image tarball, without
// a Docker daemon: one layer on an empty base, running as a non-root user.
// `make image` builds the static binary and calls it; load the result with
// `docker load -i` or `podman load -i`.
//
//	go run ./tools/image -binary dist/parc-linux-amd64 -arch amd64 -version v1.2.3 -o dist/parc-image.tar
package main

import (
	"archive/tar"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// The image's user: no name, no shell, no home but the data directory.
const (
	uid     = 65532
	dataDir = "data"
	// caBundle lets PostgreSQL and MySQL connections verify certificates
	// (sslmode=verify-full); taken from the build host when it has one.
	caBundle = "/etc/ssl/certs/ca-certificates.crt"
)

func main() {
	binary := flag.String("binary", "", "static linux parc binary to pack")
	arch := flag.String("arch", "amd64", "the binary's architecture")
	version := flag.String("version", "devel", "version label")
	tag := flag.String("tag", "parc:latest", "image name recorded in the tarball")
	out := flag.String("o", "dist/parc-image.tar", "tarball to write")
	flag.Parse()
	if err := build(*binary, *arch, *version, *tag, *out); err != nil {
		fmt.Fprintln(os.Stderr, "image:", err)
		os.Exit(1)
	}
	fmt.Println(*out)
}

func build(binary, arch, version, tag, out string) error {
	bin, err := os.ReadFile(binary)
	if err != nil {
		return fmt.Errorf("read the binary (run make image, which builds it): %w", err)
	}
	layerTar, err := rootFS(bin)
	if err != nil {
		return err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layerTar)), nil
	})
	if err != nil {
		return fmt.Errorf("layer: %w", err)
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		return fmt.Errorf("append layer: %w", err)
	}
	img, err = mutate.ConfigFile(img, &v1.ConfigFile{
		Architecture: arch, OS: "linux", Created: v1.Time{Time: time.Unix(0, 0).UTC()},
		RootFS: mustRootFS(img),
		Config: v1.Config{
			Entrypoint: []string{"/parc"}, Cmd: []string{"serve"},
			User: fmt.Sprintf("%d:%d", uid, uid), WorkingDir: "/" + dataDir,
			Env:          []string{"PARC_ADDR=0.0.0.0:8080", "PARC_DATABASE_URL=sqlite:/data/parc.db"},
			ExposedPorts: map[string]struct{}{"8080/tcp": {}},
			Volumes:      map[string]struct{}{"/" + dataDir: {}},
			Labels: map[string]string{
				"org.opencontainers.image.title":    "parc",
				"org.opencontainers.image.version":  version,
				"org.opencontainers.image.licenses": "Apache-2.0",
			},
		},
	})
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	ref, err := name.NewTag(tag)
	if err != nil {
		return fmt.Errorf("tag %q: %w", tag, err)
	}
	return tarball.WriteToFile(out, ref, img)
}

func mustRootFS(img v1.Image) v1.RootFS {
	cf, err := img.ConfigFile()
	if err != nil {
		panic(err)
	}
	return cf.RootFS
}

// rootFS is the image's only layer: the binary, a passwd entry for the
// user, its writable data directory and, when the host has one, the CA
// bundle.
func rootFS(bin []byte) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	epoch := time.Unix(0, 0)
	dir := func(path string, owner int, mode int64) error {
		return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: path + "/", Mode: mode, Uid: owner, Gid: owner, ModTime: epoch})
	}
	file := func(path string, mode int64, body []byte) error {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: path, Mode: mode, Size: int64(len(body)), ModTime: epoch}); err != nil {
			return err
		}
		_, err := tw.Write(body)
		return err
	}
	steps := []func() error{
		func() error { return dir("etc", 0, 0o755) },
		func() error {
			return file("etc/passwd", 0o644, fmt.Appendf(nil, "root:x:0:0:root:/root:/sbin/nologin\nparc:x:%d:%d:parc:/%s:/sbin/nologin\n", uid, uid, dataDir))
		},
		func() error { return file("etc/group", 0o644, fmt.Appendf(nil, "root:x:0:\nparc:x:%d:\n", uid)) },
		func() error { return dir("tmp", 0, 0o1777) },
		func() error { return dir(dataDir, uid, 0o700) },
		func() error { return file("parc", 0o755, bin) },
	}
	if ca, err := os.ReadFile(caBundle); err == nil {
		steps = append(steps, func() error { return dir("etc/ssl", 0, 0o755) }, func() error { return dir("etc/ssl/certs", 0, 0o755) },
			func() error { return file("etc/ssl/certs/ca-certificates.crt", 0o644, ca) })
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read %s: %w", caBundle, err)
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, fmt.Errorf("layer: %w", err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("layer: %w", err)
	}
	return buf.Bytes(), nil
}
