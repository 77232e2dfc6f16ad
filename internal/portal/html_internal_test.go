package portal

import (
	"bytes"
	"html/template"
	"strings"
	"testing"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/i18n"
)

// The parts html.go writes in Go are defined by the templates they
// replaced, kept here: each test renders both and wants the same bytes, so
// a wrong word, amount, date, link or escape in the Go code fails.

// cardsTemplate is the overview's cards as a template that words everything
// itself from the lines, through the printer.
const cardsTemplate = `{{range .Open}}
  <li class="card">
    <h2 class="h3">{{.Invoice.Description}}</h2>
    <dl>
      <dt>{{$.P.T "overview.number"}}</dt><dd>{{.Invoice.Number}}</dd>
      <dt>{{$.P.T "overview.open"}}</dt><dd class="amount">{{$.P.Money .Total}}</dd>
      <dt>{{$.P.T "overview.due"}}</dt><dd>{{$.P.Date .Invoice.DueDate}} ({{if and $.Calm (eq .Status "overdue")}}{{$.P.T "status.calm"}}{{else}}{{$.P.T (print "status." .Status)}}{{end}})</dd>
    </dl>
    {{if .OnHold}}<p class="hold">{{$.P.T "overview.onhold"}}</p>{{end}}
    <p><a href="/invoices/{{.Invoice.ID}}">{{$.P.T "overview.details" .Invoice.Number}}</a></p>
  </li>
{{end}}`

// switchTemplate is the layout's language switch as it was.
const switchTemplate = `{{range .Languages}}{{if eq .Code $.P.Lang.Code}}<span class="lang current" lang="{{.Code}}" aria-current="true">{{.Name}}</span>{{else}}<form method="post" action="/language" class="inline">
      <input type="hidden" name="_csrf" value="{{$.CSRF}}"><input type="hidden" name="lang" value="{{.Code}}"><input type="hidden" name="back" value="{{$.Back}}">
      <button type="submit" class="link" lang="{{.Code}}">{{.Name}}</button></form>{{end}}
    {{end}}`

func execute(t *testing.T, src string, data any) string {
	t.Helper()
	var buf bytes.Buffer
	if err := template.Must(template.New("t").Funcs(pageFuncs).Parse(src)).Execute(&buf, data); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// hard are values that need escaping: markup, both quotes, &, +, NUL,
// invalid UTF-8, a noncharacter, right-to-left text and percent signs.
var hard = []string{"", "plain", `<script>alert("x")</script>`, "Tom & Jerry's +31 (0)20", "a\x00b", "bad \xff\xfe utf8", "\ufdd0 \uffff",
	"العربية & Türkçe", "100% of %zz and %41", "/a b?c=d&e=f#g", "F-2026-0001<0>", "ok-id_1.2~3",
	"javascript:alert(1)", "JavaScript:x", "HTTPS://example.nl/a?b=c", "mailto:x@y.nl", "/pay:now", "data:text/html,x", "tel:0201234567"}

// TestHTMLWriterEscapesAsTemplate: text, attributes and URL parts come out as
// html/template prints them.
func TestHTMLWriterEscapesAsTemplate(t *testing.T) {
	for _, s := range hard {
		var w htmlWriter
		w.raw(`<p title="`)
		w.text(s)
		w.raw(`">`)
		w.text(s)
		w.raw(`</p><a href="/invoices/`)
		w.urlPart(s)
		w.raw(`">x</a><a href="`)
		w.url(s)
		w.raw(`">y</a>`)
		want := execute(t, `<p title="{{.}}">{{.}}</p><a href="/invoices/{{.}}">x</a><a href="{{.}}">y</a>`, s)
		if w.String() != want {
			t.Errorf("%q:\n got %s\nwant %s", s, w.String(), want)
		}
	}
}

// TestCardsAsTemplate: the cards of every sample overview, in every
// language, calm or not, are the template's.
func TestCardsAsTemplate(t *testing.T) {
	for name, o := range sampleOverviews() {
		open := o.Statement.Undisputed()
		for _, lang := range i18n.Codes() {
			for _, calm := range []bool{false, true} {
				pr := i18n.For(lang)
				want := execute(t, cardsTemplate, map[string]any{"P": pr, "Open": open, "Calm": calm})
				if got := string(invoiceCards(pr, open, calm)); got != want {
					t.Errorf("%s in %s, calm %v:\n got %s\nwant %s", name, lang, calm, got, want)
				}
			}
		}
	}
	// A card shows each invoice's own amount, number and due date.
	ls := sampleOverviews()["nl-ten"].Statement.Lines
	got := string(invoiceCards(i18n.For("nl"), ls, false))
	if strings.Count(got, `<li class="card">`) != len(ls) || !strings.Contains(got, "€ 164,68") || !strings.Contains(got, "F-2026-0003&lt;2&gt;") {
		t.Errorf("cards miss a line, an amount or a number:\n%s", got)
	}
	if invoiceCards(i18n.For("nl"), nil, false) != "" {
		t.Error("no open invoices should give no cards")
	}
}

// TestLanguageSwitchAsTemplate: the switch for every current language, with
// a token and a page to go back to that need escaping.
func TestLanguageSwitchAsTemplate(t *testing.T) {
	for _, lang := range i18n.Codes() {
		for _, s := range hard {
			data := map[string]any{"P": i18n.For(lang), "Languages": i18n.Languages, "CSRF": s, "Back": "/overview?" + s}
			want := execute(t, switchTemplate, data)
			if got := string(languageSwitch(lang, s, "/overview?"+s)); got != want {
				t.Errorf("%s, %q:\n got %s\nwant %s", lang, s, got, want)
			}
		}
	}
}

// actionsTemplate, nextTemplate and footerTemplate are the overview's
// buttons, its "what to do" section and the layout's footer as they were.
const actionsTemplate = `{{if .Actions}}<nav class="actions" aria-label="{{.P.T "overview.actions"}}">
  {{range $i, $a := .Actions}}<a class="button{{if $i}} secondary{{end}}" href="{{$a.Path}}">{{$.P.T $a.Key}}</a>{{end}}
</nav>{{end}}`

const nextTemplate = `{{if .Open}}<section aria-labelledby="next">
  <h2 id="next">{{.P.T "overview.next"}}</h2>
  {{range .NextSteps}}<p>{{.}}</p>{{end}}
  <p>{{.P.T "next.help"}}</p>
  <p id="next-dispute">{{.P.T "next.dispute" (.P.T "action.dispute")}}</p>
  {{if eq (len .Open) 1}}{{with index .Open 0}}<p><a href="/invoices/{{.Invoice.ID}}/dispute">{{$.P.T "action.dispute"}}</a></p>{{end}}{{end}}
</section>{{end}}`

const footerTemplate = `{{if .Creditor.Name}}<footer>
  <h2>{{.P.T "contact.head"}}</h2>
  {{if .Creditor.Phone}}<p>{{linked (.P.T "contact.call" .Creditor.Phone .Creditor.PhoneHours) .Creditor}}</p>{{end}}
  {{if .Creditor.Email}}<p>{{linked (.P.T "contact.mail" .Creditor.Email) .Creditor}}</p>{{end}}
  <p class="small">{{.P.T "footer" .Creditor.Name}}</p>
</footer>{{end}}`

// TestOverviewPartsAsTemplate: the buttons and the next steps of every
// sample overview in every language, and the footer for creditors with
// and without a phone number or email address, are the templates'.
func TestOverviewPartsAsTemplate(t *testing.T) {
	p := benchPortal()
	for name, o := range sampleOverviews() {
		for _, lang := range i18n.Codes() {
			v := p.overviewView(i18n.For(lang), o)
			data := map[string]any{"P": v.P, "Actions": v.Actions, "Open": v.Open, "NextSteps": v.NextSteps}
			if want := execute(t, actionsTemplate, data); string(v.Nav) != want {
				t.Errorf("%s in %s, buttons:\n got %s\nwant %s", name, lang, v.Nav, want)
			}
			if want := execute(t, nextTemplate, data); string(v.Next) != want {
				t.Errorf("%s in %s, next steps:\n got %s\nwant %s", name, lang, v.Next, want)
			}
		}
	}
	base := sampleOverviews()["nl-ten"].Facts.Creditor
	noPhone, noMail, nameless := base, base, collect.Creditor{Phone: "020 123 45 67"}
	noPhone.Phone = ""
	noMail.Email = ""
	for _, cr := range []collect.Creditor{base, noPhone, noMail, nameless, {Name: "A+B", Phone: "+31 (0)20 1234567", PhoneHours: "<9-17>", Email: `x"@y.nl`}} {
		for _, lang := range i18n.Codes() {
			pr := i18n.For(lang)
			want := execute(t, footerTemplate, map[string]any{"P": pr, "Creditor": cr})
			if got := string(footer(pr, cr)); got != want {
				t.Errorf("footer of %+v in %s:\n got %s\nwant %s", cr, lang, got, want)
			}
		}
	}
}

// transferTemplate is the transfer block as layout.html defined it.
const transferTemplate = `{{with .Transfer}}<section aria-labelledby="transfer" class="transfer" data-copy-button="{{$.P.T "transfer.copy.button"}}" data-copy-done="{{$.P.T "transfer.copy.done"}}" data-copy-failed="{{$.P.T "transfer.copy.failed"}}">
  <h2 id="transfer">{{$.P.T "invoice.transfer"}}</h2>
  <p>{{$.P.T "transfer.intro"}}</p>
  <dl class="transfer-facts">
    <dt>{{$.P.T "transfer.amount"}}</dt><dd><output class="copy" id="transfer-amount">{{$.P.Money .Amount}}</output></dd>
    <dt>{{$.P.T "transfer.iban"}}</dt><dd><output class="copy" id="transfer-iban" dir="ltr">{{.IBAN}}</output></dd>
    <dt>{{$.P.T "transfer.name"}}</dt><dd><output class="copy" id="transfer-name">{{.Name}}</output></dd>
    {{if .Reference}}<dt>{{$.P.T "transfer.reference"}}</dt><dd><output class="copy" id="transfer-reference" dir="ltr">{{.Reference}}</output></dd>{{end}}
  </dl>
  <p class="hint">{{$.P.T "transfer.copy"}}</p>
  <p class="copied" id="transfer-copied" role="status"></p>
  {{if .Reference}}<p>{{$.P.T "transfer.reference.why"}}</p>{{end}}
  {{if .QR}}<figure class="epc">
    <img id="transfer-qr" src="{{.QR}}" width="200" height="200" alt="{{$.P.T "transfer.qr.alt" ($.P.Money .Amount) .Name}}">
    <figcaption>{{$.P.T "transfer.qr"}}</figcaption>
  </figure>{{end}}
</section>{{end}}`

// TestTransferAsTemplate: the transfer block with and without a reference
// and a code, with a name that needs escaping and a real code, in every
// language, is the template's.
func TestTransferAsTemplate(t *testing.T) {
	cr := collect.Creditor{Name: `Energie "Noord" & Zn <BV>`, IBAN: "NL91ABNA0417164300"}
	full := transferOf(cr, 167955, "RF18539007547034")
	if full == nil || full.QR == "" {
		t.Fatal("no transfer block or no code for a valid account and reference")
	}
	noRef := transferOf(cr, 100, "")
	noCode := *full
	noCode.QR = ""
	for _, tv := range []*transferView{full, noRef, &noCode, {Amount: 1, IBAN: "NL91 ABNA", Name: "a+b\x00", Reference: "<ref>", QR: "data:image/png;base64,ab+/=="}} {
		for _, lang := range i18n.Codes() {
			pr := i18n.For(lang)
			want := execute(t, transferTemplate, map[string]any{"P": pr, "Transfer": tv})
			if got := string(tv.html(pr)); got != want {
				t.Errorf("%+.60v in %s:\n got %s\nwant %s", *tv, lang, got, want)
			}
		}
	}
}
