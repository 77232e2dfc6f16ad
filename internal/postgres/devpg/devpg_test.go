package devpg

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

func skipWithoutBinaries(t *testing.T) {
	t.Helper()
	if _, err := findBinaries(); err != nil {
		t.Skip(err)
	}
}

func TestStartReuseStop(t *testing.T) {
	skipWithoutBinaries(t)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "pg")

	began := time.Now()
	owner, err := StartWith(ctx, dir, Options{Fast: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("first start (initdb + start) took %s", time.Since(began))
	t.Cleanup(func() { _ = owner.Stop() })
	if owner.Reused {
		t.Fatal("first start reported Reused")
	}

	conn, err := pgx.Connect(ctx, owner.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	var one int
	if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("SELECT 1 = %d, %v", one, err)
	}
	conn.Close(ctx)

	if err := owner.EnsureDatabase(ctx, "settle-demo"); err != nil {
		t.Fatal(err)
	}
	if err := owner.EnsureDatabase(ctx, "settle-demo"); err != nil {
		t.Fatalf("second EnsureDatabase: %v", err)
	}
	conn, err = pgx.Connect(ctx, owner.URL("settle-demo"))
	if err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)

	reused, err := Start(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reused.Reused || reused.Port != owner.Port {
		t.Fatalf("second start: Reused=%v port=%d, want Reused on port %d", reused.Reused, reused.Port, owner.Port)
	}
	if err := reused.Stop(); err != nil {
		t.Fatal(err)
	}
	if !accepting(owner.Port) {
		t.Fatal("Stop of a reused cluster stopped the server")
	}

	if err := owner.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := owner.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	if _, err := os.Stat(filepath.Join(owner.Dir, "postmaster.pid")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("postmaster.pid still present after Stop: %v", err)
	}
	if accepting(owner.Port) {
		t.Fatal("port still accepting connections after Stop")
	}

	// A restart of the stopped directory keeps its port and data.
	began = time.Now()
	again, err := StartWith(ctx, dir, Options{Fast: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("restart took %s", time.Since(began))
	defer again.Stop()
	if again.Reused {
		t.Fatal("restart after Stop reported Reused")
	}
	conn, err = pgx.Connect(ctx, again.URL("settle-demo"))
	if err != nil {
		t.Fatalf("database lost across restart: %v", err)
	}
	conn.Close(ctx)
}

// stoppedCluster makes a cluster in a new directory, starts it once and
// stops it, for a test to change its files before the next start.
func stoppedCluster(t *testing.T) (dir string, c *Cluster) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "pg")
	c, err := StartWith(context.Background(), dir, Options{Fast: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	return dir, c
}

func TestStalePidFile(t *testing.T) {
	skipWithoutBinaries(t)
	ctx := context.Background()
	dir, c := stoppedCluster(t)
	// Simulate a crash: a pid file naming a process that no longer exists.
	// Pid max on Linux is at most 2^22, so this one cannot be alive.
	stale := strconv.Itoa(1<<22+1) + "\n" + c.Dir + "\n0\n" + strconv.Itoa(c.Port) + "\n"
	if err := os.WriteFile(filepath.Join(c.Dir, "postmaster.pid"), []byte(stale), 0o600); err != nil {
		t.Fatal(err)
	}
	c2, err := StartWith(ctx, dir, Options{Fast: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Stop()
	if c2.Reused {
		t.Fatal("stale pid file made Start report Reused")
	}
}

// TestRelocate covers root with a parent directory the server user cannot
// traverse outside the temp dir (like /root): the data dir must move to
// relocateBase and be found again through the pointer file.
func TestRelocate(t *testing.T) {
	skipWithoutBinaries(t)
	if os.Geteuid() != 0 {
		t.Skip("relocation only happens as root")
	}
	base := t.TempDir()
	// Make base reachable ourselves, then move TMPDIR so that "blocked" no
	// longer counts as a scratch dir devpg may chmod.
	if err := os.Chmod(base, 0o711); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Dir(base), 0o711); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(base, "tmp")
	blocked := filepath.Join(base, "blocked")
	for _, d := range []string{tmp, blocked} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(tmp, 0o1777); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", tmp)
	saved := relocateBase
	relocateBase = tmp
	t.Cleanup(func() { relocateBase = saved })

	dir := filepath.Join(blocked, "pg")
	c, err := StartWith(context.Background(), dir, Options{Fast: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	if filepath.Dir(c.Dir) != tmp {
		t.Fatalf("Dir = %s, want it relocated under %s", c.Dir, tmp)
	}
	if st, _ := os.Stat(blocked); st.Mode().Perm() != 0o700 {
		t.Fatalf("blocked dir mode changed to %v", st.Mode().Perm())
	}
	again, err := Start(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Reused || again.Dir != c.Dir {
		t.Fatalf("second start: Reused=%v Dir=%s, want reuse of %s", again.Reused, again.Dir, c.Dir)
	}
}

func TestNoBinaries(t *testing.T) {
	t.Setenv("PATH", "")
	saved := fallbackBinGlob
	fallbackBinGlob = ""
	t.Cleanup(func() { fallbackBinGlob = saved })

	_, err := Start(context.Background(), t.TempDir(), nil)
	if !errors.Is(err, ErrNoBinaries) {
		t.Fatalf("err = %v, want ErrNoBinaries", err)
	}
}

func accepting(port int) bool {
	c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// envOwnerDir makes the test binary act as a settle process that owns the
// cluster in that directory until it is killed (see TestOwnerProcess).
const envOwnerDir = "DEVPG_TEST_OWNER_DIR"

// TestOwnerProcess is not a test on its own: TestOrphanTakenOver runs the
// test binary with envOwnerDir set, and this starts the cluster, prints its
// port and waits to be killed with SIGKILL, like `settle demo` under kill -9.
func TestOwnerProcess(t *testing.T) {
	dir := os.Getenv(envOwnerDir)
	if dir == "" {
		return
	}
	c, err := StartWith(context.Background(), dir, Options{Fast: true}, nil)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Printf("port %d\n", c.Port)
	select {}
}

// TestOrphanTakenOver kills the process that started the cluster with
// SIGKILL: the next Start must take the orphaned server over and stop it on
// Stop, and the server must refuse connections without the password.
func TestOrphanTakenOver(t *testing.T) {
	skipWithoutBinaries(t)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "pg")

	child := exec.Command(os.Args[0], "-test.run=^TestOwnerProcess$", "-test.count=1")
	child.Env = append(os.Environ(), envOwnerDir+"="+dir)
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	child.Stderr = os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	t.Cleanup(func() {
		if !killed {
			_ = child.Process.Kill()
			_ = child.Wait()
		}
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "port ") {
		t.Fatalf("owner process said %q, %v", line, err)
	}
	postmaster := postmasterPid(t, dir)
	// Whatever happens below, do not leave the server running.
	t.Cleanup(func() { _ = syscall.Kill(postmaster, syscall.SIGQUIT) })

	// While the owner lives, a second Start only borrows the server.
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	borrowed, err := StartWith(ctx, dir, Options{Fast: true}, log)
	if err != nil {
		t.Fatal(err)
	}
	if !borrowed.Reused || borrowed.Adopted {
		t.Fatalf("Start while the owner lives: Reused=%v Adopted=%v, want only Reused", borrowed.Reused, borrowed.Adopted)
	}

	if err := child.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()
	killed = true
	if !alive(postmaster) {
		t.Fatal("the postmaster died with its owner; the test proves nothing")
	}

	c, err := StartWith(ctx, dir, Options{Fast: true}, log)
	if err != nil {
		t.Fatal(err)
	}
	if c.Reused || !c.Adopted {
		t.Fatalf("Start after the owner was killed: Reused=%v Adopted=%v, want Adopted", c.Reused, c.Adopted)
	}
	if got := postmasterPid(t, dir); got != postmaster {
		t.Fatalf("postmaster %d, want the orphan %d taken over", got, postmaster)
	}
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		t.Fatalf("connect with the password: %v", err)
	}
	conn.Close(ctx)

	// Without the password, neither TCP nor the unix socket lets anyone in.
	noPassword := "postgres://settle@127.0.0.1:" + strconv.Itoa(c.Port) + "/postgres?sslmode=disable"
	sock := filepath.Join(c.Dir, "sock")
	overSocket := "host=" + sock + " port=" + strconv.Itoa(c.Port) + " user=settle dbname=postgres"
	for _, u := range []string{noPassword, overSocket} {
		conn, err := pgx.Connect(ctx, u)
		var pgErr *pgconn.PgError
		if err == nil {
			conn.Close(ctx)
			t.Errorf("%s: connected without a password", u)
		} else if !errors.As(err, &pgErr) || pgErr.Code != "28P01" {
			t.Errorf("%s: %v, want invalid_password (28P01)", u, err)
		}
	}
	for name, want := range map[string]os.FileMode{passwordFile: 0o600, "sock": 0o700} {
		st, err := os.Stat(filepath.Join(c.Dir, name))
		if err != nil || st.Mode().Perm() != want {
			t.Errorf("%s: %v (err %v), want mode %v", name, st.Mode().Perm(), err, want)
		}
	}
	if c.password == "" || strings.Contains(logs.String(), c.password) {
		t.Errorf("password %q empty or logged:\n%s", c.password, logs.String())
	}

	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); alive(postmaster); {
		if time.Now().After(deadline) {
			t.Fatalf("postmaster %d still running a minute after Stop", postmaster)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestTrustingClusterGetsPassword starts a data directory as an older devpg
// left it (trust for every connection, no password file): Start must give
// it a password and stop trusting.
func TestTrustingClusterGetsPassword(t *testing.T) {
	skipWithoutBinaries(t)
	ctx := context.Background()
	dir, c := stoppedCluster(t)
	trustAll := "local all all trust\nhost all all 127.0.0.1/32 trust\n"
	if err := os.WriteFile(filepath.Join(c.Dir, "pg_hba.conf"), []byte(trustAll), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(c.Dir, passwordFile)); err != nil {
		t.Fatal(err)
	}

	c, err := StartWith(ctx, dir, Options{Fast: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		t.Fatalf("connect with the new password: %v", err)
	}
	conn.Close(ctx)
	conn, err = pgx.Connect(ctx, "postgres://settle@127.0.0.1:"+strconv.Itoa(c.Port)+"/postgres?sslmode=disable")
	if err == nil {
		conn.Close(ctx)
		t.Fatal("the upgraded cluster still trusts connections without a password")
	}
}

func postmasterPid(t *testing.T, dir string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// alive reports whether pid runs and is not a zombie waiting to be reaped.
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return syscall.Kill(pid, 0) == nil
	}
	_, rest, _ := strings.Cut(string(b), ") ")
	return !strings.HasPrefix(rest, "Z")
}
