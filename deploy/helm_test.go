package deploy

import (
	"bytes"
	"errors"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

var chart = filepath.Join("helm", "fleetwatch")

// manifest is one rendered Kubernetes object.
type manifest map[string]any

func (m manifest) kind() string { return m.str("kind") }

// str, list and obj walk a dotted path of map keys.
func (m manifest) get(path string) any {
	var v any = map[string]any(m)
	for _, k := range strings.Split(path, ".") {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[k]
	}
	return v
}
func (m manifest) str(path string) string { s, _ := m.get(path).(string); return s }
func (m manifest) obj(path string) manifest {
	o, _ := m.get(path).(map[string]any)
	return o
}
func (m manifest) list(path string) []manifest {
	var out []manifest
	l, _ := m.get(path).([]any)
	for _, e := range l {
		o, _ := e.(map[string]any)
		out = append(out, o)
	}
	return out
}

// helmTemplate renders the chart with helm template and the given flags.
func helmTemplate(t *testing.T, helm string, args ...string) map[string]manifest {
	t.Helper()
	out := runTool(t, helm, append([]string{"template", "fw", chart, "--namespace", "fleet"}, args...)...)
	objs := map[string]manifest{}
	dec := yaml.NewDecoder(bytes.NewReader(out))
	for {
		var raw map[string]any // (decoding into manifest would make every nested map one)
		if err := dec.Decode(&raw); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("helm template printed what is not YAML: %v\n%s", err, out)
		}
		if raw == nil {
			continue
		}
		m := manifest(raw)
		key := m.kind() + "/" + m.str("metadata.name")
		if _, dup := objs[key]; dup {
			t.Errorf("%s rendered twice", key)
		}
		objs[key] = m
		noEmptyKeys(t, key, map[string]any(m), "")
	}
	return objs
}

// noEmptyKeys reports a rendered key with no value (annotations: with
// nothing under it), which Kubernetes reads as null.
func noEmptyKeys(t *testing.T, obj string, v any, path string) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if e == nil {
				t.Errorf("%s: %s%s is empty", obj, path, k)
			}
			noEmptyKeys(t, obj, e, path+k+".")
		}
	case []any:
		for _, e := range v {
			noEmptyKeys(t, obj, e, path+"[].")
		}
	}
}

func envOf(c manifest) map[string]manifest {
	env := map[string]manifest{}
	for _, e := range c.list("env") {
		env[e.str("name")] = e
	}
	return env
}

// checkPod checks what every Fleetwatch pod must have: the non-root,
// read-only security settings, a writable /tmp, and the secret key from the
// Secret.
func checkPod(t *testing.T, name string, pod manifest, secret string) manifest {
	t.Helper()
	if pod.get("securityContext.runAsNonRoot") != true || pod.get("securityContext.runAsUser") != 65532 {
		t.Errorf("%s: pod security context %v", name, pod.get("securityContext"))
	}
	if pod.get("automountServiceAccountToken") != false {
		t.Errorf("%s mounts a service account token", name)
	}
	cs := pod.list("containers")
	if len(cs) != 1 {
		t.Fatalf("%s: %d containers", name, len(cs))
	}
	c := cs[0]
	sc := c.obj("securityContext")
	if sc.get("readOnlyRootFilesystem") != true || sc.get("allowPrivilegeEscalation") != false || !slices.Equal(sc.get("capabilities.drop").([]any), []any{"ALL"}) {
		t.Errorf("%s: container security context %v", name, sc)
	}
	if !slices.ContainsFunc(c.list("volumeMounts"), func(m manifest) bool { return m.str("mountPath") == "/tmp" }) ||
		!slices.ContainsFunc(pod.list("volumes"), func(v manifest) bool { return v.str("name") == "tmp" && v.get("emptyDir") != nil }) {
		t.Errorf("%s has no writable /tmp", name)
	}
	if ref := envOf(c)["FLEETWATCH_SECRET_KEY"].obj("valueFrom.secretKeyRef"); ref.str("name") != secret || ref.str("key") != "secret-key" {
		t.Errorf("%s: secret key from %v, want %s", name, ref, secret)
	}
	return c
}

// TestHelm lints the chart and renders it with the default values (one
// replica on SQLite) and with values-production.yaml (PostgreSQL and Redis
// from an existing Secret, a migration hook, autoscaling, Ingress,
// ServiceMonitor), checking the objects each produces.
func TestHelm(t *testing.T) {
	helm := tool(t, "helm", "make bin/tools/helm")
	prod := filepath.Join(chart, "values-production.yaml")
	runTool(t, helm, "lint", "--strict", chart)
	runTool(t, helm, "lint", "--strict", chart, "-f", prod)

	t.Run("default", func(t *testing.T) {
		objs := helmTemplate(t, helm)
		d := objs["Deployment/fw-fleetwatch"]
		if d == nil {
			t.Fatalf("no Deployment in %v", slices.Collect(maps.Keys(objs)))
		}
		if d.get("spec.replicas") != 1 || d.str("spec.strategy.type") != "Recreate" {
			t.Errorf("replicas %v strategy %v, want one SQLite replica replaced with Recreate", d.get("spec.replicas"), d.get("spec.strategy"))
		}
		pod := d.obj("spec.template.spec")
		c := checkPod(t, "Deployment", pod, "fw-fleetwatch")
		if c.str("readinessProbe.httpGet.path") != "/readyz" || c.str("livenessProbe.httpGet.path") != "/healthz" || c.str("startupProbe.httpGet.path") != "/healthz" {
			t.Errorf("probes: readiness %v liveness %v", c.get("readinessProbe"), c.get("livenessProbe"))
		}
		if c.str("resources.requests.memory") == "" || c.str("resources.limits.memory") == "" || c.str("resources.requests.cpu") == "" {
			t.Errorf("resources %v", c.get("resources"))
		}
		if c.str("image") != "ghcr.io/fleetwatch/fleetwatch:dev" {
			t.Errorf("image %q, want the chart's appVersion", c.str("image"))
		}
		if got := envOf(c)["FLEETWATCH_DATABASE_URL"].str("value"); got != "sqlite:///data/fleetwatch.db" {
			t.Errorf("database %q", got)
		}
		if !slices.ContainsFunc(pod.list("volumes"), func(v manifest) bool { return v.str("persistentVolumeClaim.claimName") == "fw-fleetwatch-data" }) ||
			objs["PersistentVolumeClaim/fw-fleetwatch-data"] == nil {
			t.Error("SQLite is not on a PersistentVolumeClaim")
		}
		s := objs["Secret/fw-fleetwatch"]
		if s == nil || s.obj("metadata.annotations")["helm.sh/hook"] != "pre-install,pre-upgrade" || len(s.str("data.secret-key")) < 40 {
			t.Errorf("secret %v", s)
		}
		if objs["Job/fw-fleetwatch-migrate"] != nil {
			t.Error("a migration Job on SQLite, whose volume only the pod mounts")
		}
		if pdb := objs["PodDisruptionBudget/fw-fleetwatch"]; pdb == nil || pdb.get("spec.maxUnavailable") != 1 {
			t.Errorf("PodDisruptionBudget %v", pdb)
		}
		if svc := objs["Service/fw-fleetwatch"]; svc == nil || svc.list("spec.ports")[0].str("targetPort") != "http" {
			t.Errorf("Service %v", svc)
		}
		for _, k := range []string{"Ingress/fw-fleetwatch", "HorizontalPodAutoscaler/fw-fleetwatch", "ServiceMonitor/fw-fleetwatch"} {
			if objs[k] != nil {
				t.Errorf("%s rendered though not enabled", k)
			}
		}
	})

	t.Run("production", func(t *testing.T) {
		objs := helmTemplate(t, helm, "-f", prod)
		d := objs["Deployment/fw-fleetwatch"]
		if d.get("spec.replicas") != nil || d.str("spec.strategy.type") != "RollingUpdate" || d.get("spec.strategy.rollingUpdate.maxUnavailable") != 0 {
			t.Errorf("replicas %v (the autoscaler's) strategy %v", d.get("spec.replicas"), d.get("spec.strategy"))
		}
		c := checkPod(t, "Deployment", d.obj("spec.template.spec"), "fleetwatch")
		env := envOf(c)
		if env["FLEETWATCH_DATABASE_URL"].str("valueFrom.secretKeyRef.key") != "database-url" || env["FLEETWATCH_REDIS_URL"].str("valueFrom.secretKeyRef.key") != "redis-url" {
			t.Errorf("database and Redis not from the existing Secret: %v", env)
		}
		if env["FLEETWATCH_TRUSTED_PROXIES"].str("value") != "10.0.0.0/8" {
			t.Errorf("trusted proxies %v", env["FLEETWATCH_TRUSTED_PROXIES"])
		}
		if objs["Secret/fw-fleetwatch"] != nil || objs["PersistentVolumeClaim/fw-fleetwatch-data"] != nil {
			t.Error("a Secret or a volume rendered beside an existing Secret and PostgreSQL")
		}
		job := objs["Job/fw-fleetwatch-migrate"]
		if job == nil {
			t.Fatal("no migration Job")
		}
		if a := job.obj("metadata.annotations"); a["helm.sh/hook"] != "pre-install,pre-upgrade" || a["helm.sh/hook-delete-policy"] != "before-hook-creation,hook-succeeded" {
			t.Errorf("migration Job annotations %v", a)
		}
		jc := checkPod(t, "Job", job.obj("spec.template.spec"), "fleetwatch")
		if !slices.Equal(jc.get("args").([]any), []any{"migrate"}) || job.str("spec.template.spec.restartPolicy") != "Never" {
			t.Errorf("migration Job runs %v", jc.get("args"))
		}
		if envOf(jc)["FLEETWATCH_DATABASE_URL"].str("valueFrom.secretKeyRef.name") != "fleetwatch" {
			t.Error("the migration Job uses another database")
		}
		if hpa := objs["HorizontalPodAutoscaler/fw-fleetwatch"]; hpa == nil || hpa.get("spec.minReplicas") != 3 || hpa.str("spec.scaleTargetRef.name") != "fw-fleetwatch" {
			t.Errorf("HorizontalPodAutoscaler %v", hpa)
		}
		if ing := objs["Ingress/fw-fleetwatch"]; ing == nil || ing.list("spec.rules")[0].str("host") != "fleetwatch.example.com" || len(ing.list("spec.tls")) != 1 {
			t.Errorf("Ingress %v", ing)
		}
		if sm := objs["ServiceMonitor/fw-fleetwatch"]; sm == nil || sm.list("spec.endpoints")[0].str("path") != "/metrics" || sm.str("metadata.labels.release") != "prometheus" {
			t.Errorf("ServiceMonitor %v", sm)
		}
		if objs["PodDisruptionBudget/fw-fleetwatch"] == nil {
			t.Error("no PodDisruptionBudget")
		}
	})

	t.Run("postgres from values", func(t *testing.T) {
		objs := helmTemplate(t, helm, "--set", "replicaCount=2", "--set", "database.url=postgres://fw:pw@db:5432/fw", "--set", "redis.url=redis://r:6379/0",
			"--set", "secretKey=0123456789abcdef0123456789abcdef")
		s := objs["Secret/fw-fleetwatch"]
		for _, k := range []string{"secret-key", "database-url", "redis-url"} {
			if s.str("data."+k) == "" {
				t.Errorf("the Secret has no %s", k)
			}
		}
		if objs["Job/fw-fleetwatch-migrate"] == nil || objs["Deployment/fw-fleetwatch"].get("spec.replicas") != 2 {
			t.Error("no migration Job or not two replicas")
		}
	})

	// Settings that cannot work are refused with a reason.
	for _, bad := range []struct{ set, want string }{
		{"replicaCount=2", "more than one replica needs PostgreSQL and Redis"},
		{"secretKey=short", "secretKey must be at least 32 characters"},
	} {
		if _, errOut, err := tryTool(helm, "template", "fw", chart, "--set", bad.set); err == nil || !strings.Contains(string(errOut), bad.want) {
			t.Errorf("--set %s: %v %s", bad.set, err, errOut)
		}
	}
}
