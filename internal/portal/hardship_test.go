package portal_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/settle/settle/internal/apptest"
)

func TestHardship(t *testing.T) {
	t.Parallel()
	e, cr := newCreditorEnv(t)
	d, inv, c := selfServiceDebtor(t, e, cr, "K-1", "12")

	// Step 1: the reason.
	r := c.Get("/overview")
	apptest.WantContains(t, "overview", r.Body, `href="/hardship"`, nl.T("action.hardship"))
	r = c.Get("/hardship")
	apptest.WantStatus(t, "step 1", r, http.StatusOK)
	apptest.WantContains(t, "step 1", r.Body, nl.T("hardship.step", 1), `name="step" value="1"`, `name="reason" value="income"`, `name="reason" value="counselling"`,
		nl.T("hardship.reason.family"))
	r = c.Post("/hardship", url.Values{"step": {"1"}})
	apptest.WantStatus(t, "step 1 without a reason", r, http.StatusUnprocessableEntity)
	apptest.WantContains(t, "step 1 without a reason", r.Body, nl.T("hardship.error.reason"), nl.T("hardship.step", 1))

	// Step 2: money and a counsellor, optional; the reason travels along.
	r = c.Post("/hardship", url.Values{"step": {"1"}, "reason": {"income"}})
	apptest.WantStatus(t, "step 2", r, http.StatusOK)
	apptest.WantContains(t, "step 2", r.Body, nl.T("hardship.step", 2), `name="step" value="2"`, `type="hidden" name="reason" value="income"`,
		`name="income"`, `name="costs"`, `name="counsellor"`)
	r = c.Post("/hardship", url.Values{"step": {"2"}, "reason": {"income"}, "income": {"veel"}})
	apptest.WantStatus(t, "step 2 with a bad amount", r, http.StatusUnprocessableEntity)
	apptest.WantContains(t, "step 2 with a bad amount", r.Body, nl.T("hardship.error.amount"), nl.T("hardship.step", 2), `value="veel"`)
	r = c.Post("/hardship", url.Values{"step": {"2"}, "reason": {"income"}, "counsellor": {strings.Repeat("x", 501)}})
	apptest.WantStatus(t, "step 2 with a long text", r, http.StatusUnprocessableEntity)

	// Step 3: check and consent; everything so far in hidden fields.
	step2 := url.Values{"step": {"2"}, "reason": {"income"}, "income": {"1.500"}, "costs": {"900,00"}, "counsellor": {"Schuldhulp Zwolle, 038 123 45 67"}}
	r = c.Post("/hardship", step2)
	apptest.WantStatus(t, "step 3", r, http.StatusOK)
	apptest.WantContains(t, "step 3", r.Body, nl.T("hardship.step", 3), `name="step" value="3"`, `type="hidden" name="income" value="1.500"`,
		`type="hidden" name="counsellor" value="Schuldhulp Zwolle, 038 123 45 67"`, nl.Money(150000), nl.Money(90000),
		nl.T("hardship.reason.income"), `name="consent" value="yes"`, nl.T("hardship.submit", 30))
	// A tampered reason at the last step sends the debtor back to step 1.
	tampered := url.Values{"step": {"3"}, "reason": {"bored"}, "consent": {"yes"}}
	apptest.WantStatus(t, "tampered reason", c.Post("/hardship", tampered), http.StatusUnprocessableEntity)
	if hs, _ := e.DB.Hardships(e.Ctx, cr.ID, d.ID); len(hs) != 0 {
		t.Fatal("steps before the last stored a report")
	}

	step3 := url.Values{"step": {"3"}, "consent": {"yes"}}
	for k, v := range step2 {
		if k != "step" {
			step3[k] = v
		}
	}
	r = c.Post("/hardship", step3)
	apptest.WantStatus(t, "report", r, http.StatusOK)
	// 30 days of breathing space by default, and where to get free help.
	apptest.WantContains(t, "breathing space", r.Body, nl.T("hardship.done.title"), nl.T("hardship.done.until", "23 december 2026"),
		nl.T("hardship.done.contact", creditorName), nl.T("help.title"), nl.T("help.call", "0800 8115"), `href="https://www.geldfit.nl"`)
	hs, err := e.DB.Hardships(e.Ctx, cr.ID, d.ID)
	if err != nil || len(hs) != 1 {
		t.Fatalf("hardships: %v %d", err, len(hs))
	}
	if h := hs[0]; h.Reason != "income" || h.Income == nil || *h.Income != 150000 || h.FixedCosts == nil || *h.FixedCosts != 90000 || !h.Consent ||
		h.Counsellor != "Schuldhulp Zwolle, 038 123 45 67" {
		t.Errorf("stored hardship = %+v", h)
	}

	// No interest during the breathing space.
	held := e.statement(cr, d)
	line, _ := held.Line(inv.ID)
	if line.Interest == 0 {
		t.Fatal("no interest before the breathing space; the test needs some")
	}
	e.Clock.Advance(20 * 24 * time.Hour)
	later := e.statement(cr, d)
	lineLater, _ := later.Line(inv.ID)
	if lineLater.Interest != line.Interest || !lineLater.OnHold {
		t.Errorf("20 days of breathing space: interest %d -> %d, on hold %v", line.Interest, lineLater.Interest, lineLater.OnHold)
	}

	// The overview says so, with a way to the help page.
	tok, _ := e.link(cr, d, "letter")
	c.SignInDebtor(tok, d)
	r = c.Get("/overview")
	apptest.WantContains(t, "overview in breathing space", r.Body, nl.T("overview.breathing", "23 december 2026"), `href="/help"`)
	r = c.Get("/help")
	apptest.WantStatus(t, "help", r, http.StatusOK)
	apptest.WantContains(t, "help", r.Body, nl.T("help.title"), nl.T("help.town"), nl.T("help.call", "0800 8115"), `href="https://www.geldfit.nl"`)
}

func TestHardshipCreditorHelp(t *testing.T) {
	t.Parallel()
	e, cr := newCreditorEnv(t)
	if _, err := e.DB.PoolForTests().Exec(e.Ctx, `UPDATE creditors SET breathing_days = 60, help_phone = '0800 1234', help_site = 'https://hulp.example.nl' WHERE id = $1`, cr.ID); err != nil {
		t.Fatal(err)
	}
	_, _, c := selfServiceDebtor(t, e, cr, "K-1", "12")
	c.Get("/hardship")
	r := c.Post("/hardship", url.Values{"step": {"3"}, "reason": {"illness"}})
	apptest.WantStatus(t, "report without consent", r, http.StatusOK)
	apptest.WantContains(t, "report without consent", r.Body, nl.T("hardship.done.until", "22 januari 2027"), nl.T("hardship.done.nocontact"),
		nl.T("help.call", "0800 1234"), `href="https://hulp.example.nl"`)
}
