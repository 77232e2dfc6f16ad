// Package mailpit runs Mailpit, a local SMTP server with a web inbox, and
// reads what it caught through its HTTP API. Tests send real email to it,
// and `settle demo` shows a newcomer every mail the demo sends. Mailpit is
// pinned as a tool in go.mod; it is built by the go command on first use.
package mailpit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
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
	"time"
)

// Version is the Mailpit pinned as a tool in go.mod.
const Version = "v1.33.1"

// EnvBin names a prebuilt mailpit binary to use instead of `go tool mailpit`
// (a machine without the Settle source tree or module cache).
const EnvBin = "MAILPIT_BIN"

const (
	startTimeout = 30 * time.Second
	stopTimeout  = 5 * time.Second
	startTries   = 3
)

// Options change how Mailpit runs; the zero value is a plain SMTP server
// that takes any mail without a login.
type Options struct {
	// TLSCertFile and TLSKeyFile (PEM), both set, make the SMTP server offer
	// STARTTLS with this certificate and accept any user name and password
	// over TLS.
	TLSCertFile, TLSKeyFile string
	// Chaos lets SetChaos make the SMTP server refuse senders, recipients
	// or logins.
	Chaos bool
}

// Server is a running Mailpit.
type Server struct {
	// SMTPAddr is the SMTP listener, 127.0.0.1:port.
	SMTPAddr string
	// WebURL is the web inbox, which also serves the API: http://127.0.0.1:port/.
	WebURL string

	cmd      *exec.Cmd
	exited   chan struct{}
	dir      string
	output   *lockedBuffer
	stopOnce sync.Once
}

// Start runs Mailpit on free loopback ports with its own throwaway
// database, and returns once it answers on both SMTP and HTTP. Stop it with
// Stop.
func Start(ctx context.Context, opts Options) (*Server, error) {
	if (opts.TLSCertFile == "") != (opts.TLSKeyFile == "") {
		return nil, errors.New("start mailpit: TLSCertFile and TLSKeyFile go together")
	}
	bin, err := binary()
	if err != nil {
		return nil, fmt.Errorf("start mailpit: %w", err)
	}
	// A free port is found by binding and releasing it, so another process
	// may take it before Mailpit binds: try again with fresh ports.
	for try := 1; ; try++ {
		s, err := start(ctx, bin, opts)
		if err == nil || try == startTries || ctx.Err() != nil {
			return s, err
		}
	}
}

func start(ctx context.Context, bin string, opts Options) (*Server, error) {
	ports, err := freePorts(2)
	if err != nil {
		return nil, fmt.Errorf("start mailpit: %w", err)
	}
	dir, err := os.MkdirTemp("", "settle-mailpit-")
	if err != nil {
		return nil, fmt.Errorf("start mailpit: %w", err)
	}
	s := &Server{
		SMTPAddr: net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0])),
		WebURL:   "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[1])) + "/",
		exited:   make(chan struct{}),
		dir:      dir,
		output:   &lockedBuffer{},
	}
	args := []string{
		"--smtp", s.SMTPAddr,
		"--listen", strings.TrimSuffix(strings.TrimPrefix(s.WebURL, "http://"), "/"),
		"--database", filepath.Join(dir, "mailpit.db"),
		"--quiet",
		// Nothing here may reach the network: no update check, no reverse
		// DNS of the sender, no remote fonts in the inbox.
		"--disable-version-check",
		"--smtp-disable-rdns",
		"--block-remote-css-and-fonts",
	}
	if opts.TLSCertFile != "" {
		args = append(args, "--smtp-tls-cert", opts.TLSCertFile, "--smtp-tls-key", opts.TLSKeyFile, "--smtp-auth-accept-any")
	}
	if opts.Chaos {
		args = append(args, "--enable-chaos")
	}
	s.cmd = exec.Command(bin, args...)
	s.cmd.Stdout, s.cmd.Stderr = s.output, s.output
	dieWithParent(s.cmd)
	if err := s.cmd.Start(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("start mailpit: %s: %w", bin, err)
	}
	go func() { _ = s.cmd.Wait(); close(s.exited) }()
	if err := s.waitReady(ctx); err != nil {
		_ = s.Stop()
		return nil, fmt.Errorf("start mailpit: %w: %s", err, s.output.String())
	}
	return s, nil
}

// SMTPURL is the SETTLE_SMTP_URL that sends to this Mailpit.
func (s *Server) SMTPURL() string {
	return "smtp://" + s.SMTPAddr
}

// Stop ends Mailpit and removes its database. It may be called more than
// once.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		// An interrupt lets Mailpit close its database; kill if it lingers.
		_ = s.cmd.Process.Signal(os.Interrupt)
		select {
		case <-s.exited:
		case <-time.After(stopTimeout):
			_ = s.cmd.Process.Kill()
			<-s.exited
		}
		_ = os.RemoveAll(s.dir)
	})
	return nil
}

// waitReady polls until Mailpit's HTTP side says ready and its SMTP side
// greets: the two listeners come up independently.
func (s *Server) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	var last error
	for {
		if last = s.ready(ctx); last == nil {
			return nil
		}
		select {
		case <-s.exited:
			return errors.New("exited while starting")
		case <-ctx.Done():
			return fmt.Errorf("not ready within %s: %v", startTimeout, last)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (s *Server) ready(ctx context.Context) error {
	resp, err := s.get(ctx, "readyz")
	if err != nil {
		return err
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("readyz answered %d", resp.StatusCode)
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.SMTPAddr)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(time.Second))
	greeting := make([]byte, 3)
	if _, err := io.ReadFull(conn, greeting); err != nil {
		return fmt.Errorf("smtp greeting: %w", err)
	}
	if string(greeting) != "220" {
		return fmt.Errorf("smtp greeting %q", greeting)
	}
	return nil
}

// Address is a mailbox in a caught message.
type Address struct {
	Name    string
	Address string
}

// Header is what the list and a message both show of a caught message.
type Header struct {
	// ID is Mailpit's id, for Message.
	ID string
	// MessageID is the Message-ID header, without angle brackets.
	MessageID string
	From      Address
	To        []Address
	Subject   string
	// Username is who logged in to send it; empty without a login.
	Username string
}

// Summary is a caught message as the list shows it.
type Summary struct {
	Header
	Created time.Time
}

// Message is a caught message with its bodies.
type Message struct {
	Header
	Date time.Time
	// Text is the text/plain part, HTML the text/html part.
	Text string
	HTML string
}

// Messages lists the caught messages, newest first (at most 500, Mailpit's
// default store size).
func (s *Server) Messages(ctx context.Context) ([]Summary, error) {
	var list struct {
		Messages []Summary `json:"messages"`
	}
	if err := s.getJSON(ctx, "api/v1/messages?limit=500", &list); err != nil {
		return nil, fmt.Errorf("list mailpit messages: %w", err)
	}
	return list.Messages, nil
}

// Message reads one caught message by Mailpit's id.
func (s *Server) Message(ctx context.Context, id string) (Message, error) {
	var m Message
	if err := s.getJSON(ctx, "api/v1/message/"+url.PathEscape(id), &m); err != nil {
		return Message{}, fmt.Errorf("read mailpit message %s: %w", id, err)
	}
	return m, nil
}

// WaitFor polls until a message with this Message-ID header (without angle
// brackets) has arrived, and reads it. The caller's ctx bounds the wait.
func (s *Server) WaitFor(ctx context.Context, messageID string) (Message, error) {
	for {
		list, err := s.Messages(ctx)
		if err != nil {
			return Message{}, err
		}
		for _, m := range list {
			if m.MessageID == messageID {
				return s.Message(ctx, m.ID)
			}
		}
		select {
		case <-ctx.Done():
			return Message{}, fmt.Errorf("wait for message %s: %w", messageID, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Trigger makes the SMTP server answer ErrorCode (400-599) to a step with
// Probability percent chance; 100 always fails, 0 never.
type Trigger struct {
	ErrorCode   int
	Probability int
}

// Chaos says which SMTP steps fail; a zero Trigger never fails.
type Chaos struct {
	Sender         Trigger
	Recipient      Trigger
	Authentication Trigger
}

// SetChaos replaces the failures the SMTP server makes. It needs
// Options.Chaos.
func (s *Server) SetChaos(ctx context.Context, c Chaos) error {
	body, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("set mailpit chaos: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, s.WebURL+"api/v1/chaos", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("set mailpit chaos: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("set mailpit chaos: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("set mailpit chaos: answered %d: %s", resp.StatusCode, bytes.TrimSpace(msg))
	}
	return nil
}

func (s *Server) get(ctx context.Context, path string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.WebURL+path, nil)
	if err != nil {
		return nil, err
	}
	return http.DefaultClient.Do(req)
}

func (s *Server) getJSON(ctx context.Context, path string, v any) error {
	resp, err := s.get(ctx, path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("answered %d: %s", resp.StatusCode, bytes.TrimSpace(msg))
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// freePorts finds n distinct free loopback ports.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		// Kept open until all are found, so the same port is not handed
		// out twice.
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// binary finds mailpit: $MAILPIT_BIN, else the go command's cached build of
// the tool pinned in go.mod (`go tool -n` builds it if needed and prints
// its path without running it, so we run and stop the binary itself, not
// a go process in front of it). It runs once per process.
func binary() (string, error) {
	binOnce.Do(func() { binPath, binErr = findBinary() })
	return binPath, binErr
}

func findBinary() (string, error) {
	if bin := os.Getenv(EnvBin); bin != "" {
		if _, err := os.Stat(bin); err != nil {
			return "", fmt.Errorf("%s: %w", EnvBin, err)
		}
		return bin, nil
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("no %s set and no go command to build the mailpit tool: %w", EnvBin, err)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(goBin, "tool", "-n", "mailpit")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go tool -n mailpit (run inside the Settle source tree, or set %s): %v: %s",
			EnvBin, err, bytes.TrimSpace(stderr.Bytes()))
	}
	bin := strings.TrimSpace(stdout.String())
	if _, err := os.Stat(bin); err != nil {
		return "", fmt.Errorf("go tool -n mailpit printed %q: %w", bin, err)
	}
	return bin, nil
}

// lockedBuffer collects Mailpit's output from exec's copying goroutines,
// keeping the last 16 KiB for error messages.
type lockedBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b = append(l.b, p...)
	if over := len(l.b) - 16<<10; over > 0 {
		l.b = l.b[over:]
	}
	return len(p), nil
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.b)
}
