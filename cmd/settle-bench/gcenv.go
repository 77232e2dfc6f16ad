package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"sync"
)

// The garbage collector settings the deployment gives the server (ENV in
// the Dockerfile, deploy/compose.yaml and the Kubernetes ConfigMap;
// TestGCSettingsAreTheDockerfiles keeps them equal). The benchmarks'
// server runs inside this process, so it takes the same ones, unless GOGC
// or GOMEMLIMIT is set for the run: then the runtime has applied that.
const (
	deployGOGC       = 400
	deployGOMEMLIMIT = "384MiB"
	deployMemLimit   = 384 << 20
)

var gcEnvOnce sync.Once

// deployGC applies the deployment's GOGC and GOMEMLIMIT where the
// environment sets neither, once, and prints what the server runs with.
func deployGC() {
	gcEnvOnce.Do(func() {
		gogc, limit := os.Getenv("GOGC"), os.Getenv("GOMEMLIMIT")
		if gogc == "" {
			debug.SetGCPercent(deployGOGC)
			gogc = fmt.Sprint(deployGOGC, " (the deployment's)")
		}
		if limit == "" {
			debug.SetMemoryLimit(deployMemLimit)
			limit = deployGOMEMLIMIT + " (the deployment's)"
		}
		fmt.Printf("Go garbage collector: GOGC=%s, GOMEMLIMIT=%s\n", gogc, limit)
	})
}
