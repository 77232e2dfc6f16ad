package reconcile_test

import (
	"strings"
	"testing"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/reconcile"
)

func TestPaymentReference(t *testing.T) {
	rf, _ := collect.RFReference("1234")
	bk, _ := collect.Betalingskenmerk(42)
	for _, c := range []struct{ ref, text, want string }{
		{rf, "", rf},
		{strings.ToLower(rf), "", rf},
		{"", "factuur " + rf[:4] + " " + rf[4:] + ".", rf},
		{"", "kenmerk " + bk[:4] + " " + bk[4:8] + " " + bk[8:12] + " " + bk[12:], bk},
		{"RF00BAD", "geen", ""},
		{"", "Factuur 123", ""},
	} {
		if got := reconcile.PaymentReference(c.ref, c.text); got != c.want {
			t.Errorf("PaymentReference(%q, %q) = %q, want %q", c.ref, c.text, got, c.want)
		}
	}
	if got := reconcile.PayoutReferences("MOLLIE 1234567.2403.07 en po_1OaBcDeFgH"); len(got) != 2 {
		t.Errorf("PayoutReferences: %v", got)
	}
}
