package main

import (
	"archive/tar"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// TestImage builds a static fleetwatch with a stamped version, makes its
// image archive, then opens the archive as a runtime would: the OCI index
// names the tag, the configuration has the entrypoint, the numeric user,
// port 8080, the /data volume, the labels and the health check, the layer
// holds the binary, the certificates and a /data owned by the user, and the
// binary taken out of the layer runs `version`.
func TestImage(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the image holds a linux binary, which runs only on linux")
	}
	dir := t.TempDir()
	// `make test-deploy` checks the archive `make image` wrote; alone, the
	// test builds its own.
	archive, version, revision := os.Getenv("FLEETWATCH_IMAGE_ARCHIVE"), os.Getenv("FLEETWATCH_VERSION"), os.Getenv("FLEETWATCH_REVISION")
	if archive == "" {
		version, revision = "1.2.3+test", "abc123"
		bin := filepath.Join(dir, "fleetwatch")
		build := exec.Command("go", "build", "-ldflags", "-X main.version="+version, "-o", bin, "github.com/fleetwatch/fleetwatch/cmd/fleetwatch")
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
		certs := filepath.Join(dir, "ca.pem")
		os.WriteFile(certs, []byte("-----BEGIN CERTIFICATE-----\ntest\n-----END CERTIFICATE-----\n"), 0o644)
		archive = filepath.Join(dir, "out", "image.tar")
		if err := Build(Options{Binary: bin, CACerts: certs, Version: version, Revision: revision, Arch: runtime.GOARCH, Output: archive}); err != nil {
			t.Fatal(err)
		}
		if err := Build(Options{Binary: certs, CACerts: certs, Output: filepath.Join(dir, "bad.tar")}); err == nil || !strings.Contains(err.Error(), "not a linux binary") {
			t.Errorf("a non-binary makes an image: %v", err)
		}
	} else if version == "" {
		t.Fatal("FLEETWATCH_IMAGE_ARCHIVE needs FLEETWATCH_VERSION, the version stamped into it")
	}

	unpacked := filepath.Join(dir, "layout")
	untar(t, archive, unpacked)
	idx, err := layout.ImageIndexFromPath(unpacked)
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil || len(im.Manifests) != 1 {
		t.Fatalf("index: %v %+v", err, im)
	}
	if got := im.Manifests[0].Annotations["org.opencontainers.image.ref.name"]; got != Tag(version) || strings.Contains(got, "+") {
		t.Errorf("ref.name %q, want the version %s made a tag", got, version)
	}
	img, err := idx.Image(im.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	if mt, _ := img.MediaType(); mt != types.OCIManifestSchema1 {
		t.Errorf("manifest media type %s", mt)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	c := cf.Config
	if cf.OS != "linux" || cf.Architecture != runtime.GOARCH {
		t.Errorf("platform %s/%s", cf.OS, cf.Architecture)
	}
	if !slices.Equal(c.Entrypoint, []string{"/fleetwatch"}) || !slices.Equal(c.Cmd, []string{"serve"}) {
		t.Errorf("entrypoint %q cmd %q", c.Entrypoint, c.Cmd)
	}
	if c.User != "65532:65532" {
		t.Errorf("user %q, want the numeric non-root 65532:65532", c.User)
	}
	if _, ok := c.ExposedPorts["8080/tcp"]; !ok || len(c.ExposedPorts) != 1 {
		t.Errorf("exposed ports %v", c.ExposedPorts)
	}
	if _, ok := c.Volumes["/data"]; !ok {
		t.Errorf("volumes %v", c.Volumes)
	}
	if !slices.Contains(c.Env, "FLEETWATCH_DATABASE_URL=sqlite:///data/fleetwatch.db") || !slices.Contains(c.Env, "FLEETWATCH_ADDR=0.0.0.0:8080") {
		t.Errorf("env %q", c.Env)
	}
	for k, v := range map[string]string{"org.opencontainers.image.version": version, "org.opencontainers.image.revision": revision,
		"org.opencontainers.image.source": "https://github.com/fleetwatch/fleetwatch", "org.opencontainers.image.title": "Fleetwatch"} {
		if c.Labels[k] != v {
			t.Errorf("label %s = %q, want %q", k, c.Labels[k], v)
		}
	}
	if c.Healthcheck == nil || !slices.Equal(c.Healthcheck.Test, []string{"CMD", "/fleetwatch", "healthcheck"}) {
		t.Errorf("health check %+v", c.Healthcheck)
	}

	// The files, as a runtime unpacks them.
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	seen := map[string]*tar.Header{}
	extracted := filepath.Join(dir, "extracted-fleetwatch")
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		seen[strings.TrimSuffix(h.Name, "/")] = h
		if h.Name == "fleetwatch" {
			f, _ := os.OpenFile(extracted, os.O_CREATE|os.O_WRONLY, os.FileMode(h.Mode))
			if _, err := io.Copy(f, tr); err != nil {
				t.Fatal(err)
			}
			f.Close()
		}
	}
	for name, want := range map[string]struct {
		mode     int64
		uid, gid int
	}{"fleetwatch": {0o755, 0, 0}, "data": {0o750, 65532, 65532}, "tmp": {0o1777, 0, 0}, "etc/ssl/certs/ca-certificates.crt": {0o644, 0, 0}} {
		h := seen[name]
		if h == nil {
			t.Errorf("the layer has no %s", name)
		} else if h.Mode != want.mode || h.Uid != want.uid || h.Gid != want.gid {
			t.Errorf("%s: mode %o uid %d gid %d, want %o %d %d", name, h.Mode, h.Uid, h.Gid, want.mode, want.uid, want.gid)
		}
	}
	if _, ok := seen["etc/passwd"]; ok {
		t.Error("the image has an /etc/passwd; it runs as a numeric user")
	}
	out, err := exec.Command(extracted, "version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "fleetwatch "+version+" ") {
		t.Errorf("the image's binary printed %q, %v", out, err)
	}
}

func untar(t *testing.T, archive, dir string) {
	t.Helper()
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return
		} else if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, filepath.FromSlash(h.Name))
		if h.Typeflag == tar.TypeDir {
			os.MkdirAll(path, 0o755)
			continue
		}
		os.MkdirAll(filepath.Dir(path), 0o755)
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
