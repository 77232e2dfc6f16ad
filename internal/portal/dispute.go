package portal

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// Limits of a dispute.
const (
	MaxDisputeText  = 2000     // characters
	MaxEvidence     = 5        // files
	MaxEvidenceSize = 10 << 20 // bytes per file
)

func (p *Portal) registerDispute(g signedIn) {
	g.Get("/invoices/:id/dispute", p.disputeForm)
	g.Post("/invoices/:id/dispute", p.disputeSend)
}

// disputeLine finds the signed-in debtor's invoice of the URL; another
// debtor's invoice is not found, like one that does not exist.
func (p *Portal) disputeLine(c *fiber.Ctx) (collect.Facts, collect.Line, error) {
	f, st, err := p.statement(c)
	if err != nil {
		return f, collect.Line{}, err
	}
	line, ok := st.Line(c.Params("id"))
	if !ok {
		return f, line, fiber.ErrNotFound
	}
	return f, line, nil
}

func (p *Portal) disputePage(c *fiber.Ctx, f collect.Facts, line collect.Line) view {
	pr := p.printer(c)
	return view{P: pr, Title: pr.T("dispute.title"), Creditor: f.Creditor, SignedIn: true, Debtor: f.Debtor, Line: line,
		Reasons: collect.DisputeReasons, Form: map[string]string{}}
}

func (p *Portal) disputeForm(c *fiber.Ctx) error {
	f, line, err := p.disputeLine(c)
	if err != nil {
		return err
	}
	return p.render(c, fiber.StatusOK, "dispute", p.disputePage(c, f, line))
}

// disputeSend stores the dispute with its evidence; from then on the invoice
// is on hold. Evidence is checked by its content, never by its name.
func (p *Portal) disputeSend(c *fiber.Ctx) error {
	f, line, err := p.disputeLine(c)
	if err != nil {
		return err
	}
	pr := p.printer(c)
	v := p.disputePage(c, f, line)
	reason := c.FormValue("reason")
	body := strings.TrimSpace(strings.ReplaceAll(c.FormValue("body"), "\r\n", "\n"))
	v.Form["reason"], v.Form["body"] = reason, body

	var files []*multipart.FileHeader
	if form, err := c.MultipartForm(); err == nil {
		for _, fh := range form.File["evidence"] {
			// A form sent without a chosen file still has one empty part.
			if fh.Filename == "" && fh.Size == 0 {
				continue
			}
			files = append(files, fh)
		}
	}
	problem := ""
	switch {
	case !slices.Contains(collect.DisputeReasons, reason):
		problem = pr.T("dispute.error.reason")
	case utf8.RuneCountInString(body) > MaxDisputeText:
		problem = pr.T("dispute.error.body", MaxDisputeText)
	case len(files) > MaxEvidence:
		problem = pr.T("dispute.error.count", MaxEvidence)
	}
	var evidence []postgres.DisputeFile
	if problem == "" {
		for _, fh := range files {
			name := cleanFilename(fh.Filename)
			if fh.Size > MaxEvidenceSize {
				problem = pr.T("dispute.error.size", name)
				break
			}
			data, err := readEvidence(fh)
			if err != nil {
				return err
			}
			if len(data) > MaxEvidenceSize {
				problem = pr.T("dispute.error.size", name)
				break
			}
			typ := evidenceType(data)
			if typ == "" {
				problem = pr.T("dispute.error.type", name)
				break
			}
			evidence = append(evidence, postgres.DisputeFile{Filename: name, ContentType: typ, Size: len(data), Data: data})
		}
	}
	if problem != "" {
		v.Problem = problem
		if len(files) > 0 {
			v.Problem += " " + pr.T("dispute.error.again")
		}
		return p.render(c, fiber.StatusUnprocessableEntity, "dispute", v)
	}
	s := sessionOf(c)
	d, err := p.DB.CreateDispute(c.UserContext(), postgres.Dispute{CreditorID: s.CreditorID, DebtorID: s.DebtorID,
		InvoiceID: line.Invoice.ID, Reason: reason, Body: body, Files: evidence})
	if err != nil {
		return err
	}
	by, err := p.answerBy(c, f.Creditor, dayOf(d.CreatedAt))
	if err != nil {
		return err
	}
	lines := []string{pr.T("dispute.done.hold", line.Invoice.Number), pr.T("dispute.done.nocosts"), pr.T("dispute.done.answer", pr.Date(by))}
	if len(evidence) > 0 {
		lines = append(lines, pr.T("dispute.done.files"))
	}
	return p.render(c, fiber.StatusOK, "done", view{P: pr, Title: pr.T("dispute.done.title"), Creditor: f.Creditor, SignedIn: true, Lines: lines})
}

// readEvidence reads one uploaded file, at most one byte past the limit.
func readEvidence(fh *multipart.FileHeader) ([]byte, error) {
	r, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(io.LimitReader(r, MaxEvidenceSize+1))
}

// evidenceType is the type of an evidence file from its first bytes: PDF,
// JPEG or PNG, or "" for anything else (an HTML page named .pdf included).
// The sniffer of net/http must agree with the signature.
func evidenceType(data []byte) string {
	var want string
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")):
		want = "application/pdf"
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		want = "image/jpeg"
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		want = "image/png"
	default:
		return ""
	}
	if http.DetectContentType(data) != want {
		return ""
	}
	return want
}

// cleanFilename keeps the base name of an upload without control characters,
// short enough to show.
func cleanFilename(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' {
			return -1
		}
		return r
	}, name)
	if utf8.RuneCountInString(name) > 120 {
		name = string([]rune(name)[:120])
	}
	if name == "" || name == "." || name == "/" {
		name = "bestand"
	}
	return name
}
