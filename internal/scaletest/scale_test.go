// Package scaletest runs Settle as it is deployed at scale: three `settle
// serve` processes behind HAProxy (round robin) on one PostgreSQL reached
// through PgBouncer in transaction mode. Every request may land on another
// process and every transaction on another server connection, so nothing
// may live in a process or a database session between two of them.
package scaletest

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/settle/settle/internal/access"
	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/pay/molliefake"
)

func TestMain(m *testing.M) { apptest.Main(m) }

const signingKey = "scaletest-signing-key-of-32-bytes!!!"

// poolSize is PgBouncer's server connections for the database: fewer than
// one instance's pool (16), so the three instances' clients must share them.
const poolSize = 8

// TestThreeInstancesBehindPooler signs a debtor in, pays through the Mollie
// fake with the webhook posted six times (two per instance), and locks a
// second-factor form by wrong answers spread over the instances. Each step
// must come out as on one process: one session, one booking, one lock.
func TestThreeInstancesBehindPooler(t *testing.T) {
	haproxy, pgbouncer := need(t, "haproxy"), need(t, "pgbouncer")
	bin := apptest.BuildSettle(t)

	e := apptest.NewStore(t, time.Now())
	proxy := apptest.FreeAddr(t)
	base := "http://" + proxy
	e.Cfg.BaseURL = base
	e.Signer = access.NewSigner([]byte(signingKey), e.Clock.Now)
	today := collect.DutchDate(time.Now())
	cr := e.Creditor(collect.Creditor{Name: "Energie Noord B.V."}).Creditor
	birth := collect.Day(1980, 5, 31)
	jan := e.Debtor(collect.Debtor{CreditorID: cr.ID, ExternalRef: "K-1", Name: "Jan Jansen", BirthDate: &birth,
		Address: collect.Address{Postcode: "7311 KL", HouseNumber: "12"}})
	// Due in three weeks: no interest or costs, so the booking is the amount.
	inv := e.Invoice(collect.Invoice{CreditorID: cr.ID, DebtorID: jan.ID, Number: "F-2026-001", Description: "Stroom",
		IssueDate: today.AddDate(0, 0, -7), DueDate: today.AddDate(0, 0, 21), Amount: 12345})
	piet := e.Debtor(collect.Debtor{CreditorID: cr.ID, ExternalRef: "K-2", Name: "Piet de Vries", Email: "piet@example.nl",
		Address: collect.Address{Postcode: "8011 AB", HouseNumber: "3"}})

	fake := molliefake.New("")
	fs := httptest.NewServer(fake.Handler())
	t.Cleanup(fs.Close)
	fake.SetBaseURL(fs.URL)
	fake.WebhookDisabled.Store(true) // the test posts each webhook itself, through the proxy

	bouncer := startPgBouncer(t, pgbouncer, e.URL)
	var ins []*instance
	for i := range 3 {
		in := &instance{t: t, name: fmt.Sprintf("settle%d", i+1), addr: apptest.FreeAddr(t), log: filepath.Join(t.TempDir(), "settle.log")}
		in.env = apptest.CleanEnv("DATABASE_URL="+bouncer, "SETTLE_DB_POOLER=transaction", "SETTLE_MIGRATE_DATABASE_URL="+e.URL,
			"SETTLE_ADDR="+in.addr, "SETTLE_BASE_URL="+base, "SETTLE_DATA_DIR="+filepath.Join(t.TempDir(), "data"),
			"SETTLE_SIGNING_KEY="+signingKey, "SETTLE_LOG_LEVEL=info",
			"MOLLIE_API_URL="+fs.URL, "MOLLIE_API_KEY=test_scaletest", "SETTLE_IDEAL_PROVIDER=mollie", "SETTLE_CARD_PROVIDER=mollie")
		in.start(bin)
		ins = append(ins, in)
	}
	startHAProxy(t, haproxy, proxy, ins)
	t.Cleanup(func() {
		if t.Failed() {
			for _, in := range ins {
				t.Logf("%s log:\n%s", in.name, in.logs())
			}
		}
	})

	// Sign-in: the link, the form and the answer each reach another
	// instance; the session the answer made is good on all three.
	c := &apptest.Client{T: t, Base: base, Jar: map[string]string{}, Header: http.Header{}}
	tok, _ := e.Link(cr.ID, jan.ID, "letter")
	c.SignInDebtor(tok, jan)
	for range 3 {
		r := c.Get("/overview")
		apptest.WantStatus(t, "overview", r, http.StatusOK)
		apptest.WantContains(t, "overview", r.Body, "Jan Jansen")
	}

	// Pay the invoice with iDEAL at the fake; Mollie's webhook comes six
	// times, round robin over the instances, and River (polling through
	// PgBouncer) books it once.
	apptest.WantStatus(t, "pay method", c.Get("/pay/method?what=invoice&invoice="+inv.ID), http.StatusOK)
	r := c.Post("/pay", url.Values{"what": {"invoice"}, "invoice": {inv.ID}, "method": {"ideal"}})
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), fs.URL) {
		t.Fatalf("pay: status %d, location %q; want a redirect to the Mollie fake\n%s", r.Status, r.Header.Get("Location"), r.Body)
	}
	var paymentID, providerID string
	if err := e.DB.PoolForTests().QueryRow(e.Ctx, `SELECT id, provider_id FROM payments WHERE debtor_id = $1`, jan.ID).Scan(&paymentID, &providerID); err != nil {
		t.Fatal(err)
	}
	if err := fake.SetStatus(providerID, "paid"); err != nil {
		t.Fatal(err)
	}
	hook := &apptest.Client{T: t, Base: base, Jar: map[string]string{}, Header: http.Header{}}
	for i := range 6 {
		if r := hook.PostAsIs("/webhooks/mollie", url.Values{"id": {providerID}}); r.Status != http.StatusOK {
			t.Fatalf("webhook %d: status %d\n%s", i+1, r.Status, r.Body)
		}
	}
	settle(t, e)
	if n := e.Count(`SELECT count(*) FROM ledger_entries WHERE kind = 'payment' AND payment_id = $1`, paymentID); n != 1 {
		t.Errorf("payment booked %d times, want once", n)
	}
	if n := e.Count(`SELECT count(*) FROM payments WHERE id = $1 AND status = 'paid'`, paymentID); n != 1 {
		t.Errorf("payment %s is not paid", paymentID)
	}
	if n := e.Count(`SELECT deliveries FROM webhook_events WHERE provider = 'mollie' AND event_id = $1`, providerID); n != 6 {
		t.Errorf("webhook deliveries counted: %d, want 6", n)
	}
	if st := e.Statement(cr.ID, jan.ID); st.Total() != 0 {
		t.Errorf("open after paying the invoice: %d cents, want 0", st.Total())
	}

	// Lockout: MaxAttempts wrong answers, each on the next instance, lock
	// the link on all of them; then even the right answer is refused.
	p := &apptest.Client{T: t, Base: base, Jar: map[string]string{}, Header: http.Header{}}
	ptok, _ := e.Link(cr.ID, piet.ID, "letter")
	apptest.WantStatus(t, "open Piet's link", p.OpenLink(ptok), http.StatusOK)
	for i := 1; i < access.MaxAttempts; i++ {
		apptest.WantStatus(t, "wrong answer "+strconv.Itoa(i), p.Answer("9999 ZZ", "1"), http.StatusUnprocessableEntity)
	}
	apptest.WantStatus(t, "last wrong answer", p.Answer("9999 ZZ", "1"), http.StatusTooManyRequests)
	for i := range 3 {
		r := p.Answer(piet.Address.Postcode, piet.Address.HouseNumber)
		apptest.WantStatus(t, "right answer while locked "+strconv.Itoa(i+1), r, http.StatusTooManyRequests)
		if r.Cookie("settle_session") != nil {
			t.Fatal("a locked link gave a session")
		}
	}

	// Round robin really spread the work: every instance answered requests
	// through the proxy (the test's own /readyz polls do not count).
	for _, in := range ins {
		n := 0
		for _, line := range strings.Split(in.logs(), "\n") {
			if strings.Contains(line, `"msg":"request"`) && !strings.Contains(line, `"path":"/readyz"`) {
				n++
			}
		}
		if n < 5 {
			t.Errorf("%s answered %d requests through the proxy; round robin over three should give each at least 5", in.name, n)
		}
	}
}

// settle waits until no River job is left to run, and fails on a job that
// was given up.
func settle(t *testing.T, e *apptest.Env) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		pending := e.Count(`SELECT count(*) FROM river_job WHERE kind = 'sync_payment' AND state NOT IN ('completed', 'cancelled', 'discarded')`)
		if n := e.Count(`SELECT count(*) FROM river_job WHERE state IN ('cancelled', 'discarded')`); n > 0 {
			t.Fatalf("%d jobs given up", n)
		}
		done := e.Count(`SELECT count(*) FROM river_job WHERE kind = 'sync_payment' AND state = 'completed'`)
		if pending == 0 && done > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("sync jobs not done within a minute: %d pending, %d completed", pending, done)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// need finds a program on PATH or in /usr/sbin (Debian's pgbouncer and
// haproxy live there); .ci/run installs both.
func need(t *testing.T, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if p := filepath.Join("/usr/sbin", name); fileExists(p) {
		return p
	}
	t.Fatalf("%s is not installed (apt-get install %s; .ci/run does)", name, name)
	return ""
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// startPgBouncer runs PgBouncer in transaction mode in front of the
// database at direct and returns the URL that reaches it through PgBouncer.
// PgBouncer refuses to run as root, so as root it runs as nobody.
func startPgBouncer(t *testing.T, bin, direct string) string {
	t.Helper()
	u, err := url.Parse(direct)
	if err != nil {
		t.Fatal(err)
	}
	pw, _ := u.User.Password()
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil {
		t.Fatal(err)
	}
	// Not under t.TempDir(), whose parent only root may enter.
	dir, err := os.MkdirTemp("", "settle-pgbouncer-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		nobody, err := user.Lookup("nobody")
		if err != nil {
			t.Fatal(err)
		}
		uid, _ := strconv.Atoi(nobody.Uid)
		gid, _ := strconv.Atoi(nobody.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	addr := apptest.FreeAddr(t)
	_, listenPort, _ := net.SplitHostPort(addr)
	// auth_type any: clients are not asked for a password (the listener is
	// on loopback), and PgBouncer signs in to PostgreSQL as the user and
	// password of the [databases] line.
	ini := fmt.Sprintf(`[databases]
settle = host=%s port=%s dbname=%s user=%s password=%s

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %s
unix_socket_dir =
auth_type = any
pool_mode = transaction
default_pool_size = %d
max_client_conn = 200
logfile = %s
pidfile =
`, host, port, strings.TrimPrefix(u.Path, "/"), u.User.Username(), pw, listenPort, poolSize, filepath.Join(dir, "pgbouncer.log"))
	cfg := filepath.Join(dir, "pgbouncer.ini")
	if err := os.WriteFile(cfg, []byte(ini), 0o600); err != nil {
		t.Fatal(err)
	}
	if cred != nil {
		if err := os.Chown(cfg, int(cred.Uid), int(cred.Gid)); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(bin, cfg)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	out := &apptest.LogBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	startProcess(t, cmd, addr, func() string {
		b, _ := os.ReadFile(filepath.Join(dir, "pgbouncer.log"))
		return out.String() + string(b)
	})
	return "postgres://settle@" + addr + "/settle?sslmode=disable"
}

// startHAProxy runs HAProxy on addr, balancing HTTP requests round robin
// over the instances.
func startHAProxy(t *testing.T, bin, addr string, ins []*instance) {
	t.Helper()
	var servers strings.Builder
	for _, in := range ins {
		fmt.Fprintf(&servers, "  server %s %s\n", in.name, in.addr)
	}
	cfg := filepath.Join(t.TempDir(), "haproxy.cfg")
	conf := fmt.Sprintf(`global
  maxconn 256

defaults
  mode http
  timeout connect 5s
  timeout client 2m
  timeout server 2m

frontend settle
  bind %s
  default_backend instances

backend instances
  balance roundrobin
%s`, addr, servers.String())
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-db", "-f", cfg) // -db: foreground, logs on stderr
	out := &apptest.LogBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	startProcess(t, cmd, addr, out.String)
}

// startProcess starts cmd, waits until addr accepts connections, and stops
// it when the test ends.
func startProcess(t *testing.T, cmd *exec.Cmd, addr string, logs func() string) {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// exited closes when the process has ended, with its error in waitErr.
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			return
		}
		select {
		case <-exited:
			t.Fatalf("%s exited: %v\n%s", filepath.Base(cmd.Path), waitErr, logs())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s does not listen on %s\n%s", filepath.Base(cmd.Path), addr, logs())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// instance is one `settle serve` process.
type instance struct {
	t               *testing.T
	name, addr, log string
	env             []string
}

func (in *instance) start(bin string) {
	in.t.Helper()
	f, err := os.OpenFile(in.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		in.t.Fatal(err)
	}
	defer f.Close() // the child keeps its own descriptor
	cmd := exec.Command(bin, "serve")
	cmd.Env = in.env
	cmd.Stdout, cmd.Stderr = f, f
	startProcess(in.t, cmd, in.addr, in.logs)
	apptest.WaitReady(in.t, in.addr, time.Minute, nil, in.logs)
}

func (in *instance) logs() string {
	b, _ := os.ReadFile(in.log)
	return string(b)
}
