package stripe_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/settle/settle/internal/pay/stripe"
)

// FuzzParseWebhook signs arbitrary bodies with the webhook secret, as an
// attacker who learned nothing but our URL cannot, and as a buggy sender
// might: decoding must never panic, the booking job's ParseStored must read
// a stored body exactly as the webhook read it, and the same body under
// another secret must always be refused as forged.
func FuzzParseWebhook(f *testing.F) {
	ok, _ := stripe.SignedEvent(testSecret, stripe.EventSessionCompleted, map[string]any{
		"id": "cs_test_1", "object": "checkout.session", "payment_status": "paid", "amount_total": 1250,
		"metadata": map[string]string{stripe.MetadataKey: "pay_1"},
	})
	f.Add(ok)
	f.Fuzz(func(t *testing.T, payload []byte) {
		now := time.Now()
		ev, err := stripe.ParseWebhook(payload, stripe.Sign(testSecret, payload, now), testSecret)
		if errors.Is(err, stripe.ErrForged) {
			t.Fatalf("a body signed with our secret was called forged: %v", err)
		}
		if err == nil && ev.ID == "" {
			t.Fatalf("accepted an event without an id: %+v", ev)
		}
		paymentID, st, storedErr := stripe.ParseStored(payload)
		if (err == nil) != (storedErr == nil) {
			t.Fatalf("webhook read %v, stored read %v", err, storedErr)
		}
		if err == nil && (paymentID != ev.PaymentID || !reflect.DeepEqual(st, ev.State)) {
			t.Fatalf("webhook read %q %+v, stored read %q %+v", ev.PaymentID, ev.State, paymentID, st)
		}
		if _, err := stripe.ParseWebhook(payload, stripe.Sign("whsec_someone_else", payload, now), testSecret); !errors.Is(err, stripe.ErrForged) {
			t.Fatalf("a body signed with another secret gave %v, want ErrForged", err)
		}
	})
}
