package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/letters"
)

// cmdLetters draws a day's 14-day letters for many debtors, as the daily
// print run does: batches of letters (each with its short link QR code and
// EPC QR code) drawn by one worker per core, written to files or discarded.
// Only one batch per worker is in memory at a time, so memory stays flat
// however many letters the day has. It reports letters per second, per
// second per core, and the peak memory (heap, and the process's peak RSS).
func cmdLetters(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("letters", flag.ContinueOnError)
	n := fs.Int("n", 100000, "letters (one per debtor)")
	batch := fs.Int("batch", 500, "letters per batch PDF")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "batches drawn at once")
	out := fs.String("out", "", "folder to write the batch PDFs and manifests into (default: discard them)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n < 1 || *batch < 1 || *workers < 1 {
		return errors.New("letters: -n, -batch and -workers must be positive")
	}
	day := time.Date(2026, 4, 30, 0, 0, 0, 0, time.UTC)
	deadline := collect.NoticeDeadline(day, 2, collect.NewCalendar(nil))
	fmt.Printf("letters: %d debtors, batches of %d, %d workers on %d cores\n", *n, *batch, *workers, runtime.NumCPU())

	stopPeak := make(chan struct{})
	peakHeap := watchHeap(stopPeak)
	batches := make(chan int)
	var drawn atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, *workers)
	start := time.Now()
	for range *workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for first := range batches {
				if err := drawBatch(first, min(first+*batch, *n), day, deadline, *out); err != nil {
					errs <- err
					return
				}
				drawn.Add(int64(min(first+*batch, *n) - first))
			}
		}()
	}
	var err error
feed:
	for first := 0; first < *n; first += *batch {
		select {
		case batches <- first:
		case err = <-errs:
			break feed
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(batches)
	wg.Wait()
	elapsed := time.Since(start)
	close(stopPeak)
	if err == nil && len(errs) > 0 {
		err = <-errs
	}
	if err != nil {
		return fmt.Errorf("letters: %w", err)
	}
	rate := float64(drawn.Load()) / elapsed.Seconds()
	cores := min(*workers, runtime.NumCPU())
	fmt.Printf("drew %d letters in %s: %.0f letters/s, %.0f letters/s per core (%d cores busy)\n",
		drawn.Load(), elapsed.Round(time.Millisecond), rate, rate/float64(cores), cores)
	fmt.Printf("peak memory: heap in use %.1f MiB, process RSS (VmHWM) %s\n", float64(<-peakHeap)/(1<<20), peakRSS())
	return nil
}

// drawBatch draws the letters first to last-1 as one batch PDF with its manifest.
func drawBatch(first, last int, day, deadline time.Time, out string) error {
	ns := make([]letters.Notice, 0, last-first)
	for i := first; i < last; i++ {
		ns = append(ns, benchNotice(i, day, deadline))
	}
	pdf, manifest := io.Discard, io.Discard
	if out != "" {
		base := filepath.Join(out, fmt.Sprintf("letters-%s-%06d", day.Format(time.DateOnly), first/(last-first)+1))
		p, err := os.Create(base + ".pdf")
		if err != nil {
			return err
		}
		defer p.Close()
		m, err := os.Create(base + ".csv")
		if err != nil {
			return err
		}
		defer m.Close()
		pdf, manifest = p, m
	}
	return letters.Batch(ns, day, pdf, manifest)
}

// benchNotice is debtor i's letter: one or two invoices, costs by the WIK
// scale, a short link and an RF reference of its own, so that every QR code
// differs.
func benchNotice(i int, day, deadline time.Time) letters.Notice {
	invs := []letters.Invoice{{Number: fmt.Sprintf("2026-%06d", 2*i), Open: int64(5000 + i%50000)}}
	if i%3 == 0 {
		invs = append(invs, letters.Invoice{Number: fmt.Sprintf("2026-%06d", 2*i+1), Open: int64(1000 + i%9000)})
	}
	var open int64
	for _, inv := range invs {
		open += inv.Open
	}
	ref, _ := collect.RFReference(strconv.Itoa(1000 + i))
	code := fmt.Sprintf("%08d", i)
	code = strings.Map(func(r rune) rune { return rune("23456789AB"[r-'0']) }, code)
	return letters.Notice{
		Number: fmt.Sprintf("%s-%06d", day.Format("2006-0102"), i+1), Lang: []string{"nl", "en"}[i%2], Date: day, Deadline: deadline,
		Creditor: letters.Creditor{Name: "Zonnestroom Energie", Phone: "020 123 45 67", PhoneHours: "op werkdagen van 9:00 tot 17:00",
			Email: "klant@zonnestroom.example", IBAN: "NL91ABNA0417164300", BIC: "ABNANL2A",
			Address: collect.Address{Street: "Keizersgracht", HouseNumber: "100", Postcode: "1015 AA", City: "Amsterdam"}},
		Debtor: letters.Debtor{Name: fmt.Sprintf("Debiteur %d", i),
			Address: collect.Address{Street: "Dorpsstraat", HouseNumber: strconv.Itoa(1 + i%200), Postcode: fmt.Sprintf("%04d AB", 1000+i%9000), City: "Deventer"}},
		Invoices: invs, Open: open, Costs: collect.WIKCosts(open), Reference: ref,
		ShortLink: "https://settle.example/b/" + code[:4] + "-" + code[4:],
		HelpPhone: "0800 8115", HelpSite: "https://www.geldfit.nl",
	}
}

// watchHeap samples the heap in use until stop closes, then sends the peak.
func watchHeap(stop <-chan struct{}) <-chan uint64 {
	peak := make(chan uint64, 1)
	go func() {
		var top uint64
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapInuse > top {
				top = m.HeapInuse
			}
			select {
			case <-stop:
				peak <- top
				return
			case <-t.C:
			}
		}
	}()
	return peak
}

// peakRSS is the process's peak resident memory as Linux reports it.
func peakRSS() string {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, l := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
