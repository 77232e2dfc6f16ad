package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// percentile of sorted durations, nearest rank.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p/100*float64(len(sorted))+0.5) - 1
	i = max(0, min(i, len(sorted)-1))
	return sorted[i]
}

// latencies merges per-worker samples and sorts them.
func latencies(per [][]time.Duration) []time.Duration {
	var all []time.Duration
	for _, p := range per {
		all = append(all, p...)
	}
	slices.Sort(all)
	return all
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

// cpu is CPU time used so far by this process (server and Go load
// generator), by the PostgreSQL cluster under test and by the whole machine,
// for a rough split of where the cores went during a phase. Best effort:
// Linux /proc only.
type cpu struct {
	self, pg, machine time.Duration
	at                time.Time
}

func cpuNow() cpu {
	c := cpu{at: time.Now()}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		c.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	c.pg = pgCPU()
	c.machine = machineCPU()
	return c
}

// machineCPU is the busy time of all cores together, from /proc/stat.
func machineCPU() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 8 || f[0] != "cpu" {
		return 0
	}
	var busy int64
	for k, v := range f[1:] {
		if k == 3 || k == 4 { // idle, iowait
			continue
		}
		if k >= 7 { // steal, then guest time already counted in user
			if k == 7 {
				n, _ := strconv.ParseInt(v, 10, 64)
				busy += n
			}
			continue
		}
		n, _ := strconv.ParseInt(v, 10, 64)
		busy += n
	}
	return time.Duration(busy) * (time.Second / 100)
}

// pgPostmaster is the postmaster of the cluster under test (0 when the
// database is elsewhere); its children are the backends whose CPU is counted.
var pgPostmaster int

func setPostmaster(dataDir string) {
	b, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		return
	}
	line, _, _ := strings.Cut(string(b), "\n")
	pgPostmaster, _ = strconv.Atoi(strings.TrimSpace(line))
}

// pgCPU sums utime+stime of the postmaster and its live children.
func pgCPU() time.Duration {
	if pgPostmaster == 0 {
		return 0
	}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var ticks int64
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		s := string(b)
		end := strings.LastIndexByte(s, ')')
		if end < 0 {
			continue
		}
		pid, _ := strconv.Atoi(strings.Fields(s)[0])
		// After the comm: state, ppid, ..., utime (14th field of the line), stime (15th).
		fields := strings.Fields(s[end+1:])
		if len(fields) < 13 {
			continue
		}
		if ppid, _ := strconv.Atoi(fields[1]); pid != pgPostmaster && ppid != pgPostmaster {
			continue
		}
		u, _ := strconv.ParseInt(fields[11], 10, 64)
		st, _ := strconv.ParseInt(fields[12], 10, 64)
		ticks += u + st
	}
	return time.Duration(ticks) * (time.Second / 100) // USER_HZ is 100 on Linux
}

// cpuPerOp is the CPU time this process, the cluster and other (wrk) spent
// per operation between a and b: unlike throughput, it hardly depends on how
// busy other work kept the machine.
func cpuPerOp(a, b cpu, other time.Duration, ops int64) string {
	if ops <= 0 {
		return ""
	}
	per := func(d time.Duration) string { return fmt.Sprintf("%.2f ms", d.Seconds()*1000/float64(ops)) }
	total := b.self - a.self + b.pg - a.pg + other
	s := fmt.Sprintf("CPU per request: %s (Go process %s, postgres %s", per(total), per(b.self-a.self), per(b.pg-a.pg))
	if other > 0 {
		s += ", wrk " + per(other)
	}
	ms := total.Seconds() * 1000 / float64(ops)
	return s + fmt.Sprintf(") => at most %.0f req/s on %d dedicated cores", float64(numCPU())*1000/ms, numCPU())
}

// goCPUPerOp is this process's CPU in milliseconds per operation.
func goCPUPerOp(a, b cpu, ops int64) float64 {
	if ops <= 0 {
		return 0
	}
	return (b.self - a.self).Seconds() * 1000 / float64(ops)
}

// acquiresPerOp is how many pool connections one operation took.
func acquiresPerOp(before, after *pgxpool.Stat, ops int64) float64 {
	if ops <= 0 {
		return 0
	}
	return float64(after.AcquireCount()-before.AcquireCount()) / float64(ops)
}

// cpuSplit says how busy each party kept the machine's cores between a and b.
func cpuSplit(a, b cpu, other time.Duration, otherName string) string {
	wall := b.at.Sub(a.at).Seconds()
	if wall <= 0 {
		return ""
	}
	pct := func(d time.Duration) float64 { return d.Seconds() / wall * 100 }
	s := fmt.Sprintf("CPU (%% of one core): settle-bench process %.0f%%, postgres %.0f%%", pct(b.self-a.self), pct(b.pg-a.pg))
	ours := b.self - a.self + b.pg - a.pg
	if otherName != "" {
		s += fmt.Sprintf(", %s %.0f%%", otherName, pct(other))
		ours += other
	}
	if b.machine > 0 {
		s += fmt.Sprintf("; whole machine %.0f%% of %d00%%, of which other processes %.0f%%", pct(b.machine-a.machine), numCPU(), max(0, pct(b.machine-a.machine-ours)))
	}
	return s
}

func numCPU() int { return runtime.NumCPU() }

// poolStats says how long requests waited for one of the pool's connections.
func poolStats(before, after *pgxpool.Stat) string {
	n := after.AcquireCount() - before.AcquireCount()
	if n <= 0 {
		return ""
	}
	empty := after.EmptyAcquireCount() - before.EmptyAcquireCount()
	wait := after.AcquireDuration() - before.AcquireDuration()
	return fmt.Sprintf("pgx pool (max %d connections): %d acquires, %.0f%% had to wait for a free connection, mean wait %s",
		after.MaxConns(), n, float64(empty)/float64(n)*100, ms(wait/time.Duration(n)))
}
