package mollie_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/settle/settle/internal/money"
	"github.com/settle/settle/internal/pay"
	"github.com/settle/settle/internal/pay/mollie"
)

// answers is a RoundTripper that answers a payment fetch, its refunds and
// its chargebacks with fixed bodies, so a fuzz run makes no network calls.
type answers struct{ payment, refunds, chargebacks []byte }

func (a answers) RoundTrip(r *http.Request) (*http.Response, error) {
	body := a.payment
	switch {
	case strings.HasSuffix(r.URL.Path, "/refunds"):
		body = a.refunds
	case strings.HasSuffix(r.URL.Path, "/chargebacks"):
		body = a.chargebacks
	}
	return &http.Response{
		StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/hal+json"}},
		Body: io.NopCloser(bytes.NewReader(body)), Request: r,
	}, nil
}

// FuzzFetch decodes arbitrary answers to the re-fetch a Mollie webhook
// triggers (a Mollie event is only an id; the payment Mollie then returns is
// the event's content). Decoding must never panic, and a state it returns
// must carry the answer's own id, currency and exact amount, and a known
// status.
func FuzzFetch(f *testing.F) {
	f.Add([]byte(`{"resource":"payment","id":"tr_1","status":"paid","amount":{"currency":"EUR","value":"12.50"},"amountRefunded":{"currency":"EUR","value":"2.00"}}`),
		[]byte(`{"count":1,"_embedded":{"refunds":[{"id":"re_1","status":"refunded","amount":{"currency":"EUR","value":"2.00"}}]},"_links":{"next":null}}`),
		[]byte(`{"count":0,"_embedded":{"chargebacks":[]},"_links":{"next":null}}`))
	known := []pay.Status{pay.StatusOpen, pay.StatusPending, pay.StatusPaid, pay.StatusCanceled, pay.StatusExpired,
		pay.StatusFailed, pay.StatusRefunded, pay.StatusChargedBack}
	f.Fuzz(func(t *testing.T, payment, refunds, chargebacks []byte) {
		p := mollie.NewProvider("https://api.mollie.test", "test_fuzz")
		p.Client.HTTP = &http.Client{Transport: answers{payment, refunds, chargebacks}}
		st, err := p.Fetch(context.Background(), "tr_1")
		if err != nil {
			return
		}
		var mp mollie.Payment
		if err := json.Unmarshal(payment, &mp); err != nil {
			t.Fatalf("Fetch accepted a payment that does not decode: %v", err)
		}
		amount, err := money.ParseDecimal(mp.Amount.Value)
		if err != nil || st.Amount != amount || st.ProviderID != mp.ID || st.Currency != mp.Amount.Currency {
			t.Fatalf("state %+v from payment %s (amount %d, %v)", st, payment, amount, err)
		}
		if !slices.Contains(known, st.Status) {
			t.Fatalf("unknown status %q from payment %s", st.Status, payment)
		}
	})
}
