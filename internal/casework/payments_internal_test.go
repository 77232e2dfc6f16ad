package casework

import (
	"testing"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/pay"
)

// TestProviderTrust pins the checks that keep a provider to its own
// payments and amounts (issue F).
func TestProviderTrust(t *testing.T) {
	t.Parallel()
	mol := collect.Payment{ID: "p1", Provider: "mollie", ProviderID: "tr_a"}
	str := collect.Payment{ID: "p2", Provider: "stripe", ProviderID: "cs_a"}
	for _, c := range []struct {
		name   string
		reason string
		want   bool
	}{
		{"answer for another payment", stateMismatch(mol, pay.State{ProviderID: "tr_b", Currency: "EUR"}, ""), true},
		{"another PaymentIntent", stateMismatch(str, pay.State{ProviderID: "cs_a", IntentID: "pi_b", Currency: "EUR"}, "pi_a"), true},
		{"not euros", stateMismatch(mol, pay.State{ProviderID: "tr_a", Currency: "USD"}, ""), true},
		{"own answer", stateMismatch(mol, pay.State{ProviderID: "tr_a", Currency: "EUR"}, ""), false},
		{"stripe event on mollie", stripeEventMismatch(mol, "cs_a"), true},
		{"no session or intent", stripeEventMismatch(str, ""), true},
		{"another session", stripeEventMismatch(str, "cs_b"), true},
		{"own session", stripeEventMismatch(str, "cs_a"), false},
		{"an intent, checked by the answer", stripeEventMismatch(str, "pi_a"), false},
	} {
		if got := c.reason != ""; got != c.want {
			t.Errorf("%s: refused %v (%q), want %v", c.name, got, c.reason, c.want)
		}
	}
}
