package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { apptest.Main(m) }

// postgresProcesses lists the processes whose command line mentions one of
// dirs and postgres.
func postgresProcesses(t *testing.T, dirs ...string) []string {
	t.Helper()
	return processes(t, func(argv0, cmdline string) bool {
		for _, d := range dirs {
			if d != "" && strings.Contains(cmdline, d) && strings.Contains(cmdline, "postgres") {
				return true
			}
		}
		return false
	})
}

// processes lists the running processes whose first argument and command
// line (arguments joined by spaces) match, as "<pid>: <command line>".
func processes(t *testing.T, match func(argv0, cmdline string) bool) []string {
	t.Helper()
	procs, err := filepath.Glob("/proc/[0-9]*/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err != nil || len(b) == 0 {
			continue // gone, or a kernel thread
		}
		argv0, _, _ := strings.Cut(string(b), "\x00")
		if cmdline := strings.ReplaceAll(string(b), "\x00", " "); match(argv0, cmdline) {
			found = append(found, filepath.Base(filepath.Dir(p))+": "+cmdline)
		}
	}
	return found
}

// pgDir is the data directory the binary uses for its local PostgreSQL,
// following devpg's pointer file when it had to relocate it.
func pgDir(dataDir string) string {
	dir := filepath.Join(dataDir, "pg")
	if b, err := os.ReadFile(filepath.Join(dir, "settle-datadir")); err == nil {
		return strings.TrimSpace(string(b))
	}
	return dir
}

type demoFile struct {
	BaseURL   string `json:"base_url"`
	Creditors []struct {
		ID     string `json:"id"`
		Name   string `json:"name"`
		APIKey string `json:"api_key"`
	} `json:"creditors"`
	Debtors []struct {
		ID           string            `json:"id"`
		CreditorID   string            `json:"creditor_id"`
		Name         string            `json:"name"`
		Link         string            `json:"link"`
		SecondFactor map[string]string `json:"second_factor"`
	} `json:"debtors"`
}

// TestDemoEndToEnd starts `settle demo` with no DATABASE_URL, so it runs its
// own PostgreSQL, calls the API, stops it with SIGTERM and checks that no
// PostgreSQL is left behind.
func TestDemoEndToEnd(t *testing.T) {
	bin := apptest.BuildSettle(t)
	dataDir := filepath.Join(t.TempDir(), "data")
	addr := apptest.FreeAddr(t)
	base := "http://" + addr
	logs := filepath.Join(t.TempDir(), "settle.log")
	logFile, err := os.Create(logs)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	cmd := exec.Command(bin, "demo")
	cmd.Env = apptest.CleanEnv("SETTLE_DATA_DIR="+dataDir, "SETTLE_ADDR="+addr)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stopped := false
	t.Cleanup(func() {
		if stopped {
			return
		}
		// The test failed half-way: stop the binary, and the PostgreSQL it
		// started if it could not stop it itself.
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(60 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if b, err := os.ReadFile(filepath.Join(pgDir(dataDir), "postmaster.pid")); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0])); err == nil && pid > 0 {
				_ = syscall.Kill(pid, syscall.SIGINT) // fast shutdown of our own postmaster
			}
		}
	})
	showLogs := func() string {
		b, _ := os.ReadFile(logs)
		return string(b)
	}

	client := &http.Client{Timeout: 5 * time.Second}
	// A patient deadline, not a speed check: initdb, migrations and the demo
	// data share two cores with the rest of the suite.
	deadline := time.Now().Add(4 * time.Minute)
	for {
		res, err := client.Get(base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case err := <-exited:
			stopped = true
			t.Fatalf("settle demo exited before it was ready: %v\n%s", err, showLogs())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz not ready within 4 minutes\n%s", showLogs())
		}
		time.Sleep(200 * time.Millisecond)
	}

	// /readyz answers as soon as the server listens; demo.json is written
	// before that, but read it patiently anyway.
	var demo demoFile
	for {
		b, err := os.ReadFile(filepath.Join(dataDir, "demo.json"))
		if err == nil && json.Unmarshal(b, &demo) == nil && len(demo.Debtors) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no usable demo.json: %v\n%s", err, showLogs())
		}
		time.Sleep(200 * time.Millisecond)
	}
	if demo.BaseURL != base || len(demo.Creditors) < 2 || len(demo.Debtors) < 6 {
		t.Errorf("demo.json: base_url %q (want %q), %d creditors, %d debtors", demo.BaseURL, base, len(demo.Creditors), len(demo.Debtors))
	}
	keys := map[string]string{}
	for _, c := range demo.Creditors {
		keys[c.ID] = c.APIKey
	}
	get := func(path, key string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Authorization", "Bearer "+key)
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("GET %s: %d, not JSON: %s", path, res.StatusCode, raw)
		}
		return res.StatusCode, m
	}
	for _, d := range demo.Debtors {
		key := keys[d.CreditorID]
		if key == "" {
			t.Errorf("debtor %s: creditor %s is not in demo.json", d.Name, d.CreditorID)
			continue
		}
		status, m := get("/api/v1/debtors/"+d.ID, key)
		if status != http.StatusOK || m["id"] != d.ID || m["name"] != d.Name {
			t.Errorf("GET debtor %s: %d %v", d.Name, status, m)
		}
		if invoices, _ := m["invoices"].([]any); len(invoices) == 0 {
			t.Errorf("demo debtor %s has no invoices", d.Name)
		}
		if !strings.HasPrefix(d.Link, base+"/l/") || len(d.SecondFactor) == 0 {
			t.Errorf("demo debtor %s: link %q, second factor %v", d.Name, d.Link, d.SecondFactor)
		}
		for id, other := range keys {
			if id != d.CreditorID {
				if status, _ := get("/api/v1/debtors/"+d.ID, other); status != http.StatusNotFound {
					t.Errorf("another creditor's key reached demo debtor %s: %d", d.Name, status)
				}
			}
		}
	}

	checkDemoOutreach(t, client, base, demo.Creditors[0].APIKey, showLogs)

	dir := pgDir(dataDir)
	if _, err := os.Stat(filepath.Join(dir, "postmaster.pid")); err != nil {
		t.Errorf("no postmaster.pid in %s while running: %v", dir, err)
	}
	if len(postgresProcesses(t, dataDir, dir)) == 0 {
		t.Errorf("no postgres process mentions %s while running", dir)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		stopped = true
		if err != nil {
			t.Errorf("settle demo exited with %v after SIGTERM\n%s", err, showLogs())
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("settle demo did not exit within 60s of SIGTERM\n%s", showLogs())
	}
	// The postmaster is a grandchild: give its children a moment to go.
	var left []string
	for range 50 {
		if left = postgresProcesses(t, dataDir, dir); len(left) == 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(left) > 0 {
		t.Errorf("PostgreSQL processes left behind:\n%s", strings.Join(left, "\n"))
	}
	if _, err := os.Stat(filepath.Join(dir, "postmaster.pid")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("postmaster.pid still there after exit: %v", err)
	}
	if !strings.Contains(showLogs(), "stopped PostgreSQL") && testing.Verbose() {
		t.Logf("logs:\n%s", showLogs())
	}
}

func TestCreditorAddJSON(t *testing.T) {
	bin := apptest.BuildSettle(t)
	_, url := pgtest.New(t)
	cmd := exec.Command(bin, "creditor", "add", "--name", "Energie Noord B.V.", "--json")
	cmd.Env = apptest.CleanEnv("DATABASE_URL="+url, "SETTLE_DATA_DIR="+filepath.Join(t.TempDir(), "data"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("settle creditor add: %v\n%s", err, stderr.String())
	}
	var out map[string]string
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("stdout is not one JSON object: %v: %q", err, stdout.String())
	}
	if len(out) != 2 || out["id"] == "" || !strings.HasPrefix(out["api_key"], "stl_") {
		t.Fatalf("stdout %v, want exactly id and api_key", out)
	}
	ctx := context.Background()
	db, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c, err := db.CreditorByAPIKey(ctx, out["api_key"])
	if err != nil || c.ID != out["id"] || c.Name != "Energie Noord B.V." {
		t.Errorf("the printed key finds %+v, %v; want creditor %s", c, err, out["id"])
	}

	// Without --name it is a usage error.
	cmd = exec.Command(bin, "creditor", "add", "--json")
	cmd.Env = apptest.CleanEnv("DATABASE_URL="+url, "SETTLE_DATA_DIR="+filepath.Join(t.TempDir(), "data"))
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "--name is required") {
		t.Errorf("creditor add without --name: %v: %s", err, out)
	}
}

// TestMigrateWithoutPostgreSQL runs `settle migrate` where no PostgreSQL
// server binaries can be found and no DATABASE_URL is set: it must fail with
// one line that says what to do.
func TestMigrateWithoutPostgreSQL(t *testing.T) {
	bin := apptest.BuildSettle(t)
	emptyPath := t.TempDir()
	env := apptest.CleanEnv("SETTLE_DATA_DIR="+filepath.Join(t.TempDir(), "data"), "PATH="+emptyPath)
	cmd := exec.Command(bin, "migrate")
	// devpg also looks in /usr/lib/postgresql/*/bin when PATH has nothing.
	// Hide that directory in a private mount namespace when it exists.
	if dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb"); len(dirs) > 0 {
		unshare, err := exec.LookPath("unshare")
		if err != nil {
			t.Skip("PostgreSQL is installed under /usr/lib/postgresql and unshare is missing: cannot hide it")
		}
		mount, err := exec.LookPath("mount")
		if err != nil {
			t.Skip("PostgreSQL is installed under /usr/lib/postgresql and mount is missing: cannot hide it")
		}
		// PATH is empty inside, so every command is named by its full path.
		hide := []string{"--mount", "--propagation", "private", "/bin/sh", "-c", mount + " -t tmpfs none /usr/lib/postgresql && exec \"$0\" \"$@\""}
		if out, err := exec.Command(unshare, append(hide, "/bin/true")...).CombinedOutput(); err != nil {
			t.Skipf("PostgreSQL is installed under /usr/lib/postgresql and cannot be hidden (%v: %s)", err, out)
		}
		cmd = exec.Command(unshare, append(hide, bin, "migrate")...)
	}
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() == 0 {
		t.Fatalf("settle migrate without PostgreSQL: %v, want a non-zero exit\nstdout %s\nstderr %s", err, stdout.String(), stderr.String())
	}
	msg := strings.TrimRight(stderr.String(), "\n")
	if strings.Count(msg, "\n") != 0 || !strings.Contains(msg, "DATABASE_URL") || !strings.Contains(msg, "PostgreSQL") {
		t.Errorf("stderr %q: want one line naming PostgreSQL and DATABASE_URL", stderr.String())
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout %q, want nothing", stdout.String())
	}
	t.Logf("stderr: %s", msg)
}

// checkDemoOutreach moves the running demo's clock through the API (and not
// back) and waits for a mail the demo sent to arrive in the Mailpit it
// printed: moved weeks ahead, to a Tuesday morning, reminders are due.
func checkDemoOutreach(t *testing.T, client *http.Client, base, key string, logs func() string) {
	t.Helper()
	inbox := regexp.MustCompile(`arrives in Mailpit at (http://\S+)`).FindStringSubmatch(logs())
	if inbox == nil || !strings.Contains(logs(), base+"/console/demo") {
		t.Fatalf("the demo printed no Mailpit inbox or SMS outbox:\n%s", logs())
	}
	move := func(body string) (int, string) {
		req, _ := http.NewRequest("POST", base+"/api/v1/demo/clock", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(raw)
	}
	ams, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	to := time.Now().In(ams).AddDate(0, 0, 40)
	for to.Weekday() != time.Tuesday {
		to = to.AddDate(0, 0, 1)
	}
	to = time.Date(to.Year(), to.Month(), to.Day(), 10, 0, 0, 0, ams)
	if status, body := move(`{"to":"` + to.Format(time.RFC3339) + `"}`); status != http.StatusOK || !strings.Contains(body, to.Format("2006-01-02T10:00")) {
		t.Fatalf("move the demo clock to %v: %d %s", to, status, body)
	}
	if status, body := move(`{"to":"2020-01-01T10:00:00+01:00"}`); status != http.StatusConflict {
		t.Errorf("move the demo clock back: %d %s, want 409", status, body)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		res, err := client.Get(inbox[1] + "api/v1/messages")
		if err == nil {
			var list struct {
				Total int `json:"total"`
			}
			err = json.NewDecoder(res.Body).Decode(&list)
			res.Body.Close()
			if err == nil && list.Total > 0 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no mail in the demo's Mailpit %s within 2 minutes of moving the clock (%v)\n%s", inbox[1], err, logs())
		}
		time.Sleep(500 * time.Millisecond)
	}
}
