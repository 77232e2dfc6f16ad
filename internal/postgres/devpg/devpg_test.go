package devpg

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
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

func TestStalePidFile(t *testing.T) {
	skipWithoutBinaries(t)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "pg")
	c, err := StartWith(ctx, dir, Options{Fast: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
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
