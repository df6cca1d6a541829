package deploy

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"debug/buildinfo"
	"debug/elf"
	"debug/macho"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// TestRelease inspects the dist/ folder `make release` wrote (make
// test-deploy passes it in FLEETWATCH_RELEASE_DIR with the stamped
// FLEETWATCH_VERSION): every file in SHA256SUMS has that checksum; each
// binary is static, for its platform, built with CGO_ENABLED=0, with the
// dashboard embedded; the linux/amd64 one prints the version; the SBOMs are
// CycloneDX naming Fleetwatch's Go modules and npm packages.
func TestRelease(t *testing.T) {
	dist, version := os.Getenv("FLEETWATCH_RELEASE_DIR"), os.Getenv("FLEETWATCH_VERSION")
	if dist == "" || version == "" {
		t.Skip("no release to inspect: make test-deploy runs make release and this test on its dist/")
	}
	sums, err := os.ReadFile(filepath.Join(dist, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(sums))
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Fatalf("SHA256SUMS line %q is not sha256sum's", sc.Text())
		}
		b, err := os.ReadFile(filepath.Join(dist, name))
		if err != nil {
			t.Fatal(err)
		}
		if got := sha256.Sum256(b); hex.EncodeToString(got[:]) != sum {
			t.Errorf("%s: checksum %x, SHA256SUMS says %s", name, got, sum)
		}
		listed[name] = true
	}
	prefix := "fleetwatch-" + version + "-"
	for _, want := range []string{"linux-amd64", "linux-arm64", "darwin-arm64", "linux-amd64.cdx.json", "linux-arm64.cdx.json", "darwin-arm64.cdx.json", "web.cdx.json"} {
		if !listed[prefix+want] {
			t.Errorf("SHA256SUMS does not list %s%s", prefix, want)
		}
	}

	// The dashboard that `make web` built is in every binary.
	index, err := os.ReadFile(filepath.Join("..", "webui", "dist", "index.html"))
	if err != nil {
		t.Fatalf("no built dashboard to compare with: %v", err)
	}
	for _, p := range []struct{ name, goos, goarch string }{{"linux-amd64", "linux", "amd64"}, {"linux-arm64", "linux", "arm64"}, {"darwin-arm64", "darwin", "arm64"}} {
		path := filepath.Join(dist, prefix+p.name)
		bin, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(bin, index) {
			t.Errorf("%s does not embed webui/dist/index.html", p.name)
		}
		info, err := buildinfo.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		settings := map[string]string{}
		for _, s := range info.Settings {
			settings[s.Key] = s.Value
		}
		// (-trimpath leaves -ldflags out of the build information.)
		if settings["CGO_ENABLED"] != "0" || settings["GOOS"] != p.goos || settings["GOARCH"] != p.goarch || settings["-trimpath"] != "true" {
			t.Errorf("%s build settings %v", p.name, settings)
		}
		if !bytes.Contains(bin, []byte(version)) {
			t.Errorf("%s does not hold the version %s", p.name, version)
		}
		switch p.goos {
		case "linux":
			f, err := elf.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			if want := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[p.goarch]; f.Machine != want {
				t.Errorf("%s is for %s", p.name, f.Machine)
			}
			for _, prog := range f.Progs {
				if prog.Type == elf.PT_INTERP || prog.Type == elf.PT_DYNAMIC {
					t.Errorf("%s is dynamically linked", p.name)
				}
			}
			f.Close()
		case "darwin":
			f, err := macho.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			if f.Cpu != macho.CpuArm64 {
				t.Errorf("%s is for %s", p.name, f.Cpu)
			}
			f.Close()
		}
	}
	if runtime.GOOS == "linux" && runtime.GOARCH == "amd64" {
		out, err := exec.Command(filepath.Join(dist, prefix+"linux-amd64"), "version").CombinedOutput()
		if err != nil || !strings.HasPrefix(string(out), "fleetwatch "+version+" ") {
			t.Errorf("the linux/amd64 binary printed %q, %v; want the version %s", out, err, version)
		}
	}

	goSBOM := readSBOM(t, filepath.Join(dist, prefix+"linux-amd64.cdx.json"))
	if c := goSBOM.Metadata.Component; !strings.Contains(c.Name, "github.com/fleetwatch/fleetwatch") || c.Version != version {
		t.Errorf("the Go SBOM describes %q %q", c.Name, c.Version)
	}
	for _, mod := range []string{"pkg:golang/github.com/danielgtaylor/huma/v2@", "pkg:golang/github.com/go-chi/chi/v5@",
		"pkg:golang/github.com/jackc/pgx/v5@", "pkg:golang/modernc.org/sqlite@", "pkg:golang/github.com/redis/go-redis/v9@"} {
		if !goSBOM.has(mod) {
			t.Errorf("the Go SBOM lacks %s…", mod)
		}
	}
	if goSBOM.has("pkg:golang/github.com/google/go-containerregistry@") {
		t.Error("the Go SBOM lists go-containerregistry, which only the image tool links")
	}
	// The dashboard's SBOM lists what it ships as required and the
	// development tools as optional.
	webSBOM := readSBOM(t, filepath.Join(dist, prefix+"web.cdx.json"))
	for pkg, scope := range map[string]string{"pkg:npm/react@": "required", "pkg:npm/%40mantine/core@": "required",
		"pkg:npm/%40tanstack/react-query@": "required", "pkg:npm/vitest@": "optional"} {
		if c, ok := webSBOM.find(pkg); !ok || c.Scope != scope {
			t.Errorf("the dashboard SBOM: %s… %+v, want scope %s", pkg, c, scope)
		}
	}
}

type sbomComponent struct {
	Name, Version, Scope string
	PURL                 string `json:"purl"`
}

type sbom struct {
	BOMFormat   string `json:"bomFormat"`
	SpecVersion string `json:"specVersion"`
	Metadata    struct {
		Component struct{ Name, Version string }
	}
	Components []sbomComponent
}

func (s sbom) find(purlPrefix string) (sbomComponent, bool) {
	i := slices.IndexFunc(s.Components, func(c sbomComponent) bool { return strings.HasPrefix(c.PURL, purlPrefix) })
	if i < 0 {
		return sbomComponent{}, false
	}
	return s.Components[i], true
}

func (s sbom) has(purlPrefix string) bool { _, ok := s.find(purlPrefix); return ok }

func readSBOM(t *testing.T, path string) sbom {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var s sbom
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if s.BOMFormat != "CycloneDX" || !strings.HasPrefix(s.SpecVersion, "1.") || len(s.Components) < 5 {
		t.Errorf("%s: format %q %q with %d components", filepath.Base(path), s.BOMFormat, s.SpecVersion, len(s.Components))
	}
	return s
}
