package securitytest

import (
	"net/url"
	"strings"
	"testing"

	"github.com/settle/settle/internal/postgres"
)

// TestSearchStaysWithTheCreditor: A's agent and finance user never find
// B's debtor, by any detail of theirs; the admin, who sees every creditor,
// does (so the empty answers are about who asks).
func TestSearchStaysWithTheCreditor(t *testing.T) {
	t.Parallel()
	e := newEnv(t, options{})
	b := e.B.Debtor
	queries := []string{b.Name, b.ExternalRef, e.B.Invoice.Number, e.B.Invoice.PaymentReference}
	for _, q := range []string{b.Email, b.Phone, b.Address.Postcode} {
		if q != "" {
			queries = append(queries, q)
		}
	}
	for role, a := range map[string]postgres.Agent{"agent": e.agent, "finance": e.finance, "admin": e.admin} {
		c := e.Client()
		e.signInConsole(c, a)
		for _, q := range queries {
			r := c.Get("/console/search?q=" + url.QueryEscape(q))
			found := strings.Contains(r.Body, "/console/debtors/"+b.ID)
			if r.Status != 200 || found != (role == "admin") {
				t.Errorf("search %q as %s: status %d, B's debtor found: %v", q, role, r.Status, found)
			}
		}
	}
}
