package securitytest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// consoleWorld is what of creditor B the console's users of A may not reach.
type consoleWorld struct {
	dispute  collect.Dispute
	hardship collect.Hardship
	plan     collect.Plan
	line     string // an unmatched bank line
	letter   string // a posted notice of B's with its letter
	task     string // a personal follow-up of B's debtor
}

// visit is one request of the console walk and the status each role must
// get; a role left out is not asked.
type visit struct {
	method, path string
	form         url.Values
	want         map[string]int
}

// financePage is a finance page at path: the finance users get their own
// creditor's figures; with another creditor's id only the admin gets in.
func financePage(e *env, path string) []visit {
	return []visit{
		{"GET", path, nil, financeOnly},
		{"GET", path + "?creditor=" + e.B.ID, nil, onlyAdmin(200)},
	}
}

// onEitherFile posts f to B's record at suffix, once on B's file and once
// on A's: none of A's users may act on it either way.
func onEitherFile(e *env, suffix string, f url.Values) []visit {
	return []visit{
		{"POST", "/console/debtors/" + e.B.Debtor.ID + suffix, f, neitherOfA},
		{"POST", "/console/debtors/" + e.A.Debtor.ID + suffix, f, neitherOfA},
	}
}

// onlyAdmin is the answer to a record of creditor B: A's agent and
// finance user get the console's 404, the admin, who sees every creditor, gets it.
func onlyAdmin(ok int) map[string]int {
	return map[string]int{"agent": 404, "finance": 404, "admin": ok}
}

// neitherOfA is the answer to a change to B's records by A's users.
var neitherOfA = map[string]int{"agent": 404, "finance": 404}

// neitherOfA403 is the answer to an admin-only change by A's users.
var neitherOfA403 = map[string]int{"agent": 403, "finance": 403}

// financeOnly is the answer to a finance page: not for agents.
var financeOnly = map[string]int{"agent": 404, "finance": 200, "admin": 200}

var everyone = map[string]int{"agent": 200, "finance": 200, "admin": 200}

// adminsOnly is the answer to the ladder editor: 403 to everyone else.
func adminsOnly(ok int) map[string]int {
	return map[string]int{"agent": 403, "finance": 403, "admin": ok}
}

// nobody is the answer to a record asked for under another creditor's debtor.
var nobody = map[string]int{"agent": 404, "finance": 404, "admin": 404}

// consoleRoutes are the console's routes with what each role gets. A new
// console route fails TestConsoleRoleWalk until it is added here (or to
// consoleNotOwned with the reason it shows no creditor's records).
var consoleRoutes = map[string]func(e *env, w consoleWorld) []visit{
	"GET /console": func(e *env, _ consoleWorld) []visit {
		return []visit{{"GET", "/console", nil, everyone}, {"GET", "/console?creditor=" + e.B.ID, nil, map[string]int{"agent": 422, "finance": 422, "admin": 200}}}
	},
	// What the search shows of B is TestSearchStaysWithTheCreditor's.
	"GET /console/search": func(e *env, _ consoleWorld) []visit {
		return []visit{{"GET", "/console/search?q=" + url.QueryEscape(e.B.Debtor.Name), nil, everyone}}
	},
	"POST /console/queue/assign": func(e *env, w consoleWorld) []visit {
		return []visit{
			{"POST", "/console/queue/assign", url.Values{"kind": {"plan"}, "id": {w.plan.ID}, "agent": {"me"}}, neitherOfA},
			{"POST", "/console/queue/assign", url.Values{"kind": {"dispute"}, "id": {w.dispute.ID}, "agent": {"me"}}, neitherOfA},
			{"POST", "/console/queue/assign", url.Values{"kind": {"hardship"}, "id": {w.hardship.ID}, "agent": {"me"}}, neitherOfA},
			{"POST", "/console/queue/assign", url.Values{"kind": {"task"}, "id": {w.task}, "agent": {"me"}}, neitherOfA},
		}
	},
	"GET /console/debtors/:id": func(e *env, _ consoleWorld) []visit {
		return []visit{
			{"GET", "/console/debtors/" + e.A.Debtor.ID, nil, everyone},
			{"GET", "/console/debtors/" + e.B.Debtor.ID, nil, onlyAdmin(200)},
		}
	},
	"GET /console/files/:id": func(e *env, w consoleWorld) []visit {
		return []visit{{"GET", "/console/files/" + w.dispute.Files[0].ID, nil, onlyAdmin(200)}}
	},
	"POST /console/debtors/:id/notes": func(e *env, _ consoleWorld) []visit {
		return []visit{{"POST", "/console/debtors/" + e.B.Debtor.ID + "/notes", url.Values{"body": {"note on B"}}, neitherOfA}}
	},
	"POST /console/debtors/:id/plans": func(e *env, _ consoleWorld) []visit {
		return []visit{{"POST", "/console/debtors/" + e.B.Debtor.ID + "/plans", url.Values{"total": {"50,00"}, "months": {"2"},
			"first_due": {e.DB.Today().AddDate(0, 0, 14).Format("2006-01-02")}, "reason": {"x"}}, neitherOfA}}
	},
	"POST /console/debtors/:id/plans/:plan": func(e *env, w consoleWorld) []visit {
		return onEitherFile(e, "/plans/"+w.plan.ID, url.Values{"decision": {"approve"}})
	},
	"POST /console/debtors/:id/disputes/:dispute": func(e *env, w consoleWorld) []visit {
		return onEitherFile(e, "/disputes/"+w.dispute.ID, url.Values{"outcome": {"upheld"}})
	},
	"POST /console/debtors/:id/hardships/:hardship": func(e *env, w consoleWorld) []visit {
		return onEitherFile(e, "/hardships/"+w.hardship.ID, url.Values{"action": {"waive_costs"}})
	},
	"GET /console/finance":                      func(e *env, _ consoleWorld) []visit { return financePage(e, "/console/finance") },
	"GET /console/finance/exports/payments.csv": func(e *env, _ consoleWorld) []visit { return financePage(e, "/console/finance/exports/payments.csv") },
	"GET /console/finance/exports/journal.csv":  func(e *env, _ consoleWorld) []visit { return financePage(e, "/console/finance/exports/journal.csv") },
	"GET /console/analytics":                    func(e *env, _ consoleWorld) []visit { return financePage(e, "/console/analytics") },
	"GET /console/analytics.csv":                func(e *env, _ consoleWorld) []visit { return financePage(e, "/console/analytics.csv") },
	"GET /console/debtors/:id/letters": func(e *env, _ consoleWorld) []visit {
		return []visit{
			{"GET", "/console/debtors/" + e.A.Debtor.ID + "/letters", nil, everyone},
			{"GET", "/console/debtors/" + e.B.Debtor.ID + "/letters", nil, onlyAdmin(200)},
		}
	},
	"GET /console/debtors/:id/letters/:notice": func(e *env, w consoleWorld) []visit {
		return []visit{
			{"GET", "/console/debtors/" + e.B.Debtor.ID + "/letters/" + w.letter, nil, onlyAdmin(200)},
			// B's letter under A's debtor: the letter is looked up as A's.
			{"GET", "/console/debtors/" + e.A.Debtor.ID + "/letters/" + w.letter, nil, nobody},
		}
	},
	"GET /console/finance/letters.pdf": func(e *env, _ consoleWorld) []visit {
		day := "&date=" + letterDay.Format("2006-01-02")
		return []visit{
			{"GET", "/console/finance/letters.pdf?creditor=" + e.A.ID + day, nil, financeOnly},
			{"GET", "/console/finance/letters.pdf?creditor=" + e.B.ID + day, nil, onlyAdmin(200)},
		}
	},
	"GET /console/finance/letters.csv": func(e *env, _ consoleWorld) []visit {
		day := "&date=" + letterDay.Format("2006-01-02")
		return []visit{
			{"GET", "/console/finance/letters.csv?creditor=" + e.A.ID + day, nil, financeOnly},
			{"GET", "/console/finance/letters.csv?creditor=" + e.B.ID + day, nil, onlyAdmin(200)},
		}
	},
	"GET /console/ladders": func(e *env, _ consoleWorld) []visit {
		return []visit{{"GET", "/console/ladders", nil, adminsOnly(200)}}
	},
	"GET /console/ladders/:creditor": func(e *env, _ consoleWorld) []visit {
		return []visit{
			{"GET", "/console/ladders/" + e.A.ID, nil, adminsOnly(200)},
			{"GET", "/console/ladders/" + e.B.ID, nil, adminsOnly(200)},
			{"GET", "/console/ladders/" + randomID, nil, adminsOnly(404)},
		}
	},
	"POST /console/ladders/:creditor": func(e *env, _ consoleWorld) []visit {
		// A's users are refused before the form is read; the admin's form
		// lacks the weekly cap, so it reaches the handler and stores nothing.
		f := url.Values{"max_per_week": {"2"}, "rows": {"1"}, "step-0-key": {"call"}, "step-0-kind": {"task"}, "step-0-day": {"40"}}
		bad := url.Values{"rows": {"0"}}
		return []visit{
			{"POST", "/console/ladders/" + e.B.ID, f, neitherOfA403},
			{"POST", "/console/ladders/" + e.A.ID, f, neitherOfA403},
			{"POST", "/console/ladders/" + e.B.ID, bad, adminsOnly(422)},
		}
	},
	"POST /console/tasks/:id/done": func(e *env, w consoleWorld) []visit {
		// A's users are refused; the admin, last, marks it done.
		return []visit{{"POST", "/console/tasks/" + w.task + "/done", nil, onlyAdmin(303)}}
	},
	"POST /console/finance/import": func(e *env, _ consoleWorld) []visit {
		return []visit{{"POST", "/console/finance/import", url.Values{"creditor": {e.B.ID}}, neitherOfA}}
	},
	"POST /console/finance/lines/:id/confirm": func(e *env, w consoleWorld) []visit {
		return []visit{{"POST", "/console/finance/lines/" + w.line + "/confirm", url.Values{"invoice": {e.B.Invoice.ID}}, neitherOfA}}
	},
	// E2's pages: the early-signal and municipality lists show the user's own
	// creditor (another's only to the admin); a change to an id that is not
	// A's, or not there, is the console's 404 to all; rewards are the admin's,
	// like the ladder; a credit refund on B's file is refused to A's users.
	"GET /console/signals": func(e *env, _ consoleWorld) []visit {
		return []visit{{"GET", "/console/signals", nil, everyone}}
	},
	"POST /console/signals/:id/dismiss": func(e *env, _ consoleWorld) []visit {
		return []visit{{"POST", "/console/signals/" + randomID + "/dismiss", url.Values{"note": {"x"}}, nobody}}
	},
	"GET /console/municipality-signals": func(e *env, _ consoleWorld) []visit {
		return []visit{
			{"GET", "/console/municipality-signals", nil, everyone},
			{"GET", "/console/municipality-signals?creditor=" + e.B.ID, nil, onlyAdmin(200)},
		}
	},
	"GET /console/municipality-signals.csv": func(e *env, _ consoleWorld) []visit {
		return []visit{
			{"GET", "/console/municipality-signals.csv", nil, everyone},
			{"GET", "/console/municipality-signals.csv?creditor=" + e.B.ID, nil, onlyAdmin(200)},
		}
	},
	"POST /console/municipality-signals/:id/outcome": func(e *env, _ consoleWorld) []visit {
		return []visit{{"POST", "/console/municipality-signals/" + randomID + "/outcome", url.Values{"outcome": {string(collect.OutcomeNoContact)}}, nobody}}
	},
	"GET /console/webhooks": func(e *env, _ consoleWorld) []visit { return financePage(e, "/console/webhooks") },
	"POST /console/webhooks/:event/replay": func(e *env, _ consoleWorld) []visit {
		return []visit{{"POST", "/console/webhooks/" + randomID + "/replay", url.Values{"creditor": {e.B.ID}}, neitherOfA}}
	},
	"POST /console/ladders/:creditor/rewards": func(e *env, _ consoleWorld) []visit {
		f := url.Values{"occasion": {"paid_early"}, "kind": {"thanks"}}
		return []visit{
			{"POST", "/console/ladders/" + e.B.ID + "/rewards", f, neitherOfA403},
			{"POST", "/console/ladders/" + e.A.ID + "/rewards", f, neitherOfA403},
			{"POST", "/console/ladders/" + e.B.ID + "/rewards", url.Values{"occasion": {"paid_early"}, "kind": {"bogus"}}, adminsOnly(422)},
		}
	},
	"POST /console/debtors/:id/credit/refund": func(e *env, _ consoleWorld) []visit {
		return []visit{{"POST", "/console/debtors/" + e.B.Debtor.ID + "/credit/refund", nil, neitherOfA}}
	},
	"POST /console/finance/lines/:id/reject": func(e *env, w consoleWorld) []visit {
		return []visit{{"POST", "/console/finance/lines/" + w.line + "/reject", nil, neitherOfA}}
	},
	"POST /console/finance/transfers": func(e *env, _ consoleWorld) []visit {
		return []visit{{"POST", "/console/finance/transfers", url.Values{"creditor": {e.B.ID}}, neitherOfA}}
	},
	// No file exists in this world: nobody gets one, and B's stays B's
	// (TestFinanceTransferFile downloads a real one).
	"GET /console/finance/transfers/:id": func(e *env, _ consoleWorld) []visit {
		return []visit{{"GET", "/console/finance/transfers/" + randomID + "?creditor=" + e.B.ID, nil, nobody},
			{"GET", "/console/finance/transfers/" + randomID + "?creditor=" + e.A.ID, nil, nobody}}
	},
	"POST /console/finance/lines/:id/book": func(e *env, w consoleWorld) []visit {
		return []visit{{"POST", "/console/finance/lines/" + w.line + "/book", url.Values{"debtor": {e.B.Debtor.ID}, "invoice": {e.B.Invoice.ID}}, neitherOfA}}
	},
}

// consoleNotOwned are console routes that show or change no creditor's records.
var consoleNotOwned = map[string]string{
	"GET /console/login":              "sign-in page",
	"POST /console/login":             "sign-in (TestParallelSignInGuesses)",
	"POST /console/login/code":        "second factor of the user's own sign-in",
	"POST /console/logout":            "ends the user's own session",
	"GET /console/security":           "the user's own second factor",
	"POST /console/security":          "the user's own second factor",
	"GET /console/static/console.css": "the stylesheet",
	"GET /console/static/console.js":  "the queue's keyboard shortcuts",
}

// TestConsoleRoleWalk walks every console route in Fiber's route stack as
// A's agent, A's finance user and an admin: the finance pages are refused
// to agents and the ladder editor to all but admins, and no user of A
// reaches creditor B's debtors, evidence, plans, disputes, hardship
// reports, letters, follow-ups, finance pages or bank lines; the admin, who
// sees every creditor, does (so the 404s are about who asks).
func TestConsoleRoleWalk(t *testing.T) {
	t.Parallel()
	e := newEnv(t, options{})
	var w consoleWorld
	var err error
	w.letter = e.postedLetter(e.B, "W-002").ID
	e.postedLetter(e.A, "E-002")
	w.task = e.followUp(e.B)
	pdf := []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	if w.dispute, err = e.DB.CreateDispute(e.Ctx, collect.Dispute{CreditorID: e.B.ID, DebtorID: e.B.Debtor.ID, InvoiceID: e.B.Invoice.ID,
		Reason: "amount_wrong", Body: "Te hoog", Files: []collect.DisputeFile{{Filename: "bon.pdf", ContentType: "application/pdf", Data: pdf}}}); err != nil {
		t.Fatal(err)
	}
	if w.hardship, err = e.DB.ReportHardship(e.Ctx, collect.Hardship{CreditorID: e.B.ID, DebtorID: e.B.Debtor.ID, Reason: "income", Consent: true},
		e.B.Policy.BreathingDays); err != nil {
		t.Fatal(err)
	}
	first := e.DB.Today().AddDate(0, 0, 7)
	if w.plan, err = e.DB.ProposePlan(e.Ctx, collect.ProposePlan(collect.Plan{CreditorID: e.B.ID, DebtorID: e.B.Debtor.ID, Total: 10000, Months: 36, FirstDue: first},
		collect.PlanCheck{Reasons: []string{"too long"}}, false, e.DB.Now())); err != nil {
		t.Fatal(err)
	}
	e.importStatement(e.B, "B-STMT-1", "", 4321)
	if err := e.DB.PoolForTests().QueryRow(e.Ctx, `SELECT id::text FROM bank_lines WHERE creditor_id = $1 AND state = 'unmatched'`, e.B.ID).Scan(&w.line); err != nil {
		t.Fatalf("B's unmatched bank line: %v", err)
	}

	users := map[string]*client{}
	for role, a := range map[string]postgres.Agent{"agent": e.agent, "finance": e.finance, "admin": e.admin} {
		users[role] = e.Client()
		e.signInConsole(users[role], a)
	}
	walked := 0
	for _, rt := range apptest.Routes(e.App.Fiber, func(_, path string) bool { return strings.HasPrefix(path, "/console") }) {
		key := rt.Method + " " + rt.Path
		if strings.HasSuffix(rt.Path, "*") || (rt.Path == "/console" && rt.Method != http.MethodGet) {
			continue // the catch-all 404 (TestUnknownConsolePathIs404 in internal/console)
		}
		if _, ok := consoleNotOwned[key]; ok {
			continue
		}
		visits, ok := consoleRoutes[key]
		if !ok {
			t.Errorf("console route %s is not in the role walk: add to consoleRoutes what each role gets", key)
			continue
		}
		walked++
		for _, v := range visits(e, w) {
			for _, role := range []string{"agent", "finance", "admin"} {
				want, ask := v.want[role]
				if !ask {
					continue
				}
				c := users[role]
				var r response
				if v.method == http.MethodGet {
					r = c.Get(v.path)
				} else if strings.HasSuffix(v.path, "/import") {
					r = c.PostMultipart(v.path, c.CSRF, v.form)
				} else {
					form := url.Values{"_csrf": {c.CSRF}}
					for k, vs := range v.form {
						form[k] = vs
					}
					r = c.PostAsIs(v.path, form)
				}
				if r.Status != want {
					t.Errorf("%s %s as %s: status %d, want %d\n%.300s", v.method, v.path, role, r.Status, want, r.Body)
				}
				if want == http.StatusNotFound {
					for _, s := range []string{e.B.Debtor.Name, e.B.Name, "Te hoog"} {
						if strings.Contains(r.Body, s) {
							t.Errorf("%s %s as %s: the refusal shows %q", v.method, v.path, role, s)
						}
					}
				}
			}
		}
	}
	if walked < len(consoleRoutes) {
		t.Errorf("walked %d console routes, the table has %d: a route is gone or renamed", walked, len(consoleRoutes))
	}
	// Nothing A's users posted reached B.
	if n := e.Count(`SELECT count(*) FROM ladders`); n != 0 {
		t.Errorf("%d ladders saved by the walk, want 0", n)
	}
	if n := e.Count(`SELECT count(*) FROM agent_tasks WHERE id = $1 AND done_by = $2`, w.task, e.admin.ID); n != 1 {
		t.Errorf("B's follow-up was not marked done by the admin alone")
	}
	if n := e.Count(`SELECT count(*) FROM notes WHERE debtor_id = $1`, e.B.Debtor.ID); n != 0 {
		t.Errorf("%d notes on B's debtor", n)
	}
	if n := e.Count(`SELECT count(*) FROM bank_lines WHERE id = $1 AND state = 'unmatched'`, w.line); n != 1 {
		t.Errorf("B's bank line changed")
	}
	for _, q := range []string{`SELECT count(*) FROM disputes WHERE id = $1 AND status = 'open'`, `SELECT count(*) FROM plans WHERE id = $1 AND status = 'proposed'`} {
		id := w.dispute.ID
		if strings.Contains(q, "plans") {
			id = w.plan.ID
		}
		if n := e.Count(q, id); n != 1 {
			t.Errorf("%s: B's record changed (%s)", q, id)
		}
	}
}
