package stripemock

import "syscall"

// dieWithParent has the kernel kill stripe-mock when the test binary exits,
// however it exits (a panic, a timeout, SIGKILL), so no stripe-mock outlives
// its tests.
func dieWithParent() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
