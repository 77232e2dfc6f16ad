package mailpit

import (
	"os/exec"
	"syscall"
)

// dieWithParent has the kernel kill Mailpit when our process dies without
// calling Stop (a test binary killed on timeout, a demo killed hard), so no
// stray Mailpit keeps its ports.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
