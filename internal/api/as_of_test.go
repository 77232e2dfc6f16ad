package api_test

import (
	"net/http"
	"testing"
)

// TestGetDebtorAsOfRefused: as_of must be a date, today or later in
// Amsterdam and at most 5 years ahead; anything else is 422 naming as_of.
// Today is Monday 23 November 2026 (the API tests' clock).
func TestGetDebtorAsOfRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	debtor := b.debtor(t, b.A.Key, consumer("K-1", "Jan Jansen"))
	for _, v := range []string{"2026-11-22", "2031-11-24", "23-11-2026", "2026-02-30", "tomorrow"} {
		b.call(t, "GET", "/api/v1/debtors/"+debtor+"?as_of="+v, b.A.Key, nil).wantError(t, http.StatusUnprocessableEntity, "invalid", "as_of")
	}
	for _, v := range []string{"2026-11-23", "2031-11-23"} {
		if m := b.call(t, "GET", "/api/v1/debtors/"+debtor+"?as_of="+v, b.A.Key, nil).want(t, http.StatusOK); m["as_of"] != v {
			t.Errorf("as_of=%s answered as_of %v", v, m["as_of"])
		}
	}
	// Another creditor's debtor stays not found, whatever the day.
	b.call(t, "GET", "/api/v1/debtors/"+debtor+"?as_of=2026-12-01", b.B.Key, nil).wantError(t, http.StatusNotFound, "not_found", "-")
}
