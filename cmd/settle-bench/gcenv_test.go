package main

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The benchmarks' server collects garbage as the deployed one does: the
// settings deployGC applies are the Dockerfile's ENV (deploy_test checks
// compose and Kubernetes against the same).
func TestGCSettingsAreTheDockerfiles(t *testing.T) {
	b, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	for _, line := range regexp.MustCompile(`(?m)^ENV .*`).FindAllString(string(b), -1) {
		for _, kv := range strings.Fields(line)[1:] {
			if k, v, ok := strings.Cut(kv, "="); ok {
				env[k] = v
			}
		}
	}
	if env["GOGC"] != strconv.Itoa(deployGOGC) {
		t.Errorf("Dockerfile GOGC=%q, settle-bench applies %d", env["GOGC"], deployGOGC)
	}
	if env["GOMEMLIMIT"] != deployGOMEMLIMIT {
		t.Errorf("Dockerfile GOMEMLIMIT=%q, settle-bench applies %q", env["GOMEMLIMIT"], deployGOMEMLIMIT)
	}
	m := regexp.MustCompile(`^([0-9]+)MiB$`).FindStringSubmatch(deployGOMEMLIMIT)
	if m == nil {
		t.Fatalf("deployGOMEMLIMIT %q: want <n>MiB", deployGOMEMLIMIT)
	}
	if n, _ := strconv.ParseInt(m[1], 10, 64); n<<20 != deployMemLimit {
		t.Errorf("deployMemLimit is %d bytes, deployGOMEMLIMIT %s is %d", deployMemLimit, deployGOMEMLIMIT, n<<20)
	}
}
