package portal

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/server"
)

// Limits of a dispute's files, checked as the form is read.
const (
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
// is on hold. Evidence is checked by its content, never by its name. The form
// is read part by part as it arrives (the server has checked its CSRF token,
// the first part): each file goes to a temporary file, and the first file too
// large, of the wrong type or one too many ends the reading, so an oversized
// upload costs neither memory nor the time to receive the rest of it.
func (p *Portal) disputeSend(c *fiber.Ctx) error {
	f, line, err := p.disputeLine(c)
	if err != nil {
		return err
	}
	form, err := readDisputeForm(c)
	defer form.remove()
	if err != nil && !errors.Is(err, server.ErrBodyTooLarge) {
		return err
	}
	v := p.disputePage(c, f, line)
	v.Form["reason"], v.Form["body"] = form.reason, strings.TrimSpace(strings.ReplaceAll(form.body, "\r\n", "\n"))
	if status, refused := form.refusal(err, v.Form["reason"], v.Form["body"]); refused {
		v.Problem = v.P.T(form.problem.key, form.problem.args()...)
		if len(form.files) > 0 || form.current != "" {
			v.Problem += " " + v.P.T("dispute.error.again")
		}
		return p.render(c, status, "dispute", v)
	}
	evidence, err := form.evidence()
	if err != nil {
		return err
	}
	d, err := casework.OpenDispute(c.UserContext(), p.DB, f.Creditor, collect.Dispute{DebtorID: sessionOf(c).DebtorID,
		InvoiceID: line.Invoice.ID, Reason: v.Form["reason"], Body: v.Form["body"], Files: evidence})
	if err != nil {
		return err
	}
	return p.disputeDone(c, f.Creditor, line, d)
}

// disputeDone says what happens now: the invoice on hold, no costs, and the
// day of the answer.
func (p *Portal) disputeDone(c *fiber.Ctx, cr collect.Creditor, line collect.Line, d casework.OpenedDispute) error {
	pr := p.printer(c)
	lines := []string{pr.T("dispute.done.hold", line.Invoice.Number), pr.T("dispute.done.nocosts"), pr.T("dispute.done.answer", pr.Date(d.AnswerBy))}
	if len(d.Files) > 0 {
		lines = append(lines, pr.T("dispute.done.files"))
	}
	return p.render(c, fiber.StatusOK, "done", view{P: pr, Title: pr.T("dispute.done.title"), Creditor: cr, SignedIn: true, Lines: lines})
}

// refusal is why the form is refused, if it is, and the status to answer:
// an upload too large first, then the text, then a refused file.
func (f *disputeForm) refusal(readErr error, reason, body string) (int, bool) {
	if errors.Is(readErr, server.ErrBodyTooLarge) {
		f.problem = problem{key: "dispute.error.size", arg: f.current}
		return fiber.StatusRequestEntityTooLarge, true
	}
	var e *collect.Error
	err := casework.CheckDispute(reason, body)
	switch {
	case errors.As(err, &e) && e.Field == "reason":
		f.problem = problem{key: "dispute.error.reason"}
	case err != nil || f.bodyTooLong:
		f.problem = problem{key: "dispute.error.body", arg: casework.MaxDisputeText}
	}
	return fiber.StatusUnprocessableEntity, f.problem.key != ""
}

// evidence reads the spooled files back for the store.
func (f *disputeForm) evidence() ([]collect.DisputeFile, error) {
	evidence := make([]collect.DisputeFile, 0, len(f.files))
	for _, e := range f.files {
		data, err := os.ReadFile(e.path)
		if err != nil {
			return nil, fmt.Errorf("read evidence: %w", err)
		}
		evidence = append(evidence, collect.DisputeFile{Filename: e.name, ContentType: e.typ, Size: len(data), Data: data})
	}
	return evidence, nil
}

// MaxDisputeBody is the most a dispute form may send: its files at their
// limit and room for the text. The server refuses more before reading it.
const MaxDisputeBody = MaxEvidence*MaxEvidenceSize + 1<<20

// maxDisputeField is the most one text field of the form may hold in bytes:
// casework.MaxDisputeText characters of four bytes each, with room for CRLF line ends.
const maxDisputeField = 4*casework.MaxDisputeText + 2048

// problem is why a dispute form is refused: a translation key and its argument.
type problem struct {
	key string
	arg any
}

func (p problem) args() []any {
	if p.arg == nil {
		return nil
	}
	return []any{p.arg}
}

// evidenceFile is one uploaded file, spooled to a temporary file.
type evidenceFile struct {
	name, typ, path string
}

// disputeForm is what readDisputeForm found.
type disputeForm struct {
	reason, body string
	bodyTooLong  bool
	files        []evidenceFile
	// current is the name of the file being read when reading stopped.
	current string
	// problem is the first file that is refused (too many, too large, wrong type).
	problem problem
}

// remove deletes the temporary files.
func (f *disputeForm) remove() {
	for _, e := range f.files {
		os.Remove(e.path)
	}
}

// readDisputeForm reads the parts of the dispute form in their order and
// stops at the first refused file.
func readDisputeForm(c *fiber.Ctx) (*disputeForm, error) {
	form := &disputeForm{}
	parts, err := server.UploadParts(c)
	if err != nil {
		return form, err
	}
	for {
		part, err := parts.NextPart()
		if err == io.EOF {
			return form, nil
		}
		if err != nil {
			return form, fmt.Errorf("read dispute form: %w", err)
		}
		switch {
		case part.FormName() == "evidence" && part.FileName() != "":
			form.current = cleanFilename(part.FileName())
			if len(form.files) == MaxEvidence {
				form.problem = problem{key: "dispute.error.count", arg: MaxEvidence}
				return form, nil
			}
			e, key, err := spoolEvidence(part, form.current)
			if err != nil || key != "" {
				form.problem = problem{key: key, arg: form.current}
				return form, err
			}
			form.files = append(form.files, e)
			form.current = ""
		case part.FormName() == "reason" || part.FormName() == "body":
			if err := form.readField(part.FormName(), part); err != nil {
				return form, err
			}
		default:
			// An unknown part, or a file input left empty: read past it.
			if _, err := io.Copy(io.Discard, part); err != nil {
				return form, fmt.Errorf("read dispute form: %w", err)
			}
		}
	}
}

// readField reads the reason or the body, at most one byte past its limit.
func (f *disputeForm) readField(name string, part io.Reader) error {
	raw, err := io.ReadAll(io.LimitReader(part, maxDisputeField+1))
	if err != nil {
		return fmt.Errorf("read dispute form: %w", err)
	}
	if name == "reason" {
		f.reason = string(raw)
	} else {
		f.body, f.bodyTooLong = string(raw), len(raw) > maxDisputeField
	}
	return nil
}

// spoolEvidence checks an evidence file's type from its first bytes and
// copies it to a temporary file, at most one byte past the limit. It gives
// the translation key of the problem when the file is refused.
func spoolEvidence(part io.Reader, name string) (evidenceFile, string, error) {
	head := make([]byte, 512) // what http.DetectContentType looks at
	n, err := io.ReadFull(part, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return evidenceFile{}, "", err
	}
	head = head[:n]
	typ := evidenceType(head)
	if typ == "" {
		return evidenceFile{}, "dispute.error.type", nil
	}
	tmp, err := os.CreateTemp("", "settle-evidence-*")
	if err != nil {
		return evidenceFile{}, "", fmt.Errorf("spool evidence: %w", err)
	}
	e := evidenceFile{name: name, typ: typ, path: tmp.Name()}
	size, err := io.Copy(tmp, io.LimitReader(io.MultiReader(bytes.NewReader(head), part), MaxEvidenceSize+1))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	switch {
	case err != nil:
		os.Remove(e.path)
		return evidenceFile{}, "", err
	case size > MaxEvidenceSize:
		os.Remove(e.path)
		return evidenceFile{}, "dispute.error.size", nil
	}
	return e, "", nil
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
