package casework

import (
	"embed"
	"fmt"
	"html"
	"io/fs"
	"strings"
	"text/template"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/i18n"
)

// messageFS holds the debtor-facing message templates, one file per
// template and language: <name>.<lang>.tmpl, each defining "subject",
// "text" (the email and letter body) and "sms".
//
//go:embed messages/*.tmpl
var messageFS embed.FS

// messageTemplates are the parsed templates by "<name>.<lang>". A template
// that does not parse stops the program at start, as a broken embedded
// file is a build error in all but name.
var messageTemplates = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	files, err := fs.Glob(messageFS, "messages/*.tmpl")
	if err != nil {
		panic(err)
	}
	for _, f := range files {
		key := strings.TrimSuffix(strings.TrimPrefix(f, "messages/"), ".tmpl")
		out[key] = template.Must(template.New(key).Option("missingkey=error").ParseFS(messageFS, f))
	}
	return out
}()

// messageData is what a message template may say.
type messageData struct {
	Name       string // the debtor's name
	Creditor   string
	Invoice    string // the invoice's number
	Amount     string // what is open, "€ 245,50"
	DueDate    string // "2 december 2026"
	Link       string
	Phone      string // the creditor's phone number
	PhoneHours string
	Deadline   string // the 14-day letter's last day to pay without costs
	Costs      string // the costs that letter announces
	HasCosts   bool
	HelpPhone  string // free debt help
	// The day after: what was missed and when, and whether one more missed
	// part stops the plan.
	Missed     string
	MissedOn   string
	LastChance bool
}

// renderedMessage is a message's words for one channel.
type renderedMessage struct {
	Subject, Text, HTML string
}

// renderMessage fills template name in lang for channel ch (renderTemplate).
func renderMessage(name, lang string, ch collect.Channel, d messageData) (renderedMessage, error) {
	t, ok := messageTemplates[name+"."+lang]
	if !ok {
		return renderedMessage{}, fmt.Errorf("message template %s.%s does not exist", name, lang)
	}
	r, err := renderTemplate(t, ch, d)
	if l := i18n.Lookup(lang); err == nil && l.Code == lang && l.Dir == "rtl" {
		// An Arabic email reads right to left in the mail program too.
		r.HTML = strings.Replace(r.HTML, "<html>", `<html lang="`+lang+`" dir="rtl">`, 1)
	}
	return r, err
}

// renderTemplate fills t for channel ch: an SMS gets the short text; email
// gets the long text and its HTML twin; a letter the long text.
func renderTemplate(t *template.Template, ch collect.Channel, d messageData) (renderedMessage, error) {
	part := func(def string) (string, error) {
		var b strings.Builder
		if err := t.ExecuteTemplate(&b, def, d); err != nil {
			return "", fmt.Errorf("render %s %s: %w", t.Name(), def, err)
		}
		return strings.TrimSpace(b.String()), nil
	}
	var r renderedMessage
	var err error
	if ch == collect.ChannelSMS || ch == collect.ChannelWhatsApp {
		r.Text, err = part("sms")
		return r, err
	}
	if r.Subject, err = part("subject"); err != nil {
		return r, err
	}
	if r.Text, err = part("text"); err != nil {
		return r, err
	}
	r.HTML = textToHTML(r.Text, d.Link)
	return r, nil
}

// messageLanguage is the language a message is written in: the one asked
// for when a template speaks it, else Dutch, the product's first language.
func messageLanguage(name string, langs ...string) string {
	for _, l := range langs {
		if _, ok := messageTemplates[name+"."+l]; ok {
			return l
		}
	}
	return "nl"
}

// textToHTML is the HTML part of an email: the text's paragraphs, with the
// link as a link.
func textToHTML(text, link string) string {
	var b strings.Builder
	b.WriteString("<!doctype html><html><body style=\"font-family:sans-serif;font-size:16px;line-height:1.5\">")
	for _, p := range strings.Split(text, "\n\n") {
		esc := strings.ReplaceAll(html.EscapeString(p), "\n", "<br>")
		if link != "" {
			l := html.EscapeString(link)
			esc = strings.ReplaceAll(esc, l, `<a href="`+l+`">`+l+`</a>`)
		}
		b.WriteString("<p>" + esc + "</p>")
	}
	b.WriteString("</body></html>")
	return b.String()
}
