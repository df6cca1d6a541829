package deploy

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

type composeService struct {
	Image       string
	Command     []string
	Restart     string
	ReadOnly    bool `yaml:"read_only"`
	Environment map[string]string
	DependsOn   map[string]struct{ Condition string } `yaml:"depends_on"`
	Deploy      struct{ Replicas int }
	Healthcheck *struct{ Test []string }
	Volumes     []string
	Ports       []any
	Networks    map[string]any
}

type composeFile struct {
	Services map[string]composeService
	Networks map[string]struct {
		IPAM struct{ Config []struct{ Subnet string } } `yaml:"ipam"`
	}
	Volumes map[string]any
}

// composeConfig renders a Compose file with `docker-compose config`, which
// validates it against the Compose schema and interpolates the env file.
func composeConfig(t *testing.T, file, envFile string) composeFile {
	t.Helper()
	dc := tool(t, "docker-compose", "apt-get install docker-compose")
	out := runTool(t, dc, "--env-file", envFile, "-f", file, "config")
	var c composeFile
	if err := yaml.Unmarshal(out, &c); err != nil {
		t.Fatalf("docker-compose config printed what is not YAML: %v\n%s", err, out)
	}
	return c
}

// TestCompose renders compose.yaml with .env.example filled in, and checks
// the scaled setup: PostgreSQL and Redis healthy first, a one-shot migrate,
// two replicas started only after it succeeded, Caddy in front, and the
// replicas trusting X-Forwarded-For only from the compose network.
func TestCompose(t *testing.T) {
	example, err := os.ReadFile(filepath.Join("compose", ".env.example"))
	if err != nil {
		t.Fatal(err)
	}
	// Every variable compose.yaml reads is documented in .env.example.
	spec, _ := os.ReadFile(filepath.Join("compose", "compose.yaml"))
	for _, m := range regexp.MustCompile(`\$\{([A-Z_]+)`).FindAllStringSubmatch(string(spec), -1) {
		if !regexp.MustCompile(`(?m)^` + m[1] + `=`).Match(example) {
			t.Errorf("compose.yaml reads %s, which .env.example does not list", m[1])
		}
	}
	env := string(example)
	for k, v := range map[string]string{"POSTGRES_PASSWORD": "pg-secret", "REDIS_PASSWORD": "redis-secret", "FLEETWATCH_SECRET_KEY": "k0123456789abcdef0123456789abcdef"} {
		env = strings.Replace(env, "\n"+k+"=\n", "\n"+k+"="+v+"\n", 1)
	}
	envFile := filepath.Join(t.TempDir(), ".env")
	os.WriteFile(envFile, []byte(env), 0o600)

	c := composeConfig(t, filepath.Join("compose", "compose.yaml"), envFile)
	for _, name := range []string{"postgres", "redis", "migrate", "fleetwatch", "caddy"} {
		if _, ok := c.Services[name]; !ok {
			t.Fatalf("compose.yaml has no service %s", name)
		}
	}
	fw, migrate := c.Services["fleetwatch"], c.Services["migrate"]
	if fw.Deploy.Replicas != 2 {
		t.Errorf("fleetwatch replicas %d, want 2", fw.Deploy.Replicas)
	}
	if !slices.Equal(migrate.Command, []string{"migrate"}) || migrate.Restart != "no" {
		t.Errorf("migrate: command %q restart %q, want a one-shot migrate", migrate.Command, migrate.Restart)
	}
	if fw.DependsOn["migrate"].Condition != "service_completed_successfully" || migrate.DependsOn["postgres"].Condition != "service_healthy" ||
		fw.DependsOn["redis"].Condition != "service_healthy" || c.Services["caddy"].DependsOn["fleetwatch"].Condition != "service_healthy" {
		t.Errorf("start order: fleetwatch %v, migrate %v", fw.DependsOn, migrate.DependsOn)
	}
	for name, s := range c.Services {
		if name != "migrate" && (s.Healthcheck == nil || len(s.Healthcheck.Test) == 0) {
			t.Errorf("service %s has no health check", name)
		}
	}
	if !slices.Equal(fw.Healthcheck.Test, []string{"CMD", "/fleetwatch", "healthcheck", "--url", "http://127.0.0.1:8080/readyz"}) {
		t.Errorf("fleetwatch health check %q", fw.Healthcheck.Test)
	}
	subnets := c.Networks["fleetwatch"].IPAM.Config
	if len(subnets) != 1 || fw.Environment["FLEETWATCH_TRUSTED_PROXIES"] != subnets[0].Subnet {
		t.Errorf("trusted proxies %q, want the compose network %v", fw.Environment["FLEETWATCH_TRUSTED_PROXIES"], subnets)
	}
	for _, s := range []composeService{fw, migrate} {
		e := s.Environment
		if e["FLEETWATCH_DATABASE_URL"] != "postgres://fleetwatch:pg-secret@postgres:5432/fleetwatch?sslmode=disable" ||
			e["FLEETWATCH_REDIS_URL"] != "redis://:redis-secret@redis:6379/0" || e["FLEETWATCH_SECRET_KEY"] != "k0123456789abcdef0123456789abcdef" {
			t.Errorf("settings from .env: %v", e)
		}
		if !s.ReadOnly {
			t.Error("the fleetwatch containers' root file system is writable")
		}
	}
	if c.Services["postgres"].Environment["POSTGRES_PASSWORD"] != "pg-secret" {
		t.Errorf("postgres password not from .env")
	}
	if !slices.ContainsFunc(c.Services["postgres"].Volumes, func(v string) bool { return strings.HasPrefix(v, "postgres-data:/var/lib/postgresql/data") }) {
		t.Errorf("postgres volumes %v", c.Services["postgres"].Volumes)
	}
	for _, v := range []string{"postgres-data", "redis-data", "caddy-data"} {
		if _, ok := c.Volumes[v]; !ok {
			t.Errorf("no volume %s", v)
		}
	}
	caddyfile, _ := os.ReadFile(filepath.Join("compose", "Caddyfile"))
	if !strings.Contains(string(caddyfile), "reverse_proxy fleetwatch:8080") {
		t.Error("the Caddyfile does not proxy to the fleetwatch service")
	}

	// Without the secrets, Compose refuses to start and says what is missing.
	empty := filepath.Join(t.TempDir(), ".env")
	os.WriteFile(empty, example, 0o600)
	_, errOut, err := tryTool(tool(t, "docker-compose", ""), "--env-file", empty, "-f", filepath.Join("compose", "compose.yaml"), "config")
	if err == nil || !strings.Contains(string(errOut), "set POSTGRES_PASSWORD in .env") {
		t.Errorf("config without passwords: %v %s", err, errOut)
	}
}

// TestComposeSQLite renders compose.sqlite.yaml: one container, its
// database and key in one volume.
func TestComposeSQLite(t *testing.T) {
	none := filepath.Join(t.TempDir(), ".env")
	os.WriteFile(none, nil, 0o600)
	c := composeConfig(t, filepath.Join("compose", "compose.sqlite.yaml"), none)
	if len(c.Services) != 1 || len(c.Volumes) != 1 {
		t.Fatalf("services %d volumes %d, want 1 and 1", len(c.Services), len(c.Volumes))
	}
	fw := c.Services["fleetwatch"]
	if fw.Environment["FLEETWATCH_DATABASE_URL"] != "sqlite:///data/fleetwatch.db" || !slices.Equal(fw.Volumes, []string{"fleetwatch-data:/data:rw"}) {
		t.Errorf("database %q volumes %v, want SQLite in the volume at /data", fw.Environment["FLEETWATCH_DATABASE_URL"], fw.Volumes)
	}
	if fw.Healthcheck == nil || !slices.Equal(fw.Healthcheck.Test, []string{"CMD", "/fleetwatch", "healthcheck"}) || !fw.ReadOnly {
		t.Errorf("health check %+v read-only %v", fw.Healthcheck, fw.ReadOnly)
	}
}
