package console_test

import (
	"context"
	"strings"
	"testing"

	"github.com/pquerna/otp/totp"

	"github.com/settle/settle/internal/browsertest"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/demo"
)

// consoleJourney is browsertest.Journey with the demo console user of role
// signed in on the console's start page.
func consoleJourney(t *testing.T, role string) (*browsertest.Env, context.Context) {
	t.Helper()
	site, ctx := browsertest.Journey(t)
	consoleSignIn(t, ctx, site, role, false)
	return site, ctx
}

// consoleSignIn signs a demo console user in through the sign-in page,
// checking that page with axe on the way.
func consoleSignIn(t *testing.T, ctx context.Context, site *browsertest.Env, role string, axe bool) {
	t.Helper()
	var who demo.Agent
	for _, a := range site.Demo.Agents {
		if a.Role == role {
			who = a
		}
	}
	if who.Email == "" {
		t.Fatalf("no demo console user with role %s", role)
	}
	browsertest.Visit(t, ctx, site.URL+"/console", "open /console")
	if p := browsertest.Path(t, ctx); p != "/console/login" {
		t.Fatalf("/console signed out: at %s, want /console/login", p)
	}
	if axe {
		browsertest.Screenshot(t, ctx, "sign-in")
		browsertest.Axe(t, ctx, "console sign-in")
	}
	browsertest.Fill(t, ctx, "#email", who.Email)
	browsertest.Fill(t, ctx, "#password", who.Password)
	browsertest.Click(t, ctx, "main form button[type=submit]", "sign in")
	if who.TOTPSecret != "" {
		// The second factor, as the admin's app would show it at the site's clock.
		code, err := totp.GenerateCode(who.TOTPSecret, site.Clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		browsertest.Fill(t, ctx, "#code", code)
		if status := browsertest.ClickAndWait(t, ctx, "main form button[type=submit]"); status != 200 {
			t.Fatalf("sign-in code: status %d", status)
		}
	}
	if p := browsertest.Path(t, ctx); p != "/console" {
		t.Fatalf("after signing in: at %s (%s), want /console", p, browsertest.Text(t, ctx, "main"))
	}
}

// TestBrowserCounterOffer is journey (b): a plan outside the policy goes to
// an agent, who signs in, counters it, and the debtor accepts the counter in
// the portal. Axe checks the sign-in page, the queue and the debtor's file.
func TestBrowserCounterOffer(t *testing.T) {
	site, ctx := browsertest.Journey(t)
	d := site.Debtor(t, "partly paid")
	cr, err := site.DB.Creditor(t.Context(), d.CreditorID)
	if err != nil {
		t.Fatal(err)
	}
	_, st, err := site.DB.Statement(t.Context(), d.CreditorID, d.ID, site.DB.Today())
	if err != nil {
		t.Fatal(err)
	}
	first := site.DB.Today().AddDate(0, 0, 7)
	check := collect.CheckPlan(cr.Policy.Plan, st.Total(), 18, collect.Monthly, first, site.DB.Today(), false)
	if check.Inside {
		t.Fatal("an 18-month plan is inside the demo policy")
	}
	plan, err := site.DB.ProposePlan(t.Context(), collect.ProposePlan(collect.Plan{CreditorID: d.CreditorID, DebtorID: d.ID, Total: st.Total(), Months: 18, FirstDue: first}, check, cr.Policy.Plan.AutoApprove, site.DB.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if plan.Status != "proposed" {
		t.Fatalf("plan outside the policy: status %q, want proposed", plan.Status)
	}

	consoleSignIn(t, ctx, site, "agent", true)
	if got := browsertest.Text(t, ctx, "h1"); got != "Work queue" {
		t.Errorf("queue h1 = %q", got)
	}
	if q := browsertest.Text(t, ctx, "table.queue"); !strings.Contains(q, d.Name) || !strings.Contains(q, "Payment plan proposal") {
		t.Errorf("queue lacks the proposal of %s: %q", d.Name, q)
	}
	browsertest.Screenshot(t, ctx, "queue")
	browsertest.Axe(t, ctx, "console work queue")

	browsertest.Click(t, ctx, "table.queue a[href='/console/debtors/"+d.ID+"']", "open the debtor's file")
	if got := browsertest.Text(t, ctx, "h1"); got != d.Name {
		t.Errorf("file h1 = %q, want %q", got, d.Name)
	}
	browsertest.Screenshot(t, ctx, "file-proposal")
	browsertest.Axe(t, ctx, "console debtor file with a proposal")

	browsertest.Fill(t, ctx, "#counter-months-"+plan.ID, "12")
	browsertest.Fill(t, ctx, "#counter-reason-"+plan.ID, "Twelve months is the longest we can offer.")
	browsertest.Click(t, ctx, "#counter-"+plan.ID, "counter")
	if got := browsertest.Text(t, ctx, "main .ok"); !strings.Contains(got, "counter-offer is sent") {
		t.Errorf("after countering: confirmation %q", got)
	}
	plans, err := site.DB.Plans(t.Context(), d.CreditorID, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	var counter collect.Plan
	for _, p := range plans {
		if p.CounterOf == plan.ID {
			counter = p
		}
	}
	if counter.Status != "countered" || counter.Months != 12 || counter.Total != st.Total() {
		t.Fatalf("counter-offer: status %q, %d months, total %d; want countered, 12, %d", counter.Status, counter.Months, counter.Total, st.Total())
	}
	if tl := browsertest.Text(t, ctx, "table.timeline tbody tr:first-child"); !strings.Contains(tl, "made a counter-offer") || !strings.Contains(tl, "agent@settle.example") {
		t.Errorf("timeline's newest line: %q, want the counter by the agent", tl)
	}
	browsertest.Screenshot(t, ctx, "file-countered")
	browsertest.Axe(t, ctx, "console debtor file after a counter-offer")
	browsertest.ClickAndWait(t, ctx, "form.signout button")

	// The debtor sees the counter-offer on the overview and accepts it.
	browsertest.SignInDebtor(t, ctx, d)
	if !browsertest.Exists(t, ctx, "form[action='/plans/"+counter.ID+"/answer']") {
		t.Fatalf("the overview offers no answer to the counter-offer: %s", browsertest.Text(t, ctx, "main"))
	}
	if main := browsertest.Text(t, ctx, "main"); !strings.Contains(main, "Twelve months is the longest we can offer.") {
		t.Errorf("the overview does not show the agent's message: %q", main)
	}
	browsertest.ClickAndWait(t, ctx, "form[action='/plans/"+counter.ID+"/answer'] input[value=accept] ~ button")
	plans, err = site.DB.Plans(t.Context(), d.CreditorID, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range plans {
		if p.ID == counter.ID && p.Status != "approved" {
			t.Errorf("after the debtor accepted: status %q, want approved", p.Status)
		}
	}
}

// TestBrowserDisputeRejected is journey (c) from the agent's side: a
// dispute with a PDF, the agent rejects it with an answer, and the debtor's
// overview shows that answer.
func TestBrowserDisputeRejected(t *testing.T) {
	site, ctx := browsertest.Journey(t)
	d := site.Debtor(t, "overdue, inside the 14-day term")
	_, st, err := site.DB.Statement(t.Context(), d.CreditorID, d.ID, site.DB.Today())
	if err != nil {
		t.Fatal(err)
	}
	inv := st.Open()[0].Invoice
	x, err := site.DB.CreateDispute(t.Context(), collect.Dispute{CreditorID: d.CreditorID, DebtorID: d.ID, InvoiceID: inv.ID, Reason: "paid",
		Body: "Ik heb dit al betaald <script>alert(1)</script>", Files: []collect.DisputeFile{{Filename: "afschrift.pdf", ContentType: "application/pdf", Data: smallPDF}}})
	if err != nil {
		t.Fatal(err)
	}
	// A hardship report and a note too, so axe sees every kind of form.
	if _, err := site.DB.ReportHardship(t.Context(), collect.Hardship{CreditorID: d.CreditorID, DebtorID: d.ID, Reason: "illness", Consent: true}, 30); err != nil {
		t.Fatal(err)
	}

	consoleSignIn(t, ctx, site, "admin", false)
	browsertest.ClickAndWait(t, ctx, "table.queue tr.dispute a[href='/console/debtors/"+d.ID+"']")
	if body := browsertest.Text(t, ctx, "#dispute-"+x.ID+" blockquote"); body != "Ik heb dit al betaald <script>alert(1)</script>" {
		t.Errorf("dispute text shows as %q", body)
	}
	if !browsertest.Exists(t, ctx, "#dispute-"+x.ID+" a[href='/console/files/"+x.Files[0].ID+"']") {
		t.Error("no link to the evidence")
	}
	browsertest.Fill(t, ctx, "#note-body", "Called; the payment is not on our account.")
	browsertest.ClickAndWait(t, ctx, "#add-note")
	browsertest.Screenshot(t, ctx, "file-dispute")
	browsertest.Axe(t, ctx, "console debtor file with a dispute, hardship and a note")

	answer := "We have not received a payment for this invoice. Please send us your bank statement."
	browsertest.Fill(t, ctx, "#reject-answer-"+x.ID, answer)
	browsertest.ClickAndWait(t, ctx, "#reject-dispute-"+x.ID)
	if got := browsertest.Text(t, ctx, "main .ok"); !strings.Contains(got, "dispute is rejected") {
		t.Errorf("after rejecting: confirmation %q", got)
	}
	if got := browsertest.Text(t, ctx, "#dispute-"+x.ID+" h3 .status"); got != "rejected" {
		t.Errorf("dispute status on the file: %q", got)
	}
	browsertest.Screenshot(t, ctx, "file-dispute-rejected")
	browsertest.ClickAndWait(t, ctx, "form.signout button")

	browsertest.SignInDebtor(t, ctx, d)
	if got := browsertest.Text(t, ctx, ".dispute .answer"); !strings.Contains(got, answer) {
		t.Errorf("the debtor's overview shows %q, want the agent's answer", got)
	}
}

// TestBrowserContactWishes is journey (e) from the agent's side: the
// debtor's contact wishes show in the file.
func TestBrowserContactWishes(t *testing.T) {
	site, ctx := browsertest.Journey(t)
	d := site.Debtor(t, "several invoices, English")
	quiet := "not on weekdays 7:00 to 17:00"
	w := collect.ContactWishes{Channel: "whatsapp", Channels: []collect.Channel{collect.ChannelWhatsApp, collect.ChannelPost}, Phone: "+31612345678",
		Avoid: []collect.TimeRange{{Days: collect.Weekdays, From: 8 * 60, To: 17 * 60}}, Language: "en"}
	if err := site.DB.SetContactWishes(context.Background(), d.CreditorID, d.ID, w, site.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	// The free text of the old form, as migration 00017 left it: kept, and marked for an agent.
	if _, err := site.DB.PoolForTests().Exec(context.Background(), `UPDATE contact_wishes SET quiet_times = $1, quiet_needs_review = true WHERE debtor_id = $2`, quiet, d.ID); err != nil {
		t.Fatal(err)
	}
	consoleSignIn(t, ctx, site, "finance", false)
	browsertest.Open(t, ctx, site.URL+"/console/debtors/"+d.ID)
	if got := browsertest.Text(t, ctx, "#wishes .channel"); got != "whatsapp, post" {
		t.Errorf("channels = %q, want whatsapp, post", got)
	}
	if got := browsertest.Text(t, ctx, "#wishes .avoid"); !strings.HasPrefix(got, "weekdays 08:00-17:00") {
		t.Errorf("avoided times = %q, want weekdays 08:00-17:00 first", got)
	}
	if got := browsertest.Text(t, ctx, "#wishes .quiet"); got != quiet+" to review" {
		t.Errorf("quiet times = %q, want %q marked for review", got, quiet)
	}
	if tl := browsertest.Text(t, ctx, "table.timeline"); !strings.Contains(tl, "gave contact wishes") {
		t.Errorf("timeline lacks the contact wishes: %q", tl)
	}
	browsertest.Screenshot(t, ctx, "file-wishes")
	browsertest.Axe(t, ctx, "console debtor file with contact wishes")
}
