package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
)

// A goal line is how every benchmark reports one ceiling of issue P, so that
// `make bench` can collect them from one run into one table:
//
//	GOAL <name> | measured <x> | ceiling <y> | met yes|no
//
// <name> starts with the number of the goal in issue P (1 overview, 2
// webhooks, 3 bank import, 4 page weight and Lighthouse, 5 scale), then says
// which of the goal's ceilings it is, e.g. "2 webhooks: accepted events/s".
// A name without a number is placed by its first word (see goalTitles).
type goal struct {
	Name, Measured, Ceiling string
	Met                     bool
}

func (g goal) String() string {
	met := "no"
	if g.Met {
		met = "yes"
	}
	return fmt.Sprintf("GOAL %s | measured %s | ceiling %s | met %s", g.Name, g.Measured, g.Ceiling, met)
}

// printGoals prints goal lines, after a blank line, on standard output.
func printGoals(gs ...goal) {
	fmt.Println()
	for _, g := range gs {
		fmt.Println(g)
	}
}

// goalTitles are issue P's five goals; a goal with no line in the output is
// "not run". words place a line whose name has no number.
var goalTitles = []struct {
	title string
	words []string
}{
	{"overview page", []string{"overview", "portal"}},
	{"webhooks", []string{"webhook"}},
	{"bank import", []string{"bank", "camt"}},
	{"page weight and Lighthouse", []string{"page", "lighthouse", "weight"}},
	{"scale on a curve", []string{"scale"}},
}

var goalRe = regexp.MustCompile(`^GOAL (.+?) \| measured (.*?) \| ceiling (.*?) \| met (yes|no)\s*$`)

// parseGoals reads the goal lines out of a benchmark's output.
func parseGoals(r io.Reader) ([]goal, error) {
	var out []goal
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		if m := goalRe.FindStringSubmatch(sc.Text()); m != nil {
			out = append(out, goal{Name: m[1], Measured: m[2], Ceiling: m[3], Met: m[4] == "yes"})
		}
	}
	return out, sc.Err()
}

// goalNumber is the goal (1 to 5) a line belongs to, 0 if none fits.
func goalNumber(name string) int {
	if n := name[0]; n >= '1' && n <= '0'+byte(len(goalTitles)) && (len(name) == 1 || name[1] < '0' || name[1] > '9') {
		return int(n - '0')
	}
	low := strings.ToLower(name)
	for i, t := range goalTitles {
		for _, w := range t.words {
			if strings.Contains(low, w) {
				return i + 1
			}
		}
	}
	return 0
}

// cmdSummary is `settle-bench summary FILE...`: the goal lines found in the
// files (the saved output of the benchmarks of one `make bench`) as one
// table, goal by goal, with "not run" for a goal no file reports on. A file
// that does not exist is a benchmark that did not run.
func cmdSummary(files []string, w io.Writer) error {
	var all []goal
	for _, f := range files {
		fh, err := os.Open(f)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return err
		}
		gs, err := parseGoals(fh)
		fh.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		all = append(all, gs...)
	}
	fmt.Fprint(w, summaryTable(all))
	return nil
}

// summaryTable lays out goal lines under issue P's five goals.
func summaryTable(all []goal) string {
	byGoal := make([][]goal, len(goalTitles)+1)
	for _, g := range all {
		n := goalNumber(g.Name)
		byGoal[n] = append(byGoal[n], g)
	}
	rows := [][5]string{{"goal", "ceiling of", "measured", "ceiling", "met"}}
	met, total := 0, 0
	var notRun []string
	add := func(n int, gs []goal) {
		for _, g := range gs {
			total++
			verdict := "no"
			if g.Met {
				verdict, met = "yes", met+1
			}
			label := "-"
			if n > 0 {
				label = fmt.Sprintf("%d %s", n, goalTitles[n-1].title)
			}
			rows = append(rows, [5]string{label, g.Name, g.Measured, g.Ceiling, verdict})
		}
	}
	for i, t := range goalTitles {
		if len(byGoal[i+1]) == 0 {
			rows = append(rows, [5]string{fmt.Sprintf("%d %s", i+1, t.title), "-", "-", "-", "not run"})
			notRun = append(notRun, fmt.Sprint(i+1))
			continue
		}
		add(i+1, byGoal[i+1])
	}
	add(0, byGoal[0])
	var width [5]int
	for _, r := range rows {
		for k, c := range r {
			width[k] = max(width[k], len([]rune(c)))
		}
	}
	var b strings.Builder
	b.WriteString("\nIssue P goals, from this run of make bench:\n\n")
	for i, r := range rows {
		b.WriteString("|")
		for k, c := range r {
			fmt.Fprintf(&b, " %s%s |", c, strings.Repeat(" ", width[k]-len([]rune(c))))
		}
		b.WriteString("\n")
		if i == 0 {
			b.WriteString("|")
			for k := range r {
				b.WriteString(strings.Repeat("-", width[k]+2) + "|")
			}
			b.WriteString("\n")
		}
	}
	fmt.Fprintf(&b, "\n%d of %d ceilings met", met, total)
	if len(notRun) > 0 {
		fmt.Fprintf(&b, "; goals not run: %s", strings.Join(notRun, ", "))
	}
	b.WriteString("\n")
	return b.String()
}
