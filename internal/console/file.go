package console

import (
	"encoding/json"
	"fmt"
	"mime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// debtorFile is everything the debtor's file page shows: the case file,
// with its timeline in words.
type debtorFile struct {
	casework.CaseFile
	Timeline   []eventView
	SignalRows []signalRow // the open early signals with their reasons in words
}

type eventView struct {
	At      time.Time
	Who     string
	Action  string
	Subject string
	Before  string
	After   string
}

// loadDebtor loads the debtor of the :id parameter if the agent may see
// them; any other id is not found.
func (co *Console) loadDebtor(c *fiber.Ctx) (collect.Debtor, error) {
	return casework.AgentDebtor(c.UserContext(), co.DB, creditorsOf(c), c.Params("id"))
}

func (co *Console) debtorFile(c *fiber.Ctx) error {
	d, err := co.loadDebtor(c)
	if err != nil {
		return err
	}
	f, err := co.file(c, d)
	if err != nil {
		return err
	}
	return co.render(c, fiber.StatusOK, "debtor", page{Title: d.Name, File: f, Done: doneMessages[c.Query("done")]})
}

// file loads the whole file of a debtor the agent may see, for the page.
func (co *Console) file(c *fiber.Ctx, d collect.Debtor) (*debtorFile, error) {
	cf, err := casework.DebtorFile(c.UserContext(), co.DB, co.Now(), d)
	if err != nil {
		return nil, err
	}
	out := &debtorFile{CaseFile: cf, SignalRows: signalRows(cf.Signals)}
	for _, e := range cf.Timeline {
		out.Timeline = append(out.Timeline, eventView{At: e.At, Who: who(e, d), Action: e.Action, Subject: e.Subject,
			Before: describe(e.Before), After: describe(e.After)})
	}
	return out, nil
}

// who names the actor of an audit record for a person reading the file.
func who(e postgres.TimelineEvent, d collect.Debtor) string {
	kind, id, _ := strings.Cut(e.Actor, ":")
	switch {
	case kind == "agent" && e.Who != "":
		return e.Who
	case kind == "debtor" && id == d.ID:
		return "The debtor (" + d.Name + ")"
	case kind == "debtor":
		return "A debtor"
	case kind == "provider":
		return "Payment provider " + id
	case e.Actor == "cli":
		return "Operator (command line)"
	}
	return e.Actor
}

// describe writes the fields of an audit record's before or after as
// "key: value" pairs in a stable order. html/template escapes the result.
func describe(m map[string]any) string {
	if len(m) == 0 {
		return ""
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, strings.ReplaceAll(k, "_", " ")+": "+value(m[k]))
	}
	return strings.Join(parts, "; ")
}

func value(v any) string {
	switch x := v.(type) {
	case nil:
		return "none"
	case string:
		if x == "" {
			return "(empty)"
		}
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		if x {
			return "yes"
		}
		return "no"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// evidence serves one evidence file as a download, only when its dispute
// belongs to one of the agent's creditors: never inline, with the stored
// type (PDF, JPEG or PNG, checked from the content at upload) and nosniff,
// so a browser never runs it.
func (co *Console) evidence(c *fiber.Ctx) error {
	f, err := casework.EvidenceFile(c.UserContext(), co.DB, creditorsOf(c), c.Params("id"))
	if err != nil {
		return err
	}
	allowed := []string{"application/pdf", "image/jpeg", "image/png"}
	ctype := f.ContentType
	if !slices.Contains(allowed, ctype) {
		ctype = "application/octet-stream"
	}
	name := safeFilename(f.Filename)
	disp := mime.FormatMediaType("attachment", map[string]string{"filename": name})
	if disp == "" {
		disp = `attachment; filename="evidence"`
	}
	c.Set(fiber.HeaderContentType, ctype)
	c.Set(fiber.HeaderContentDisposition, disp)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	return c.Status(fiber.StatusOK).Send(f.Data)
}

// safeFilename keeps a download name to printable characters without path
// separators or quotes.
func safeFilename(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r < 0x20, r == 0x7f, r == '/', r == '\\', r == '"', r == ';':
			b.WriteRune('_')
		default:
			b.WriteRune(r)
		}
	}
	out := strings.TrimSpace(b.String())
	if out == "" || out == "." || out == ".." {
		return "evidence"
	}
	if len(out) > 200 {
		out = out[:200]
	}
	return out
}

// doneMessages are the confirmations after an action, by key, so the
// address never carries text of its own onto the page.
var doneMessages = map[string]string{
	"credit.refund":        "The credit is paid back. See the refunds under Credit.",
	"plan.approve":         "The plan is approved. The debtor sees the schedule in the portal.",
	"plan.reject":          "The plan is rejected. The debtor reads your reason in the portal.",
	"plan.counter":         "Your counter-offer is sent. The debtor can accept or decline it in the portal.",
	"plan.offer":           "Your plan is offered. The debtor can accept or decline it in the portal.",
	"dispute.upheld":       "The dispute is upheld: the invoice is credited.",
	"dispute.rejected":     "The dispute is rejected: collection resumes, and the debtor reads your answer.",
	"dispute.corrected":    "The amount is corrected: the difference is credited.",
	"hardship.extend":      "The breathing space is extended.",
	"hardship.followed_up": "The hardship report is marked as followed up.",
	"hardship.wont_pay":    "Recorded as \"won't pay\": the hardship treatment has ended.",
	"hardship.waive_costs": "The open collection costs are waived.",
	"note":                 "Your note is added.",
	"signal":               "The signal is dismissed with your note.",
}

func doneURL(debtorID, key string) string {
	return fmt.Sprintf("%s/debtors/%s?done=%s", prefix, debtorID, key)
}
