package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/gob"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// webhookShot is what the load generator fires: the signed bodies and
// their headers, and the order of the posts (indexes into both).
type webhookShot struct {
	URL     string
	Conns   int
	Bodies  [][]byte
	Headers []string
	Order   []int
}

// webhookShotResult is what the load generator saw.
type webhookShotResult struct {
	Fired                     time.Duration
	Latencies                 []time.Duration
	Accepted, Refused, Failed int64
	FirstProblem              string
}

// fireFromChild runs the posts from a child process (settle-bench
// webhooks-client), so that the HTTP client's CPU is not counted as the
// server's; it returns the child's result and the CPU it used.
func fireFromChild(ctx context.Context, s webhookShot) (webhookShotResult, time.Duration, error) {
	var res webhookShotResult
	in, err := os.CreateTemp("", "settle-bench-shot-")
	if err != nil {
		return res, 0, err
	}
	defer os.Remove(in.Name())
	if err := gob.NewEncoder(in).Encode(s); err != nil {
		in.Close()
		return res, 0, err
	}
	if err := in.Close(); err != nil {
		return res, 0, err
	}
	self, err := os.Executable()
	if err != nil {
		return res, 0, err
	}
	cmd := exec.CommandContext(ctx, self, "webhooks-client", in.Name())
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return res, 0, fmt.Errorf("load generator: %w", err)
	}
	if err := gob.NewDecoder(bytes.NewReader(out)).Decode(&res); err != nil {
		return res, 0, fmt.Errorf("load generator's answer: %w", err)
	}
	return res, cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), nil
}

// cmdWebhooksClient is the child side of fireFromChild: it reads a
// webhookShot from the file named in args, fires it and writes the result
// to stdout.
func cmdWebhooksClient(ctx context.Context, args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("webhooks-client: want the shot's file")
	}
	f, err := os.Open(args[0])
	if err != nil {
		return err
	}
	var s webhookShot
	err = gob.NewDecoder(f).Decode(&s)
	f.Close()
	if err != nil {
		return err
	}
	res := fire(ctx, s)
	return gob.NewEncoder(os.Stdout).Encode(res)
}

// fire sends the posts over s.Conns keep-alive connections. Each request
// is written out in full before the clock starts, and the answers are read
// with as little parsing as HTTP/1.1 allows: net/http's client cost 0.07 ms
// of CPU per post, a third of the server's, and took it from the same two
// cores the server is measured on.
func fire(ctx context.Context, s webhookShot) webhookShotResult {
	u, err := url.Parse(s.URL)
	if err != nil {
		return webhookShotResult{Failed: int64(len(s.Order)), FirstProblem: err.Error()}
	}
	reqs := make([][]byte, len(s.Bodies))
	for i, b := range s.Bodies {
		reqs[i] = append(fmt.Appendf(nil, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nStripe-Signature: %s\r\nContent-Length: %d\r\n\r\n",
			u.RequestURI(), u.Host, s.Headers[i], len(b)), b...)
	}
	per := make([][]time.Duration, s.Conns)
	var next, accepted, refused, failed atomic.Int64
	var firstProblem atomic.Value
	began := time.Now()
	var wg sync.WaitGroup
	for w := range s.Conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var conn net.Conn
			var br *bufio.Reader
			defer func() {
				if conn != nil {
					conn.Close()
				}
			}()
			for ctx.Err() == nil {
				k := int(next.Add(1) - 1)
				if k >= len(s.Order) {
					return
				}
				ev := s.Order[k]
				t := time.Now()
				if conn == nil {
					c, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
					if err != nil {
						failed.Add(1)
						firstProblem.CompareAndSwap(nil, err.Error())
						continue
					}
					conn, br = c, bufio.NewReaderSize(c, 4096)
				}
				_ = conn.SetDeadline(t.Add(30 * time.Second))
				status, body, keep, err := post(conn, br, reqs[ev])
				if err != nil {
					conn.Close()
					conn = nil
					failed.Add(1)
					firstProblem.CompareAndSwap(nil, err.Error())
					continue
				}
				per[w] = append(per[w], time.Since(t))
				if status == http.StatusOK {
					accepted.Add(1)
				} else {
					refused.Add(1)
					firstProblem.CompareAndSwap(nil, fmt.Sprintf("status %d: %s", status, body))
				}
				if !keep {
					conn.Close()
					conn = nil
				}
			}
		}()
	}
	wg.Wait()
	r := webhookShotResult{Fired: time.Since(began), Latencies: latencies(per),
		Accepted: accepted.Load(), Refused: refused.Load(), Failed: failed.Load()}
	if p, ok := firstProblem.Load().(string); ok {
		r.FirstProblem = p
	}
	return r
}

// post writes one prepared request and reads its answer: the status, the
// body, and whether the connection stays open. The server always answers
// with a Content-Length; anything else is an error.
func post(conn net.Conn, br *bufio.Reader, req []byte) (status int, body []byte, keepAlive bool, err error) {
	if _, err := conn.Write(req); err != nil {
		return 0, nil, false, err
	}
	line, err := br.ReadSlice('\n')
	if err != nil {
		return 0, nil, false, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, nil, false, fmt.Errorf("not an HTTP answer: %q", line)
	}
	if status, err = strconv.Atoi(string(line[9:12])); err != nil {
		return 0, nil, false, fmt.Errorf("status line %q", line)
	}
	length, keepAlive := -1, line[7] == '1'
	for {
		h, err := br.ReadSlice('\n')
		if err != nil {
			return 0, nil, false, err
		}
		h = bytes.TrimRight(h, "\r\n")
		if len(h) == 0 {
			break
		}
		name, value, ok := bytes.Cut(h, []byte(":"))
		if !ok {
			return 0, nil, false, fmt.Errorf("header line %q", h)
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil || length < 0 {
				return 0, nil, false, fmt.Errorf("Content-Length %q", value)
			}
		case bytes.EqualFold(name, []byte("Connection")):
			keepAlive = !bytes.EqualFold(value, []byte("close"))
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			return 0, nil, false, fmt.Errorf("Transfer-Encoding %q: want a Content-Length", value)
		}
	}
	if length < 0 {
		return 0, nil, false, fmt.Errorf("answer %d without a Content-Length", status)
	}
	body = make([]byte, length)
	if _, err := io.ReadFull(br, body); err != nil {
		return 0, nil, false, err
	}
	return status, body, keepAlive, nil
}
