//go:build !linux

package stripemock

import "syscall"

// dieWithParent is Linux only; elsewhere stripe-mock stops idleStop after
// its last test, or is left behind if the test binary is killed first.
func dieWithParent() *syscall.SysProcAttr { return nil }
