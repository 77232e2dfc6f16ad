//go:build !linux

package mailpit

import "os/exec"

// dieWithParent does nothing where the kernel cannot tie a child's life to
// its parent's; Stop must then be called.
func dieWithParent(*exec.Cmd) {}
