package demo_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/settle/settle/internal/demo"
)

// TestReadmeNamesTheDemo: the README's table of demo debtors is what the
// demo seeds (every debtor, with its situation, and how many), and it names
// the demo bank statement, so a newcomer finds what `settle demo` prints.
func TestReadmeNamesTheDemo(t *testing.T) {
	t.Parallel()
	_, out, _ := seeded(t)
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, d := range out.Debtors {
		if !strings.Contains(readme, "| "+d.Name+" (") || !strings.Contains(readme, "| "+d.Situation) {
			t.Errorf("README's demo table lacks %s (%s)", d.Name, d.Situation)
		}
	}
	if want := fmt.Sprintf("the %d debtors below", len(out.Debtors)); !strings.Contains(readme, want) {
		t.Errorf("README does not say %q", want)
	}
	if !strings.Contains(readme, demo.BankStatementFile) {
		t.Errorf("README does not name the demo bank statement %s", demo.BankStatementFile)
	}
}
