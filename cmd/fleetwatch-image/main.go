// Command fleetwatch-image builds Fleetwatch's container image without a
// daemon and without a base image: one layer holding the static binary
// (/fleetwatch), the CA certificates it needs to reach drupal.org, an empty
// /tmp and a /data directory owned by the numeric user 65532, which the
// image runs as (there is no /etc/passwd). It writes an OCI image layout as
// a tar archive (an "oci-archive"), which `podman load -i`, `skopeo copy
// oci-archive:…` and registries' tools read. `make image` runs it on the
// binary of `make build`; the Dockerfile builds the same image with Docker.
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
	"path/filepath"
	"regexp"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Options describe one image.
type Options struct {
	Binary   string // a static linux binary of fleetwatch
	CACerts  string // a PEM bundle of CA certificates
	Version  string // the org.opencontainers.image.version label and the tag
	Revision string // the org.opencontainers.image.revision label
	Arch     string // the binary's GOARCH
	Output   string // the oci-archive to write
}

// User is the numeric user and group the image runs as (distroless's
// "nonroot", which the Dockerfile's image uses too).
const User = "65532:65532"

func main() {
	var o Options
	flag.StringVar(&o.Binary, "binary", "bin/fleetwatch", "the static linux fleetwatch binary")
	flag.StringVar(&o.CACerts, "ca-certs", "/etc/ssl/certs/ca-certificates.crt", "the CA certificate bundle to put in the image")
	flag.StringVar(&o.Version, "version", "dev", "the image's version label and tag")
	flag.StringVar(&o.Revision, "revision", "", "the image's revision label (a commit)")
	flag.StringVar(&o.Arch, "arch", "amd64", "the binary's architecture")
	flag.StringVar(&o.Output, "output", "dist/fleetwatch-image.tar", "the OCI image archive to write")
	flag.Parse()
	if err := Build(o); err != nil {
		fmt.Fprintln(os.Stderr, "fleetwatch-image:", err)
		os.Exit(1)
	}
	fmt.Printf("wrote %s (fleetwatch:%s, linux/%s)\n", o.Output, Tag(o.Version), o.Arch)
}

// Tag makes a version a valid image tag.
func Tag(version string) string {
	t := regexp.MustCompile(`[^A-Za-z0-9_.-]`).ReplaceAllString(version, "-")
	if t == "" || strings.HasPrefix(t, ".") || strings.HasPrefix(t, "-") {
		t = "v" + t
	}
	return t[:min(len(t), 128)]
}

// Build writes the image of o.Binary into o.Output.
func Build(o Options) error {
	bin, err := os.ReadFile(o.Binary)
	if err != nil {
		return err
	}
	if !bytes.HasPrefix(bin, []byte("\x7fELF")) {
		return fmt.Errorf("%s is not a linux binary", o.Binary)
	}
	certs, err := os.ReadFile(o.CACerts)
	if err != nil {
		return fmt.Errorf("CA certificates: %w", err)
	}
	files, err := layerTar(bin, certs)
	if err != nil {
		return err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(files)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return err
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err = mutate.Append(img, mutate.Addendum{Layer: layer, History: v1.History{
		CreatedBy: "fleetwatch-image: /fleetwatch, CA certificates, /data, /tmp",
	}})
	if err != nil {
		return err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", o.Arch
	cf.Config = v1.Config{
		Entrypoint:   []string{"/fleetwatch"},
		Cmd:          []string{"serve"},
		User:         User,
		WorkingDir:   "/data",
		ExposedPorts: map[string]struct{}{"8080/tcp": {}},
		Volumes:      map[string]struct{}{"/data": {}},
		Env: []string{
			"FLEETWATCH_ADDR=0.0.0.0:8080",
			"FLEETWATCH_DATABASE_URL=sqlite:///data/fleetwatch.db",
			"SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt",
		},
		Labels: map[string]string{
			"org.opencontainers.image.title":       "Fleetwatch",
			"org.opencontainers.image.description": "Watches fleets of Drupal sites: available updates, outstanding security updates, patching SLA.",
			"org.opencontainers.image.source":      "https://github.com/fleetwatch/fleetwatch",
			"org.opencontainers.image.version":     o.Version,
			"org.opencontainers.image.revision":    o.Revision,
		},
		// Docker and Podman (in docker format) read this; the OCI
		// configuration has no health check of its own.
		Healthcheck: &v1.HealthConfig{
			Test:        []string{"CMD", "/fleetwatch", "healthcheck"},
			Interval:    30 * time.Second,
			Timeout:     5 * time.Second,
			StartPeriod: 20 * time.Second,
			Retries:     3,
		},
		StopSignal: "SIGTERM",
	}
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		return err
	}
	return writeArchive(img, Tag(o.Version), o.Output)
}

// layerTar is the image's only layer.
func layerTar(bin, certs []byte) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	epoch := time.Unix(0, 0)
	entries := []struct {
		hdr  tar.Header
		body []byte
	}{
		{tar.Header{Name: "data/", Typeflag: tar.TypeDir, Mode: 0o750, Uid: 65532, Gid: 65532}, nil},
		{tar.Header{Name: "etc/", Typeflag: tar.TypeDir, Mode: 0o755}, nil},
		{tar.Header{Name: "etc/ssl/", Typeflag: tar.TypeDir, Mode: 0o755}, nil},
		{tar.Header{Name: "etc/ssl/certs/", Typeflag: tar.TypeDir, Mode: 0o755}, nil},
		{tar.Header{Name: "etc/ssl/certs/ca-certificates.crt", Typeflag: tar.TypeReg, Mode: 0o644}, certs},
		{tar.Header{Name: "fleetwatch", Typeflag: tar.TypeReg, Mode: 0o755}, bin},
		{tar.Header{Name: "tmp/", Typeflag: tar.TypeDir, Mode: 0o1777}, nil},
	}
	for _, e := range entries {
		e.hdr.ModTime, e.hdr.Size, e.hdr.Format = epoch, int64(len(e.body)), tar.FormatPAX
		if err := tw.WriteHeader(&e.hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(e.body); err != nil {
			return nil, err
		}
	}
	err := tw.Close()
	return buf.Bytes(), err
}

// writeArchive writes img as an OCI image layout, tagged, into a tar file.
func writeArchive(img v1.Image, tag, output string) error {
	dir, err := os.MkdirTemp("", "fleetwatch-image-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return err
	}
	if err := p.AppendImage(img, layout.WithAnnotations(map[string]string{
		"org.opencontainers.image.ref.name": tag,
		"io.containerd.image.name":          "fleetwatch:" + tag,
	})); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(output), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(output), ".fleetwatch-image-*.tar")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	tw := tar.NewWriter(f)
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		hdr := &tar.Header{Name: filepath.ToSlash(rel), Mode: 0o644, ModTime: time.Unix(0, 0), Format: tar.FormatPAX}
		if d.IsDir() {
			hdr.Typeflag, hdr.Name, hdr.Mode = tar.TypeDir, hdr.Name+"/", 0o755
			return tw.WriteHeader(hdr)
		}
		body, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		hdr.Typeflag, hdr.Size = tar.TypeReg, int64(len(body))
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		_, err = tw.Write(body)
		return err
	})
	err = errors.Join(err, tw.Close(), f.Close())
	if err != nil {
		return err
	}
	return os.Rename(f.Name(), output)
}
