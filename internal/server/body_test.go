package server_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/settle/settle/internal/portal"
	"github.com/settle/settle/internal/postgres/pgtest"
	"github.com/settle/settle/internal/server"
)

// TestBodyLimits: 64 KiB for forms and webhooks, 1 MiB for the API, more only
// for the uploads; over the limit is 413 with a message naming it, whether
// the body says its length or comes chunked (chunked bodies, which app.Test
// cannot send, are in TestOversizedBodiesKeepMemoryFlat).
func TestBodyLimits(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "http://settle.test")
	form := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	jsonBody := http.Header{"Content-Type": {"application/json"}, "Authorization": {"Bearer " + e.apiKey}}
	over := func(n int) []byte { return []byte("id=" + strings.Repeat("a", n-2)) } // n+1 bytes
	debtor := func(n int) []byte {
		b, _ := json.Marshal(map[string]string{"external_ref": "K-big", "name": "Grote Klant", "note": strings.Repeat("a", n)})
		return b
	}

	cases := []struct {
		what, path string
		header     http.Header
		body       io.Reader
		want       int // 0: anything but 413
		message    string
	}{
		{"webhook over 64 KiB", "/webhooks/mollie", form, bytes.NewReader(over(server.FormLimit)), 413, "64 KiB"},
		{"webhook at the limit", "/webhooks/mollie", form, bytes.NewReader(over(server.FormLimit - 1)), 0, ""},
		{"portal form over 64 KiB", "/verify", form, bytes.NewReader(over(server.FormLimit)), 413, "64 KiB"},
		{"console form over 64 KiB", "/console/login", form, bytes.NewReader(over(server.FormLimit)), 413, "64 KiB"},
		{"API over 1 MiB", "/api/v1/debtors", jsonBody, bytes.NewReader(debtor(server.APILimit)), 413, "1 MiB"},
		{"API over 64 KiB", "/api/v1/debtors", jsonBody, bytes.NewReader(debtor(200 << 10)), 0, ""},
	}
	for _, tc := range cases {
		r := e.client().send(http.MethodPost, tc.path, tc.body, tc.header)
		switch {
		case tc.want == 0 && r.Status == http.StatusRequestEntityTooLarge:
			t.Errorf("%s: 413, want it read", tc.what)
		case tc.want != 0 && r.Status != tc.want:
			t.Errorf("%s: status %d, want %d", tc.what, r.Status, tc.want)
		case !strings.Contains(r.Body, tc.message):
			t.Errorf("%s: body %.300q does not name the limit %q", tc.what, r.Body, tc.message)
		}
		if tc.want == 413 && !r.Close {
			t.Errorf("%s: the connection stays open, want Connection: close (the rest of the body is unread)", tc.what)
		}
		if strings.HasPrefix(tc.path, "/api/") && tc.want == 413 && !strings.Contains(r.Body, `"code":"too_large"`) {
			t.Errorf("%s: %s, want the API's JSON error too_large", tc.what, r.Body)
		}
	}

	// The uploads take more than 64 KiB, and read it as a stream.
	c := e.client()
	e.signIn(c, e.debtors[0])
	c.get("/invoices/" + e.invoices[0].ID + "/dispute")
	scan := append(append([]byte{}, pdf...), bytes.Repeat([]byte{' '}, 300<<10)...)
	r := c.postMultipart("/invoices/"+e.invoices[0].ID+"/dispute", field{name: "_csrf", data: []byte(c.csrf)},
		field{name: "reason", data: []byte("paid")}, field{name: "evidence", filename: "scan.pdf", data: scan})
	wantStatus(t, "dispute with a 300 KiB file", r, http.StatusOK)
	ds, err := e.db.Disputes(e.ctx, e.creditor.ID, e.debtors[0].ID)
	if err != nil || len(ds) != 1 || len(ds[0].Files) != 1 || ds[0].Files[0].Size != len(scan) {
		t.Fatalf("disputes %+v, %v: want one with the 300 KiB file", ds, err)
	}
	c.get("/invoices/" + e.invoices[1].ID)
	big := append(append([]byte{}, pdf...), bytes.Repeat([]byte{' '}, portal.MaxDisputeBody)...)
	body, ct := multipartBody(t, field{name: "_csrf", data: []byte(c.csrf)}, field{name: "reason", data: []byte("paid")},
		field{name: "evidence", filename: "a.pdf", data: big})
	r = c.send(http.MethodPost, "/invoices/"+e.invoices[0].ID+"/dispute", body, http.Header{"Content-Type": {ct}})
	wantStatus(t, "dispute over the upload limit", r, http.StatusRequestEntityTooLarge)

	a := e.client()
	e.signInConsole(a)
	a.get("/console/finance")
	statement := []byte("<?xml version=\"1.0\"?>\n<Document>" + strings.Repeat("<!-- padding -->", 10<<10) + "<Broken>")
	r = a.postMultipart("/console/finance/import", field{name: "_csrf", data: []byte(a.csrf)}, field{name: "creditor", data: []byte(e.creditor.ID)},
		field{name: "statement", filename: "camt.xml", data: statement})
	wantStatus(t, "a 160 KiB malformed statement (read, then refused by the parser)", r, http.StatusUnprocessableEntity)
	if !strings.Contains(r.Body, "not imported") {
		t.Errorf("statement refusal: %.500s", r.Body)
	}
}

// rss reads a line of /proc/<pid>/status in bytes: VmRSS now, VmHWM the peak.
func rss(t *testing.T, pid int, field string) int64 {
	t.Helper()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}

// serve builds the real binary and runs `settle serve` on the test's
// database, so the memory measured is the server's alone (and not that of a
// race-instrumented test binary). It returns the address and the process id.
func serve(t *testing.T, databaseURL string) (string, int) {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "settle")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/settle/settle/cmd/settle").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "serve")
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SETTLE_") && !strings.HasPrefix(kv, "DATABASE_URL=") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, "DATABASE_URL="+databaseURL, "SETTLE_ADDR="+addr, "SETTLE_DATA_DIR="+dir,
		"SETTLE_SIGNING_KEY=server-test-signing-key-of-32-bytes!", "SETTLE_LOG_LEVEL=error")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	})
	for range 600 { // up to a minute for the server to come up
		if r, err := http.Get("http://" + addr + "/healthz"); err == nil {
			r.Body.Close()
			return addr, cmd.Process.Pid
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("settle serve did not come up:\n%s", logs.String())
	return "", 0
}

// post sends one oversized request over a raw connection, the body written
// as fast as the server takes it, and returns the status and body of the
// answer, which may come before the body is sent.
// A statement upload is a multipart form: only then does its route take the
// large streamed limit (any other post there is a small form).
func oversizedPost(addr, path string, size int64, chunkedBody bool) (int, string, error) {
	contentType := "application/x-www-form-urlencoded"
	if path == "/console/finance/import" {
		contentType = "multipart/form-data; boundary=settle-probe"
	}
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return 0, "", err
	}
	defer conn.Close()
	// A safety net so a broken server cannot hang the suite, not a timing assertion.
	conn.SetDeadline(time.Now().Add(2 * time.Minute))
	head := "POST " + path + " HTTP/1.1\r\nHost: settle.test\r\nContent-Type: " + contentType + "\r\n"
	if chunkedBody {
		head += "Transfer-Encoding: chunked\r\n\r\n"
	} else {
		head += "Content-Length: " + strconv.FormatInt(size, 10) + "\r\n\r\n"
	}
	if _, err := io.WriteString(conn, head); err != nil {
		return 0, "", err
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		block := bytes.Repeat([]byte{'a'}, 64<<10)
		if chunkedBody {
			block = append(append([]byte(fmt.Sprintf("%x\r\n", len(block))), block...), "\r\n"...)
		}
		for sent := int64(0); sent < size; sent += 64 << 10 {
			if _, err := conn.Write(block); err != nil {
				return // the server answered and closed: the rest is not wanted
			}
		}
		if chunkedBody {
			io.WriteString(conn, "0\r\n\r\n")
		}
	}()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0, "", err
	}
	body, _ := io.ReadAll(resp.Body)
	conn.Close()
	<-done
	return resp.StatusCode, string(body), nil
}

// TestOversizedBodiesKeepMemoryFlat: 16 parallel posts of 63 MB (the probe
// that took the server from 801 MB to 2,070 MB), then 16 chunked ones, to the
// real server on a real socket, each answered 413 while the process's peak
// RSS of the `settle serve` process stays under 300 MB.
func TestOversizedBodiesKeepMemoryFlat(t *testing.T) {
	t.Parallel()
	_, databaseURL := pgtest.New(t)
	addr, pid := serve(t, databaseURL)

	const probe = 63_000_000
	type post struct {
		path    string
		size    int64
		chunked bool
		message string
	}
	var posts []post
	paths := []string{"/webhooks/mollie", "/webhooks/mollie", "/webhooks/mollie", "/webhooks/mollie", "/webhooks/mollie", "/webhooks/mollie",
		"/webhooks/stripe", "/webhooks/stripe", "/api/v1/debtors", "/api/v1/invoices", "/verify", "/console/login", "/language",
		"/invoices/x/dispute"}
	for _, p := range paths {
		posts = append(posts, post{p, probe, false, ""})
	}
	posts = append(posts, post{"/api/v1/bank-statements", 70_000_000, false, "settle import camt FILE"},
		post{"/console/finance/import", 70_000_000, false, "settle import camt FILE"})
	for i := range 16 {
		posts = append(posts, post{[]string{"/webhooks/mollie", "/api/v1/debtors"}[i%2], probe, true, ""})
	}

	before := rss(t, pid, "VmRSS")
	for round, batch := range [][]post{posts[:16], posts[16:]} {
		var wg sync.WaitGroup
		for _, p := range batch {
			wg.Add(1)
			go func() {
				defer wg.Done()
				status, body, err := oversizedPost(addr, p.path, p.size, p.chunked)
				switch {
				case err != nil:
					t.Errorf("round %d, %s: %v", round, p.path, err)
				case status != http.StatusRequestEntityTooLarge:
					t.Errorf("round %d, %s: status %d, want 413", round, p.path, status)
				case !strings.Contains(body, p.message):
					t.Errorf("round %d, %s: %q does not say %q", round, p.path, body, p.message)
				}
			}()
		}
		wg.Wait()
	}
	peak := rss(t, pid, "VmHWM")
	t.Logf("server RSS before %d MB, peak %d MB (32 oversized posts)", before>>20, peak>>20)
	if peak > 300<<20 {
		t.Errorf("peak RSS of the server %d MB with 32 oversized posts, want under 300 MB", peak>>20)
	}
	// The server still answers after the burst.
	r, err := http.PostForm("http://"+addr+"/webhooks/mollie", url.Values{"id": {"tr_unknown"}})
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode == http.StatusRequestEntityTooLarge || r.StatusCode >= 500 {
		t.Errorf("webhook after the burst: status %d", r.StatusCode)
	}
}
