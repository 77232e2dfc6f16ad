package main

import (
	"bytes"
	"context"
	"encoding/gob"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
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

func fire(ctx context.Context, s webhookShot) webhookShotResult {
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns: s.Conns, MaxIdleConnsPerHost: s.Conns, MaxConnsPerHost: s.Conns, IdleConnTimeout: time.Minute}}
	per := make([][]time.Duration, s.Conns)
	var next, accepted, refused, failed atomic.Int64
	var firstProblem atomic.Value
	began := time.Now()
	var wg sync.WaitGroup
	for w := range s.Conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k := int(next.Add(1) - 1)
				if k >= len(s.Order) {
					return
				}
				ev := s.Order[k]
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(s.Bodies[ev]))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Stripe-Signature", s.Headers[ev])
				t := time.Now()
				res, err := client.Do(req)
				if err != nil {
					failed.Add(1)
					firstProblem.CompareAndSwap(nil, err.Error())
					continue
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				per[w] = append(per[w], time.Since(t))
				if res.StatusCode == http.StatusOK {
					accepted.Add(1)
				} else {
					refused.Add(1)
					firstProblem.CompareAndSwap(nil, fmt.Sprintf("status %d: %s", res.StatusCode, body))
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
