package console_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/casework"
)

// TestAnalyticsPage: a finance user sees a creditor's figures with their
// SVG charts and downloads them as CSV; an agent gets a 404, and a finance
// user of another creditor neither sees nor downloads them. (The figures
// are worked out by hand in casework's TestAnalyticsFigures.)
func TestAnalyticsPage(t *testing.T) {
	e := newEnv(t)
	a := e.creditor("Zonnestroom Energie")
	b := e.creditor("Groothandel Van Dijk")
	d1 := e.debtor(a, "D-1", "Jan de Vries")
	inv1 := e.invoice(a, d1, "F-1001", apptest.Start.AddDate(0, 0, -30), 10000)
	e.Agent("agent@example.nl", "agent", a.ID)
	e.Agent("fin@example.nl", "finance", a.ID)
	e.Agent("fin-b@example.nl", "finance", b.ID)

	fin := e.Client()
	fin.SignInAgent("fin@example.nl")
	fin.Get("/console/finance")
	apptest.WantStatus(t, "import", upload(fin, "/console/finance/import", map[string]string{"creditor": a.ID}, "stmt.xml", statement(t, "S-1", inv1.PaymentReference, 99999)), http.StatusOK)

	r := fin.Get("/console/analytics?creditor=" + a.ID + "&from=2026-11-01&to=2026-11-30")
	apptest.WantStatus(t, "analytics", r, http.StatusOK)
	apptest.WantContains(t, "analytics", r.Body, "Analytics: Zonnestroom Energie", `href="/console/analytics"`,
		`<span id="collected-total">€50.00</span>`, `id="chart-channel"`, `id="chart-method"`, `id="chart-messages"`, `role="img"`,
		"No message before: €50.00 · 1 payment", `<tr id="method-transfer"><th scope="row">Bank transfer</th><td class="num">1</td><td class="num">€50.00</td>`,
		"nothing to measure in this period",
		// the period form it shares with the finance page: its own action, the creditor and days shown
		`<form method="get" action="/console/analytics" class="period">`, `<option value="`+a.ID+`" selected>`,
		`id="from" name="from" value="2026-11-01"`, `id="to" name="to" value="2026-11-30"`)
	apptest.WantStatus(t, "a bad period", fin.Get("/console/analytics?from=2026-11-30&to=2026-11-01"), http.StatusBadRequest)

	r = fin.Get("/console/analytics.csv?creditor=" + a.ID + "&from=2026-11-01&to=2026-11-30")
	apptest.WantStatus(t, "analytics CSV", r, http.StatusOK)
	rows := readCSV(t, r.Body)
	if strings.Join(rows[0], ";") != strings.Join(casework.AnalyticsCSVHeader, ";") {
		t.Fatalf("CSV header %v", rows[0])
	}
	found := false
	for _, row := range rows {
		if row[0] == "collected_by_method" && row[1] == "transfer" {
			found = row[2] == "1" && row[5] == "50,00"
		}
	}
	if !found {
		t.Errorf("CSV has no transfer line of 1 payment, 50,00:\n%s", r.Body)
	}

	ag := e.Client()
	ag.SignInAgent("agent@example.nl")
	apptest.WantNotContains(t, "agent's menu", ag.Get("/console").Body, `href="/console/analytics"`)
	apptest.WantStatus(t, "agent", ag.Get("/console/analytics?creditor="+a.ID), http.StatusNotFound)
	apptest.WantStatus(t, "agent CSV", ag.Get("/console/analytics.csv?creditor="+a.ID+"&from=2026-11-01&to=2026-11-30"), http.StatusNotFound)
	fb := e.Client()
	fb.SignInAgent("fin-b@example.nl")
	apptest.WantStatus(t, "finance b asks for a", fb.Get("/console/analytics?creditor="+a.ID), http.StatusNotFound)
	apptest.WantStatus(t, "finance b CSV of a", fb.Get("/console/analytics.csv?creditor="+a.ID+"&from=2026-11-01&to=2026-11-30"), http.StatusNotFound)
	apptest.WantNotContains(t, "finance b", fb.Get("/console/analytics").Body, "Zonnestroom", "€50.00")
}
