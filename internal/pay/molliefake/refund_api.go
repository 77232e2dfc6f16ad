package molliefake

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// createRefund is POST /v2/payments/{id}/refunds: a refund of part or all
// of a paid payment, as Refund makes one (pending, the webhook called). An
// Idempotency-Key sent again with the same body answers the same refund.
func (f *Fake) createRefund(w http.ResponseWriter, r *http.Request, mode string) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeError(w, http.StatusBadRequest, "Bad Request", "Could not read the request body", "")
		return
	}
	var in struct {
		Amount *struct{ Currency, Value string } `json:"amount"`
	}
	if err := json.Unmarshal(raw, &in); err != nil {
		writeError(w, http.StatusBadRequest, "Bad Request", "The request body is not valid JSON", "")
		return
	}
	if in.Amount == nil || in.Amount.Currency != "EUR" {
		unprocessable(w, "The 'amount' field is missing or not in EUR", "amount")
		return
	}
	cents, ok := parseCents(in.Amount.Value)
	if !ok || cents <= 0 {
		unprocessable(w, "The amount contains an invalid value", "amount.value")
		return
	}
	key := "refund\x00" + mode + "\x00" + r.Header.Get("Idempotency-Key")
	hash := fmt.Sprintf("%x", sha256.Sum256(raw))
	f.mu.Lock()
	if _, ok := f.visiblePaymentLocked(w, r.PathValue("id"), mode); !ok {
		f.mu.Unlock()
		return
	}
	if e, ok := f.idem[key]; ok && r.Header.Get("Idempotency-Key") != "" {
		var body map[string]any
		if e.body == hash {
			body = f.refundJSONLocked(f.refunds[e.paymentID], r)
		}
		f.mu.Unlock()
		if body == nil {
			unprocessable(w, "The Idempotency-Key was already used for a request with a different body", "")
			return
		}
		writeJSON(w, http.StatusCreated, body)
		return
	}
	f.mu.Unlock()
	id, err := f.Refund(r.PathValue("id"), cents)
	if err != nil {
		unprocessable(w, err.Error(), "amount")
		return
	}
	f.mu.Lock()
	if r.Header.Get("Idempotency-Key") != "" {
		f.idem[key] = idemEntry{body: hash, paymentID: id}
	}
	body := f.refundJSONLocked(f.refunds[id], r)
	f.mu.Unlock()
	writeJSON(w, http.StatusCreated, body)
}
