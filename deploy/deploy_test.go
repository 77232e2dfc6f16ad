// Package deploy holds the deployment files: compose.yaml (three instances,
// PostgreSQL 15, PgBouncer, Mailpit, HAProxy) and the Kubernetes manifests
// in kubernetes/. The test here parses them and checks what would otherwise
// fail only at deploy time: kinds and API versions, probes, images, the
// links between objects, and that every environment variable they set is
// one Settle reads.
package deploy

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// settleEnv is every variable internal/config reads, from its source.
func settleEnv(t *testing.T) map[string]bool {
	t.Helper()
	src, err := os.ReadFile("../internal/config/config.go")
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?:os\.Getenv|env)\("([A-Z][A-Z0-9_]+)"`).FindAllStringSubmatch(string(src), -1) {
		names[m[1]] = true
	}
	for _, must := range []string{"DATABASE_URL", "SETTLE_SIGNING_KEY", "SETTLE_DB_POOLER", "SETTLE_MIGRATE_DATABASE_URL"} {
		if !names[must] {
			t.Fatalf("reading internal/config/config.go found no %s: the pattern no longer matches how it reads the environment", must)
		}
	}
	for _, k := range goRuntimeEnv { // read by the Go runtime, not by internal/config
		names[k] = true
	}
	return names
}

// goRuntimeEnv are the Go runtime's variables the deployment sets: the
// garbage collector's settings (why they are what they are: the Dockerfile).
var goRuntimeEnv = []string{"GOGC", "GOMEMLIMIT"}

// The garbage collector settings are the Dockerfile's everywhere Settle is
// deployed, and GOMEMLIMIT (the heap's guard) is below the memory the
// Deployment allows a pod, so the collector works harder before the pod is
// killed.
func TestGoRuntimeSettings(t *testing.T) {
	want := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^ENV .*`).FindAllString(read(t, "../Dockerfile"), -1) {
		for _, kv := range strings.Fields(strings.TrimPrefix(m, "ENV ")) {
			if k, v, ok := strings.Cut(kv, "="); ok && slices.Contains(goRuntimeEnv, k) {
				want[k] = v
			}
		}
	}
	for _, k := range goRuntimeEnv {
		if want[k] == "" {
			t.Fatalf("the Dockerfile sets no ENV %s", k)
		}
	}
	if n, err := strconv.Atoi(want["GOGC"]); err != nil || n < 100 {
		t.Errorf("Dockerfile GOGC=%s: want a number of at least 100 (the runtime's default)", want["GOGC"])
	}
	limit := bytesOf(t, want["GOMEMLIMIT"], map[string]int64{"B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30})

	c := decodeStrict[compose](t, "compose.yaml")[0]
	cm := decodeStrict[object](t, "kubernetes/configmap.yaml")[0]
	for _, k := range goRuntimeEnv {
		for _, name := range []string{"settle1", "settle2", "settle3"} {
			if got := c.Services[name].Environment[k]; got != want[k] {
				t.Errorf("compose service %s sets %s=%q, the Dockerfile %q", name, k, got, want[k])
			}
		}
		if got := cm.Data[k]; got != want[k] {
			t.Errorf("ConfigMap sets %s=%q, the Dockerfile %q", k, got, want[k])
		}
	}

	var d deploymentSpec
	for _, o := range decodeStrict[object](t, "kubernetes/deployment.yaml") {
		if o.Kind == "Deployment" {
			spec(t, o, &d)
		}
	}
	if len(d.Template.Spec.Containers) != 1 {
		t.Fatalf("Deployment has %d containers, want 1", len(d.Template.Spec.Containers))
	}
	mem := d.Template.Spec.Containers[0].Resources.Limits["memory"]
	if max := bytesOf(t, mem, map[string]int64{"Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30}); limit >= max {
		t.Errorf("GOMEMLIMIT=%s is not below the Deployment's memory limit %s", want["GOMEMLIMIT"], mem)
	}
}

// bytesOf reads a size such as 384MiB or 512Mi with the given units.
func bytesOf(t *testing.T, s string, units map[string]int64) int64 {
	t.Helper()
	m := regexp.MustCompile(`^([0-9]+)([A-Za-z]+)$`).FindStringSubmatch(s)
	if m == nil || units[m[2]] == 0 {
		t.Fatalf("size %q: want a number and one of the units %v", s, units)
	}
	n, _ := strconv.ParseInt(m[1], 10, 64)
	return n * units[m[2]]
}

// decodeStrict decodes every document of a YAML file into a new T each,
// refusing fields T does not know: a typo in a manifest is an error here,
// not a field Kubernetes silently drops.
func decodeStrict[T any](t *testing.T, path string) []T {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var out []T
	for {
		var v T
		if err := dec.Decode(&v); errors.Is(err, io.EOF) {
			return out
		} else if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, v)
	}
}

type compose struct {
	Name     string                    `yaml:"name"`
	XSettle  map[string]any            `yaml:"x-settle"`
	Services map[string]composeService `yaml:"services"`
	Volumes  map[string]any            `yaml:"volumes"`
}

type composeService struct {
	Image       string            `yaml:"image"`
	Build       *composeBuild     `yaml:"build"`
	Restart     string            `yaml:"restart"`
	Environment map[string]string `yaml:"environment"`
	Ports       []string          `yaml:"ports"`
	Volumes     []string          `yaml:"volumes"`
	DependsOn   any               `yaml:"depends_on"`
	Healthcheck *struct {
		Test     []string `yaml:"test"`
		Interval string   `yaml:"interval"`
		Timeout  string   `yaml:"timeout"`
		Retries  int      `yaml:"retries"`
	} `yaml:"healthcheck"`
}

type composeBuild struct {
	Context    string `yaml:"context"`
	Dockerfile string `yaml:"dockerfile"`
}

// The compose file: three Settle instances from the repository's
// Dockerfile, through PgBouncer in transaction mode, migrating straight to
// PostgreSQL 15, mail to Mailpit, HAProxy in front of all three.
func TestCompose(t *testing.T) {
	known := settleEnv(t)
	docs := decodeStrict[compose](t, "compose.yaml")
	if len(docs) != 1 {
		t.Fatalf("compose.yaml has %d documents, want 1", len(docs))
	}
	c := docs[0]
	var apps []string
	for name, s := range c.Services {
		if s.Image == "" && s.Build == nil {
			t.Errorf("service %s has neither image nor build", name)
		}
		if strings.HasSuffix(s.Image, ":latest") {
			t.Errorf("service %s runs %s: pin a version", name, s.Image)
		}
		if s.Build != nil {
			dockerfile := filepath.Join(s.Build.Context, s.Build.Dockerfile)
			if s.Build.Dockerfile == "" {
				dockerfile = filepath.Join(s.Build.Context, "Dockerfile")
			}
			if _, err := os.Stat(dockerfile); err != nil {
				t.Errorf("service %s builds from %s: %v", name, dockerfile, err)
			}
		}
		for _, v := range s.Volumes {
			if src, _, ok := strings.Cut(v, ":"); ok && strings.HasPrefix(src, ".") {
				if _, err := os.Stat(src); err != nil {
					t.Errorf("service %s mounts %s: %v", name, src, err)
				}
			}
		}
		if s.Build == nil || s.Build.Context != ".." {
			continue
		}
		apps = append(apps, name)
		for k := range s.Environment {
			if !known[k] {
				t.Errorf("service %s sets %s, which Settle does not read (internal/config)", name, k)
			}
		}
		env := s.Environment
		if env["SETTLE_DB_POOLER"] != "transaction" || !strings.Contains(env["DATABASE_URL"], "@pgbouncer:") {
			t.Errorf("service %s: DATABASE_URL %q with SETTLE_DB_POOLER %q; want PgBouncer in transaction mode", name, env["DATABASE_URL"], env["SETTLE_DB_POOLER"])
		}
		if !strings.Contains(env["SETTLE_MIGRATE_DATABASE_URL"], "@postgres:5432/") {
			t.Errorf("service %s migrates through %q; want PostgreSQL itself", name, env["SETTLE_MIGRATE_DATABASE_URL"])
		}
		if !strings.Contains(env["SETTLE_SMTP_URL"], "mailpit:1025") {
			t.Errorf("service %s sends mail to %q; want Mailpit", name, env["SETTLE_SMTP_URL"])
		}
	}
	slices.Sort(apps)
	if !slices.Equal(apps, []string{"settle1", "settle2", "settle3"}) {
		t.Errorf("Settle instances %v, want settle1, settle2 and settle3", apps)
	}
	if img := c.Services["postgres"].Image; !strings.HasPrefix(img, "postgres:15") {
		t.Errorf("postgres runs %q, want PostgreSQL 15", img)
	}
	if !strings.Contains(c.Services["mailpit"].Image, "mailpit") {
		t.Errorf("mailpit runs %q", c.Services["mailpit"].Image)
	}
	if !strings.HasPrefix(c.Services["proxy"].Image, "haproxy:") {
		t.Errorf("proxy runs %q, want HAProxy", c.Services["proxy"].Image)
	}

	cfg := read(t, "haproxy.cfg")
	for _, want := range []string{"balance roundrobin", "option httpchk GET /readyz", "server settle1 settle1:8080", "server settle2 settle2:8080", "server settle3 settle3:8080"} {
		if !strings.Contains(cfg, want) {
			t.Errorf("haproxy.cfg lacks %q", want)
		}
	}
	ini := read(t, "pgbouncer/pgbouncer.ini")
	if !regexp.MustCompile(`(?m)^pool_mode\s*=\s*transaction$`).MatchString(ini) || !regexp.MustCompile(`(?m)^settle\s*=.*host=postgres`).MatchString(ini) {
		t.Errorf("pgbouncer.ini: want pool_mode = transaction and the settle database on host postgres")
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The Kubernetes objects, as far as these manifests use them. Decoding is
// strict, so each struct lists the fields the manifests may carry.
type object struct {
	APIVersion string   `yaml:"apiVersion"`
	Kind       string   `yaml:"kind"`
	Metadata   metadata `yaml:"metadata"`
	Data       map[string]string
	Spec       yaml.Node `yaml:"spec"`
}

type metadata struct {
	Name   string            `yaml:"name"`
	Labels map[string]string `yaml:"labels"`
}

type selector struct {
	MatchLabels map[string]string `yaml:"matchLabels"`
}

type podTemplate struct {
	Metadata metadata `yaml:"metadata"`
	Spec     struct {
		TerminationGracePeriodSeconds int               `yaml:"terminationGracePeriodSeconds"`
		RestartPolicy                 string            `yaml:"restartPolicy"`
		SecurityContext               map[string]any    `yaml:"securityContext"`
		Containers                    []container       `yaml:"containers"`
		NodeSelector                  map[string]string `yaml:"nodeSelector"`
	} `yaml:"spec"`
}

type container struct {
	Name  string   `yaml:"name"`
	Image string   `yaml:"image"`
	Args  []string `yaml:"args"`
	Ports []struct {
		Name          string `yaml:"name"`
		ContainerPort int    `yaml:"containerPort"`
	} `yaml:"ports"`
	Env []struct {
		Name      string `yaml:"name"`
		Value     string `yaml:"value"`
		ValueFrom *struct {
			SecretKeyRef    *keyRef `yaml:"secretKeyRef"`
			ConfigMapKeyRef *keyRef `yaml:"configMapKeyRef"`
		} `yaml:"valueFrom"`
	} `yaml:"env"`
	EnvFrom []struct {
		ConfigMapRef *struct {
			Name string `yaml:"name"`
		} `yaml:"configMapRef"`
		SecretRef *struct {
			Name string `yaml:"name"`
		} `yaml:"secretRef"`
	} `yaml:"envFrom"`
	ReadinessProbe  *probe         `yaml:"readinessProbe"`
	LivenessProbe   *probe         `yaml:"livenessProbe"`
	Resources       resources      `yaml:"resources"`
	SecurityContext map[string]any `yaml:"securityContext"`
}

type keyRef struct {
	Name string `yaml:"name"`
	Key  string `yaml:"key"`
}

type probe struct {
	HTTPGet *struct {
		Path string `yaml:"path"`
		Port any    `yaml:"port"`
	} `yaml:"httpGet"`
	PeriodSeconds    int `yaml:"periodSeconds"`
	FailureThreshold int `yaml:"failureThreshold"`
}

type resources struct {
	Requests map[string]string `yaml:"requests"`
	Limits   map[string]string `yaml:"limits"`
}

type deploymentSpec struct {
	Replicas int      `yaml:"replicas"`
	Selector selector `yaml:"selector"`
	Strategy struct {
		Type          string `yaml:"type"`
		RollingUpdate struct {
			MaxUnavailable any `yaml:"maxUnavailable"`
			MaxSurge       any `yaml:"maxSurge"`
		} `yaml:"rollingUpdate"`
	} `yaml:"strategy"`
	Template podTemplate `yaml:"template"`
}

type jobSpec struct {
	BackoffLimit            int         `yaml:"backoffLimit"`
	TTLSecondsAfterFinished int         `yaml:"ttlSecondsAfterFinished"`
	Template                podTemplate `yaml:"template"`
}

type serviceSpec struct {
	Selector map[string]string `yaml:"selector"`
	Ports    []struct {
		Name       string `yaml:"name"`
		Port       int    `yaml:"port"`
		TargetPort any    `yaml:"targetPort"`
	} `yaml:"ports"`
}

type pdbSpec struct {
	MinAvailable   any      `yaml:"minAvailable"`
	MaxUnavailable any      `yaml:"maxUnavailable"`
	Selector       selector `yaml:"selector"`
}

type hpaSpec struct {
	ScaleTargetRef struct {
		APIVersion string `yaml:"apiVersion"`
		Kind       string `yaml:"kind"`
		Name       string `yaml:"name"`
	} `yaml:"scaleTargetRef"`
	MinReplicas int `yaml:"minReplicas"`
	MaxReplicas int `yaml:"maxReplicas"`
	Metrics     []struct {
		Type     string `yaml:"type"`
		Resource struct {
			Name   string `yaml:"name"`
			Target struct {
				Type               string `yaml:"type"`
				AverageUtilization int    `yaml:"averageUtilization"`
			} `yaml:"target"`
		} `yaml:"resource"`
	} `yaml:"metrics"`
}

// apiVersions are the served versions of the kinds the manifests use.
var apiVersions = map[string]string{
	"ConfigMap": "v1", "Service": "v1", "Deployment": "apps/v1", "Job": "batch/v1",
	"PodDisruptionBudget": "policy/v1", "HorizontalPodAutoscaler": "autoscaling/v2",
}

// The manifests: a Deployment ready on /readyz, the migration Job, a
// PodDisruptionBudget and a CPU HorizontalPodAutoscaler over that
// Deployment, and the ConfigMap and Service they refer to.
func TestKubernetes(t *testing.T) {
	known := settleEnv(t)
	files, err := filepath.Glob("kubernetes/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in kubernetes/: %v", err)
	}
	byKind := map[string][]object{}
	for _, f := range files {
		for _, o := range decodeStrict[object](t, f) {
			want, ok := apiVersions[o.Kind]
			if !ok {
				t.Errorf("%s: kind %q is not one this test knows", f, o.Kind)
				continue
			}
			if o.APIVersion != want {
				t.Errorf("%s: %s has apiVersion %q, want %q", f, o.Kind, o.APIVersion, want)
			}
			if !regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`).MatchString(o.Metadata.Name) {
				t.Errorf("%s: %s name %q is not a DNS label", f, o.Kind, o.Metadata.Name)
			}
			byKind[o.Kind] = append(byKind[o.Kind], o)
		}
	}
	for kind := range apiVersions {
		if len(byKind[kind]) != 1 {
			t.Fatalf("%d %s objects, want 1", len(byKind[kind]), kind)
		}
	}
	cm := byKind["ConfigMap"][0]
	for k := range cm.Data {
		if !known[k] {
			t.Errorf("ConfigMap %s sets %s, which Settle does not read", cm.Metadata.Name, k)
		}
	}

	var d deploymentSpec
	spec(t, byKind["Deployment"][0], &d)
	labels := d.Template.Metadata.Labels
	if !subset(d.Selector.MatchLabels, labels) || len(d.Selector.MatchLabels) == 0 {
		t.Errorf("Deployment selector %v does not match its pods' labels %v", d.Selector.MatchLabels, labels)
	}
	if d.Replicas < 2 {
		t.Errorf("Deployment runs %d replicas, want at least 2", d.Replicas)
	}
	if len(d.Template.Spec.Containers) != 1 {
		t.Fatalf("Deployment has %d containers, want 1", len(d.Template.Spec.Containers))
	}
	app := d.Template.Spec.Containers[0]
	checkContainer(t, "Deployment", app, known, cm.Metadata.Name)
	if !slices.Equal(app.Args, []string{"serve"}) {
		t.Errorf("Deployment runs %v, want serve", app.Args)
	}
	portName, port := "", 0
	for _, p := range app.Ports {
		portName, port = p.Name, p.ContainerPort
	}
	if port == 0 || !strings.HasSuffix(cm.Data["SETTLE_ADDR"], ":"+strconv.Itoa(port)) {
		t.Errorf("container port %d does not match SETTLE_ADDR %q", port, cm.Data["SETTLE_ADDR"])
	}
	for name, p := range map[string]*probe{"readiness": app.ReadinessProbe, "liveness": app.LivenessProbe} {
		want := map[string]string{"readiness": "/readyz", "liveness": "/healthz"}[name]
		if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != want {
			t.Errorf("Deployment %s probe: want httpGet %s", name, want)
			continue
		}
		if p.HTTPGet.Port != portName && p.HTTPGet.Port != port {
			t.Errorf("Deployment %s probe on port %v, want %s or %d", name, p.HTTPGet.Port, portName, port)
		}
	}
	if app.Resources.Requests["cpu"] == "" {
		t.Error("Deployment requests no CPU: the autoscaler's utilization is a share of the request")
	}
	if cm.Data["SETTLE_DB_POOLER"] == "transaction" && !envFromSecret(app) {
		t.Error("with SETTLE_DB_POOLER=transaction the pods need SETTLE_MIGRATE_DATABASE_URL, from a Secret")
	}

	var j jobSpec
	spec(t, byKind["Job"][0], &j)
	if rp := j.Template.Spec.RestartPolicy; rp != "OnFailure" && rp != "Never" {
		t.Errorf("Job restartPolicy %q, want OnFailure or Never", rp)
	}
	if len(j.Template.Spec.Containers) != 1 {
		t.Fatalf("Job has %d containers, want 1", len(j.Template.Spec.Containers))
	}
	mig := j.Template.Spec.Containers[0]
	checkContainer(t, "Job", mig, known, cm.Metadata.Name)
	if !slices.Equal(mig.Args, []string{"migrate"}) || mig.Image != app.Image {
		t.Errorf("Job runs %s %v, want the Deployment's image (%s) with migrate", mig.Image, mig.Args, app.Image)
	}
	direct := false
	for _, e := range mig.Env {
		direct = direct || e.Name == "DATABASE_URL" && e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil && e.ValueFrom.SecretKeyRef.Key == "SETTLE_MIGRATE_DATABASE_URL"
	}
	if !direct {
		t.Error("the migration Job must take DATABASE_URL from the direct URL (SETTLE_MIGRATE_DATABASE_URL): its lock is a session's")
	}

	var s serviceSpec
	spec(t, byKind["Service"][0], &s)
	if !subset(s.Selector, labels) || len(s.Selector) == 0 {
		t.Errorf("Service selector %v does not match the Deployment's pods %v", s.Selector, labels)
	}
	var pdb pdbSpec
	spec(t, byKind["PodDisruptionBudget"][0], &pdb)
	if !subset(pdb.Selector.MatchLabels, labels) || len(pdb.Selector.MatchLabels) == 0 {
		t.Errorf("PodDisruptionBudget selector %v does not match the Deployment's pods %v", pdb.Selector.MatchLabels, labels)
	}
	if (pdb.MinAvailable == nil) == (pdb.MaxUnavailable == nil) {
		t.Error("PodDisruptionBudget needs exactly one of minAvailable and maxUnavailable")
	}
	if n, ok := pdb.MinAvailable.(int); ok && n >= d.Replicas {
		t.Errorf("PodDisruptionBudget minAvailable %d leaves no pod of %d to evict: drains would block", n, d.Replicas)
	}

	var h hpaSpec
	spec(t, byKind["HorizontalPodAutoscaler"][0], &h)
	ref := h.ScaleTargetRef
	if ref.APIVersion != "apps/v1" || ref.Kind != "Deployment" || ref.Name != byKind["Deployment"][0].Metadata.Name {
		t.Errorf("HorizontalPodAutoscaler scales %s %s %s, want the Deployment", ref.APIVersion, ref.Kind, ref.Name)
	}
	if h.MinReplicas < 2 || h.MaxReplicas < h.MinReplicas {
		t.Errorf("HorizontalPodAutoscaler replicas %d to %d", h.MinReplicas, h.MaxReplicas)
	}
	cpu := false
	for _, m := range h.Metrics {
		cpu = cpu || m.Type == "Resource" && m.Resource.Name == "cpu" && m.Resource.Target.Type == "Utilization" && m.Resource.Target.AverageUtilization > 0
	}
	if !cpu {
		t.Error("HorizontalPodAutoscaler has no CPU utilization target")
	}
}

// spec decodes an object's spec strictly into v.
func spec(t *testing.T, o object, v any) {
	t.Helper()
	b, err := yaml.Marshal(&o.Spec)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s %s spec: %v", o.Kind, o.Metadata.Name, err)
	}
}

// checkContainer checks what every container needs: a pinned image, env
// names Settle reads, and references to the ConfigMap and Secret only.
func checkContainer(t *testing.T, what string, c container, known map[string]bool, configMap string) {
	t.Helper()
	if c.Image == "" || strings.HasSuffix(c.Image, ":latest") || !strings.Contains(c.Image, ":") {
		t.Errorf("%s image %q: want a pinned tag", what, c.Image)
	}
	if c.Resources.Requests["cpu"] == "" || c.Resources.Requests["memory"] == "" {
		t.Errorf("%s requests no CPU or memory", what)
	}
	for _, e := range c.Env {
		if !known[e.Name] {
			t.Errorf("%s sets %s, which Settle does not read", what, e.Name)
		}
		if e.ValueFrom != nil && e.ValueFrom.ConfigMapKeyRef != nil && e.ValueFrom.ConfigMapKeyRef.Name != configMap {
			t.Errorf("%s reads ConfigMap %s, which is not in the manifests", what, e.ValueFrom.ConfigMapKeyRef.Name)
		}
	}
	for _, f := range c.EnvFrom {
		if f.ConfigMapRef != nil && f.ConfigMapRef.Name != configMap {
			t.Errorf("%s reads ConfigMap %s, which is not in the manifests", what, f.ConfigMapRef.Name)
		}
	}
}

func envFromSecret(c container) bool {
	for _, f := range c.EnvFrom {
		if f.SecretRef != nil && f.SecretRef.Name != "" {
			return true
		}
	}
	return false
}

func subset(sel, labels map[string]string) bool {
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}
