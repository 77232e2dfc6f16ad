// Package devpg runs a throwaway local PostgreSQL cluster for `settle demo`,
// `settle serve` without DATABASE_URL, and tests.
//
// The cluster lives in a directory of the caller's choosing (for example
// ".settle/pg"). It is created with initdb on first use and listens on
// 127.0.0.1 on a TCP port chosen at first init, and on a unix socket in a
// directory only the server's OS user can enter (0700). Every connection,
// TCP or socket, needs the password of user "settle" (scram-sha-256): it is
// generated at initdb, kept in the data directory in a 0600 file
// ("settle-password") and never logged. A data directory made by an older
// devpg, which trusted every local connection, gets a password the first
// time this version owns it.
//
// Ownership: the process whose Cluster started the server holds an
// exclusive flock on the data directory until it calls Stop or dies. A
// second Start while that process lives reuses the server and leaves it
// alone. When the owner died without stopping it (kill -9), the lock is free
// but postmaster.pid in our data directory names a live postmaster: Start
// takes that orphan over, and its Stop stops it.
//
// Running as root: initdb and postgres refuse to run as root, so the data
// directory is handed to the "postgres" OS user (or "nobody" when there is
// no such user) and every server binary is started with that uid/gid. That
// user must be able to traverse every parent of the data directory. Parents
// devpg creates itself get mode 0755, parents below os.TempDir() (such as
// t.TempDir()) get the o+x (search only) bit added, and when some other
// parent blocks (for example /root is 0700) the data directory is relocated
// to os.TempDir()/settle-pg-<hash> and a pointer file "settle-datadir" in
// the requested directory records where it went.
package devpg

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// ErrNoBinaries is returned by Start when initdb or pg_ctl cannot be found.
// Its message is a single actionable line because it is shown verbatim to
// users of `settle demo`.
var ErrNoBinaries = errors.New("PostgreSQL server binaries (initdb, pg_ctl) not found on PATH: install PostgreSQL (Debian: apt-get install postgresql) or set DATABASE_URL")

// fallbackBinGlob is searched when initdb/pg_ctl are not on PATH, because
// Debian and Ubuntu install the server binaries outside PATH. Tests set it
// to "" to simulate a machine without PostgreSQL.
var fallbackBinGlob = "/usr/lib/postgresql/*/bin"

// relocateBase is where the data directory goes when running as root and a
// parent of the requested directory cannot be traversed by the server user.
// A variable so tests can point it elsewhere.
var relocateBase = os.TempDir()

const (
	// superuser is the bootstrap role initdb creates.
	superuser = "settle"
	// passwordFile holds superuser's password, readable only by its owner.
	passwordFile = "settle-password"
	// socketSubdir is the unix socket directory inside the data directory.
	socketSubdir = "sock"
	// maxSocketPath is the kernel's limit for a unix socket path (sun_path
	// is 108 bytes including the NUL); longer data-dir paths put the socket
	// directory under the temp dir instead.
	maxSocketPath = 107
	// readyTimeout bounds how long Start waits for the server to accept
	// connections, generous enough for a cold first start on slow CI disks.
	readyTimeout = 30 * time.Second
	// confFile holds the settings devpg owns; postgresql.conf includes it so
	// the port chosen at first init survives restarts and can be read back.
	confFile = "settle.conf"
	// pointerFile records a relocated data directory (see package doc).
	pointerFile = "settle-datadir"
	// logFile is the server log, kept in the data directory because that is
	// the one place the server user is guaranteed to be able to write.
	logFile = "server.log"
)

// Options tunes how the cluster is started.
type Options struct {
	// Fast turns off fsync, synchronous_commit and full_page_writes (and
	// makes initdb skip its fsync). Data may be lost on a machine crash, so
	// only tests should set it. It applies to the server this call starts;
	// a reused server keeps whatever settings it was started with.
	Fast bool
}

// Cluster is a local PostgreSQL server started (or found running) by Start.
type Cluster struct {
	// Dir is the absolute path of the data directory actually used; it
	// differs from the requested directory only after a root relocation.
	Dir string
	// Port is the TCP port the server listens on at 127.0.0.1.
	Port int
	// Reused is true when the server was already running, in which case Stop
	// leaves it alone because another process owns it.
	Reused bool
	// Adopted is true when the server was left running by an owner that
	// died without stopping it; this Cluster owns it now and Stop stops it.
	Adopted bool

	bins     binaries
	runAs    *account
	log      *slog.Logger
	password string
	// lock is the data directory opened and flocked while this Cluster owns
	// the server; the kernel drops the lock if the process dies.
	lock    *os.File
	mu      sync.Mutex
	stopped bool
}

type binaries struct{ initdb, pgCtl string }

// account is the OS user the server binaries run as when we are root.
type account struct {
	name     string
	uid, gid uint32
}

// Start starts (or reuses) the cluster in dir (e.g. ".settle/pg"). It
// initdb's it when empty. It is StartWith with default (durable) options.
func Start(ctx context.Context, dir string, log *slog.Logger) (*Cluster, error) {
	return StartWith(ctx, dir, Options{}, log)
}

// StartWith is Start with explicit options.
func StartWith(ctx context.Context, dir string, opts Options, log *slog.Logger) (*Cluster, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	bins, err := findBinaries()
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("devpg: %w", err)
	}
	runAs, err := lookupRunAs()
	if err != nil {
		return nil, err
	}
	dataDir, runAs, err := prepareDir(abs, runAs, true, log)
	if err != nil {
		return nil, err
	}
	c := &Cluster{Dir: dataDir, bins: bins, runAs: runAs, log: log}

	owner, err := c.claim(ctx)
	if err != nil {
		return nil, err
	}
	if !owner {
		// Another live process owns the server: use it, never stop it.
		if err := c.readPassword(); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		if err := c.waitReady(ctx); err != nil {
			return nil, err
		}
		c.Reused = true
		log.Info("reusing running PostgreSQL", "dir", dataDir, "port", c.Port)
		return c, nil
	}
	if err := c.own(ctx, opts); err != nil {
		c.unlock()
		return nil, err
	}
	return c, nil
}

// own brings up the server this Cluster now owns: it adopts an orphaned
// postmaster, or initializes and starts the data directory.
func (c *Cluster) own(ctx context.Context, opts Options) error {
	if port, ok := c.runningPort(true); ok {
		c.Port, c.Adopted = port, true
		c.log.Warn("taking over a PostgreSQL left running by a process that died; it stops when this one exits", "dir", c.Dir, "port", port)
		if err := c.readPassword(); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		if err := c.waitReady(ctx); err != nil {
			return err
		}
		return c.requirePassword(ctx)
	}
	if err := c.ensureInitialized(ctx, opts); err != nil {
		return err
	}
	if err := c.start(ctx, opts); err != nil {
		return err
	}
	err := c.waitReady(ctx)
	if err == nil {
		err = c.requirePassword(ctx)
	}
	if err != nil {
		// Do not leave a half-working server behind that nobody owns.
		_ = c.Stop()
		return err
	}
	return nil
}

// claim takes the owner lock on the data directory, or, while another live
// process holds it, waits until that owner's server runs. It reports
// whether this Cluster owns the server. The wait matters when two processes
// start at once: the loser must neither start a second postmaster nor give
// up while the winner is still in initdb.
func (c *Cluster) claim(ctx context.Context) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	for {
		f, err := os.Open(c.Dir)
		if err != nil {
			return false, fmt.Errorf("devpg: %w", err)
		}
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			c.lock = f
			return true, nil
		}
		f.Close()
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			return false, fmt.Errorf("devpg: lock %s: %w", c.Dir, err)
		}
		if port, ok := c.runningPort(false); ok {
			c.Port = port
			return false, nil
		}
		select {
		case <-ctx.Done():
			return false, fmt.Errorf("devpg: another process owns %s but its PostgreSQL did not start within %s", c.Dir, readyTimeout)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (c *Cluster) unlock() {
	if c.lock != nil {
		c.lock.Close() // closing the last descriptor releases the flock
		c.lock = nil
	}
}

// URL returns a connection URL for dbname usable by pgx, with the
// password. TLS is disabled because the server only listens on loopback and
// has no certificate.
func (c *Cluster) URL(dbname string) string {
	user := url.User(superuser)
	if c.password != "" {
		user = url.UserPassword(superuser, c.password)
	}
	u := url.URL{
		Scheme:   "postgres",
		User:     user,
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(c.Port)),
		Path:     "/" + dbname,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// EnsureDatabase creates database name unless it already exists.
func (c *Cluster) EnsureDatabase(ctx context.Context, name string) error {
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return fmt.Errorf("devpg: connect: %w", err)
	}
	defer conn.Close(context.Background())
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return fmt.Errorf("devpg: check database %q: %w", name, err)
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	var pgErr *pgconn.PgError
	// A concurrent creator may win the race between the check and CREATE.
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" {
		return nil
	}
	if err != nil {
		return fmt.Errorf("devpg: create database %q: %w", name, err)
	}
	return nil
}

// Stop shuts the server down with a fast shutdown (active sessions are
// rolled back), waits until the postmaster has exited and gives up
// ownership. It does nothing when the server was reused, and is safe to
// call more than once.
func (c *Cluster) Stop() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.Reused || c.stopped {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := c.command(ctx, c.bins.pgCtl, "stop", "-D", c.Dir, "-m", "fast", "-w", "-t", "60").CombinedOutput()
	if err != nil {
		if _, statErr := os.Stat(filepath.Join(c.Dir, "postmaster.pid")); errors.Is(statErr, os.ErrNotExist) {
			// Someone else already stopped it; the goal is reached.
			c.stopped = true
			c.unlock()
			return nil
		}
		return fmt.Errorf("devpg: pg_ctl stop: %w: %s", err, strings.TrimSpace(string(out)))
	}
	c.stopped = true
	c.unlock()
	c.log.Info("stopped PostgreSQL", "dir", c.Dir)
	return nil
}

// findBinaries looks on PATH first so a user's explicit choice wins, then in
// the Debian layout, preferring the newest major version.
func findBinaries() (binaries, error) {
	initdb, err1 := exec.LookPath("initdb")
	pgCtl, err2 := exec.LookPath("pg_ctl")
	if err1 == nil && err2 == nil {
		return binaries{initdb: initdb, pgCtl: pgCtl}, nil
	}
	if fallbackBinGlob == "" {
		return binaries{}, ErrNoBinaries
	}
	dirs, _ := filepath.Glob(fallbackBinGlob)
	sort.Slice(dirs, func(i, j int) bool { return versionOf(dirs[i]) > versionOf(dirs[j]) })
	for _, d := range dirs {
		b := binaries{initdb: filepath.Join(d, "initdb"), pgCtl: filepath.Join(d, "pg_ctl")}
		if isExecutable(b.initdb) && isExecutable(b.pgCtl) {
			return b, nil
		}
	}
	return binaries{}, ErrNoBinaries
}

// versionOf extracts the major version from .../postgresql/<N>/bin so that
// 16 sorts above 9.6 (a string sort would not).
func versionOf(binDir string) float64 {
	v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(binDir)), 64)
	return v
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode().Perm()&0o111 != 0
}

// lookupRunAs returns nil when not root; otherwise the account the server
// must run as, because initdb and postgres refuse to run as root.
func lookupRunAs() (*account, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
		gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
		if err1 != nil || err2 != nil {
			continue
		}
		return &account{name: name, uid: uint32(uid), gid: uint32(gid)}, nil
	}
	return nil, errors.New("devpg: running as root but no postgres or nobody user exists to run PostgreSQL as (initdb refuses root)")
}

// prepareDir creates the data directory and, when root, makes it usable by
// the server account. It returns the data directory actually used and the
// account to run as (which may change to the existing owner of an already
// initialized directory, so a cluster made by a normal user keeps working).
func prepareDir(abs string, runAs *account, mayRelocate bool, log *slog.Logger) (string, *account, error) {
	if runAs == nil {
		if err := os.MkdirAll(abs, 0o700); err != nil {
			return "", nil, fmt.Errorf("devpg: %w", err)
		}
		return abs, nil, nil
	}
	if b, err := os.ReadFile(filepath.Join(abs, pointerFile)); err == nil {
		abs = strings.TrimSpace(string(b))
	}
	created, err := mkdirAllTracked(abs)
	if err != nil {
		return "", nil, err
	}
	if owner, ok := ownerIfInitialized(abs); ok && owner.uid != 0 {
		runAs = owner
	}
	relocate := false
	for anc := filepath.Dir(abs); ; anc = filepath.Dir(anc) {
		st, err := os.Stat(anc)
		if err != nil {
			return "", nil, fmt.Errorf("devpg: %w", err)
		}
		if !searchable(st, runAs) {
			if created[anc] || (strictlyUnder(anc, os.TempDir()) && ownedBy(st, 0)) {
				// Search-only permission on a directory we made, or on a
				// root-owned scratch dir such as t.TempDir(), exposes nothing.
				if err := os.Chmod(anc, st.Mode().Perm()|0o001); err != nil {
					return "", nil, fmt.Errorf("devpg: %w", err)
				}
				log.Debug("added o+x so the server user can reach its data dir", "dir", anc)
			} else if mayRelocate {
				relocate = true
				break
			} else {
				return "", nil, fmt.Errorf("devpg: %s is not searchable by user %s, which runs PostgreSQL: run settle as a normal user, or chmod o+x %s, or set DATABASE_URL", anc, runAs.name, anc)
			}
		}
		if anc == filepath.Dir(anc) {
			break
		}
	}
	if relocate {
		sum := sha256.Sum256([]byte(abs))
		target := filepath.Join(relocateBase, "settle-pg-"+hex.EncodeToString(sum[:8]))
		log.Warn("a parent of the PostgreSQL data dir is not accessible to the server user; using a directory under the temp dir instead",
			"requested", abs, "dir", target, "user", runAs.name)
		if err := os.MkdirAll(target, 0o700); err != nil {
			return "", nil, fmt.Errorf("devpg: %w", err)
		}
		if err := os.WriteFile(filepath.Join(abs, pointerFile), []byte(target+"\n"), 0o644); err != nil {
			return "", nil, fmt.Errorf("devpg: %w", err)
		}
		return prepareDir(target, runAs, false, log)
	}
	if _, ok := ownerIfInitialized(abs); !ok {
		if err := os.Chown(abs, int(runAs.uid), int(runAs.gid)); err != nil {
			return "", nil, fmt.Errorf("devpg: %w", err)
		}
	}
	return abs, runAs, nil
}

// mkdirAllTracked is os.MkdirAll that reports which directories it created,
// so only those get their permissions adjusted.
func mkdirAllTracked(dir string) (map[string]bool, error) {
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil {
			break
		}
		missing = append(missing, d)
		if d == filepath.Dir(d) {
			break
		}
	}
	created := map[string]bool{}
	for i := len(missing) - 1; i >= 0; i-- {
		mode := os.FileMode(0o755)
		if i == 0 {
			mode = 0o700 // PostgreSQL insists on a private data directory.
		}
		if err := os.Mkdir(missing[i], mode); err != nil && !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("devpg: %w", err)
		}
		// Chmod explicitly because the umask may have stripped bits.
		if err := os.Chmod(missing[i], mode); err != nil {
			return nil, fmt.Errorf("devpg: %w", err)
		}
		created[missing[i]] = true
	}
	return created, nil
}

func ownerIfInitialized(dir string) (*account, bool) {
	st, err := os.Stat(filepath.Join(dir, "PG_VERSION"))
	if err != nil {
		return nil, false
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return nil, true
	}
	name := strconv.Itoa(int(sys.Uid))
	if u, err := user.LookupId(name); err == nil {
		name = u.Username
	}
	return &account{name: name, uid: sys.Uid, gid: sys.Gid}, true
}

// searchable applies the kernel's owner/group/other precedence for the x
// bit. Supplementary groups are ignored because the child runs without them.
func searchable(st os.FileInfo, a *account) bool {
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return true
	}
	perm := st.Mode().Perm()
	switch {
	case sys.Uid == a.uid:
		return perm&0o100 != 0
	case sys.Gid == a.gid:
		return perm&0o010 != 0
	default:
		return perm&0o001 != 0
	}
}

func ownedBy(st os.FileInfo, uid uint32) bool {
	sys, ok := st.Sys().(*syscall.Stat_t)
	return ok && sys.Uid == uid
}

func strictlyUnder(p, base string) bool {
	rel, err := filepath.Rel(base, p)
	return err == nil && rel != "." && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// runningPort reports the port of a live postmaster for c.Dir. When
// removeStale (only the owner may), a postmaster.pid whose process is gone
// (or whose pid now belongs to another program, e.g. after a reboot) is
// removed so it cannot block the start.
func (c *Cluster) runningPort(removeStale bool) (int, bool) {
	pidPath := filepath.Join(c.Dir, "postmaster.pid")
	b, err := os.ReadFile(pidPath)
	if err != nil {
		return 0, false
	}
	lines := strings.Split(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(lines[0]))
	if err != nil || pid <= 0 || !isPostmaster(pid) {
		if removeStale {
			c.log.Info("removing stale postmaster.pid", "dir", c.Dir)
			_ = os.Remove(pidPath)
		}
		return 0, false
	}
	if len(lines) > 3 {
		if port, err := strconv.Atoi(strings.TrimSpace(lines[3])); err == nil {
			return port, true
		}
	}
	// The pid file is written in stages; fall back to our config.
	port, err := c.configuredPort()
	return port, err == nil
}

func isPostmaster(pid int) bool {
	if err := syscall.Kill(pid, 0); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if err != nil {
		return true // No /proc (not Linux): trust the liveness check.
	}
	return strings.HasPrefix(strings.TrimSpace(string(comm)), "postgres")
}

// ensureInitialized runs initdb on an empty directory and (re)writes the
// devpg settings, picking a new port if the stored one is now taken.
func (c *Cluster) ensureInitialized(ctx context.Context, opts Options) error {
	if _, err := os.Stat(filepath.Join(c.Dir, "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		entries, err := os.ReadDir(c.Dir)
		if err != nil {
			return fmt.Errorf("devpg: %w", err)
		}
		if len(entries) > 0 {
			return fmt.Errorf("devpg: %s is not empty and is not a PostgreSQL data directory", c.Dir)
		}
		if err := c.initdb(ctx, opts); err != nil {
			return err
		}
	} else if err := c.readPassword(); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	port, err := c.configuredPort()
	if err != nil || !portFree(port) {
		if port, err = freePort(); err != nil {
			return err
		}
	}
	// Rewritten on every start so a directory made before devpg used a
	// socket directory gets one too.
	if err := c.writeConf(port); err != nil {
		return err
	}
	c.Port = port
	return nil
}

// initdb creates the cluster with scram-sha-256 for every connection and a
// fresh random password, which initdb reads from a private temporary file
// because the data directory must be empty until initdb has run.
func (c *Cluster) initdb(ctx context.Context, opts Options) error {
	pw, err := newPassword()
	if err != nil {
		return err
	}
	pwFile, err := os.CreateTemp("", "settle-pw-*")
	if err != nil {
		return fmt.Errorf("devpg: %w", err)
	}
	defer os.Remove(pwFile.Name())
	_, err = pwFile.WriteString(pw + "\n")
	if cerr := pwFile.Close(); err == nil {
		err = cerr
	}
	if err == nil && c.runAs != nil {
		err = os.Chown(pwFile.Name(), int(c.runAs.uid), int(c.runAs.gid))
	}
	if err != nil {
		return fmt.Errorf("devpg: password file for initdb: %w", err)
	}
	args := []string{"-D", c.Dir, "-A", "scram-sha-256", "--pwfile", pwFile.Name(), "-U", superuser, "--encoding=UTF8", "--locale=C"}
	if opts.Fast {
		args = append(args, "--no-sync")
	}
	c.log.Info("initializing PostgreSQL data directory", "dir", c.Dir)
	if out, err := c.command(ctx, c.bins.initdb, args...).CombinedOutput(); err != nil {
		return fmt.Errorf("devpg: initdb: %w\n%s", err, tail(out, 20))
	}
	if err := c.writePrivate(passwordFile, pw+"\n"); err != nil {
		return err
	}
	c.password = pw
	return c.appendInclude()
}

func newPassword() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("devpg: generate password: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// readPassword loads the superuser's password from the data directory.
func (c *Cluster) readPassword() error {
	b, err := os.ReadFile(filepath.Join(c.Dir, passwordFile))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return err
		}
		return fmt.Errorf("devpg: read password: %w", err)
	}
	c.password = strings.TrimSpace(string(b))
	return nil
}

// writePrivate writes a 0600 file in the data directory owned by the
// server's OS user, like everything else in there.
func (c *Cluster) writePrivate(name, content string) error {
	p := filepath.Join(c.Dir, name)
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
		return fmt.Errorf("devpg: %w", err)
	}
	// Chmod explicitly: WriteFile keeps the mode of a file left behind.
	if err := os.Chmod(tmp, 0o600); err != nil {
		return fmt.Errorf("devpg: %w", err)
	}
	if c.runAs != nil {
		if err := os.Chown(tmp, int(c.runAs.uid), int(c.runAs.gid)); err != nil {
			return fmt.Errorf("devpg: %w", err)
		}
	}
	if err := os.Rename(tmp, p); err != nil {
		return fmt.Errorf("devpg: %w", err)
	}
	return nil
}

// scramHBA is the pg_hba.conf for a data directory made by an older devpg
// that trusted every local connection.
const scramHBA = `# Written by settle devpg: every connection needs the password (scram-sha-256).
local all         all                scram-sha-256
host  all         all  127.0.0.1/32  scram-sha-256
host  all         all  ::1/128       scram-sha-256
local replication all                scram-sha-256
host  replication all  127.0.0.1/32  scram-sha-256
host  replication all  ::1/128       scram-sha-256
`

// requirePassword upgrades a running server whose pg_hba.conf still trusts
// connections: it sets a password (kept in the data directory), switches
// every rule to scram-sha-256 and reloads. Each step is idempotent, so a
// crash half-way is finished on the next start.
func (c *Cluster) requirePassword(ctx context.Context) error {
	hba, err := os.ReadFile(filepath.Join(c.Dir, "pg_hba.conf"))
	if err != nil {
		return fmt.Errorf("devpg: %w", err)
	}
	if !trusts(string(hba)) {
		return nil
	}
	if c.password == "" {
		pw, err := newPassword()
		if err != nil {
			return err
		}
		if err := c.writePrivate(passwordFile, pw+"\n"); err != nil {
			return err
		}
		c.password = pw
	}
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return fmt.Errorf("devpg: connect: %w", err)
	}
	defer conn.Close(context.Background())
	// ALTER ROLE takes no parameters; the password is hex, so quoting is safe.
	if _, err := conn.Exec(ctx, "SET password_encryption = 'scram-sha-256'"); err != nil {
		return fmt.Errorf("devpg: set password: %w", err)
	}
	if _, err := conn.Exec(ctx, "ALTER ROLE "+superuser+" PASSWORD '"+c.password+"'"); err != nil {
		return fmt.Errorf("devpg: set password: %w", err)
	}
	if err := c.writePrivate("pg_hba.conf", scramHBA); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, "SELECT pg_reload_conf()"); err != nil {
		return fmt.Errorf("devpg: reload configuration: %w", err)
	}
	c.log.Info("the local PostgreSQL trusted every local connection; it now requires a password", "dir", c.Dir)
	return nil
}

// trusts reports whether a pg_hba.conf has a rule with the trust method.
func trusts(hba string) bool {
	for _, line := range strings.Split(hba, "\n") {
		line, _, _ = strings.Cut(line, "#")
		if fields := strings.Fields(line); len(fields) > 0 && slices.Contains(fields, "trust") {
			return true
		}
	}
	return false
}

// socketDir returns the unix socket directory, created 0700 and owned by
// the server's OS user so no other local user can even reach the socket.
// It is "sock" in the data directory unless that path is too long for a
// socket, then a directory under the temp dir named after the data dir.
func (c *Cluster) socketDir() (string, error) {
	dir := filepath.Join(c.Dir, socketSubdir)
	if len(dir)+len("/.s.PGSQL.65535") > maxSocketPath {
		sum := sha256.Sum256([]byte(c.Dir))
		dir = filepath.Join(os.TempDir(), "settle-pg-sock-"+hex.EncodeToString(sum[:6]))
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return "", fmt.Errorf("devpg: socket directory: %w", err)
	}
	st, err := os.Lstat(dir)
	if err != nil {
		return "", fmt.Errorf("devpg: socket directory: %w", err)
	}
	uid := uint32(os.Geteuid())
	if c.runAs != nil {
		uid = c.runAs.uid
	}
	// A directory under the temp dir may have been planted by another user.
	if !st.IsDir() || !(ownedBy(st, uid) || ownedBy(st, uint32(os.Geteuid()))) {
		return "", fmt.Errorf("devpg: socket directory %s is not a directory owned by us or the server user", dir)
	}
	if c.runAs != nil {
		if err := os.Chown(dir, int(c.runAs.uid), int(c.runAs.gid)); err != nil {
			return "", fmt.Errorf("devpg: socket directory: %w", err)
		}
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return "", fmt.Errorf("devpg: socket directory: %w", err)
	}
	return dir, nil
}

func (c *Cluster) appendInclude() error {
	f, err := os.OpenFile(filepath.Join(c.Dir, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("devpg: %w", err)
	}
	_, err = fmt.Fprintf(f, "\n# Settings managed by settle devpg.\ninclude_if_exists '%s'\n", confFile)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("devpg: %w", err)
	}
	return nil
}

func (c *Cluster) writeConf(port int) error {
	sock, err := c.socketDir()
	if err != nil {
		return err
	}
	conf := fmt.Sprintf(`# Written by settle devpg; the port was free when chosen.
listen_addresses = '127.0.0.1'
port = %d
# The socket directory is 0700: only the server's OS user reaches it.
unix_socket_directories = '%s'
password_encryption = 'scram-sha-256'
`, port, strings.ReplaceAll(sock, "'", "''"))
	p := filepath.Join(c.Dir, confFile)
	if err := os.WriteFile(p, []byte(conf), 0o600); err != nil {
		return fmt.Errorf("devpg: %w", err)
	}
	if c.runAs != nil {
		if err := os.Chown(p, int(c.runAs.uid), int(c.runAs.gid)); err != nil {
			return fmt.Errorf("devpg: %w", err)
		}
	}
	return nil
}

func (c *Cluster) configuredPort() (int, error) {
	b, err := os.ReadFile(filepath.Join(c.Dir, confFile))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, "=")
		if ok && strings.TrimSpace(k) == "port" {
			return strconv.Atoi(strings.TrimSpace(v))
		}
	}
	return 0, errors.New("no port in " + confFile)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("devpg: pick port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func portFree(port int) bool {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return false
	}
	l.Close()
	return true
}

func (c *Cluster) start(ctx context.Context, opts Options) error {
	args := []string{"start", "-D", c.Dir, "-l", filepath.Join(c.Dir, logFile), "-w", "-t", strconv.Itoa(int(readyTimeout / time.Second))}
	if opts.Fast {
		// Per start rather than in settle.conf, so a later durable start of
		// the same directory is durable again.
		args = append(args, "-o", "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
	}
	began := time.Now()
	out, err := c.command(ctx, c.bins.pgCtl, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("devpg: pg_ctl start: %w: %s\n--- %s (tail) ---\n%s",
			err, strings.TrimSpace(string(out)), filepath.Join(c.Dir, logFile), c.logTail())
	}
	c.log.Info("started PostgreSQL", "dir", c.Dir, "port", c.Port, "took", time.Since(began).Round(time.Millisecond))
	return nil
}

// waitReady polls with a real pgx connection because pg_ctl's readiness only
// means the postmaster accepts connections in principle, and a reused server
// may still be recovering.
func (c *Cluster) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	var lastErr error
	for {
		attempt, cancelAttempt := context.WithTimeout(ctx, 2*time.Second)
		conn, err := pgx.Connect(attempt, c.URL("postgres"))
		if err == nil {
			err = conn.Ping(attempt)
			conn.Close(context.Background())
		}
		cancelAttempt()
		if err == nil {
			return nil
		}
		lastErr = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("devpg: PostgreSQL in %s (port %d) did not accept connections within %s: %v\n--- %s (tail) ---\n%s",
				c.Dir, c.Port, readyTimeout, lastErr, filepath.Join(c.Dir, logFile), c.logTail())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// command builds an exec.Cmd for a server binary. Setpgid puts it (and the
// postmaster pg_ctl forks) in its own process group so a terminal Ctrl-C
// reaches only settle, which then stops the server cleanly.
func (c *Cluster) command(ctx context.Context, bin string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = "/" // The caller's cwd may not be accessible to the server user.
	cmd.Env = serverEnv()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if c.runAs != nil {
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: c.runAs.uid, Gid: c.runAs.gid}
	}
	// The postmaster inherits nothing but the log file from pg_ctl, but do
	// not hang forever if some wrapper keeps our output pipe open.
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// serverEnv drops PG* variables (PGDATA, PGPORT, ...) which would otherwise
// override what devpg configures, and pins the C locale for stable messages.
func serverEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PG") || strings.HasPrefix(kv, "LC_") || strings.HasPrefix(kv, "LANG=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "LC_ALL=C", "LANG=C")
}

func (c *Cluster) logTail() string {
	f, err := os.Open(filepath.Join(c.Dir, logFile))
	if err != nil {
		return "(no server log: " + err.Error() + ")"
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > 8192 {
		_, _ = f.Seek(-8192, io.SeekEnd)
	}
	b, _ := io.ReadAll(f)
	return tail(b, 20)
}

func tail(b []byte, n int) string {
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}
