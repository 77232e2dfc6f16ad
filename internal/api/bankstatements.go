package api

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/server"
)

// MaxStatementBody is the largest CAMT.053 file POST /bank-statements
// accepts: 64 MiB. The server refuses a larger Content-Length before reading
// any of it, and the handler reads the body as a stream straight into the
// parser, so a statement never sits in memory whole. Bigger files (a year of
// a busy account) are imported with `settle import camt FILE`, which streams
// from disk without a limit.
const MaxStatementBody = 64 << 20

// BankStatementsPath is the route that takes a statement as its body: the
// server lets it, alone in the API, exceed MaxBody.
const BankStatementsPath = "/api/v1/bank-statements"

// StatementHint is what to do with a statement larger than MaxStatementBody.
const StatementHint = "import it with `settle import camt FILE`"

// StatementUpload lets BankStatementsPath, alone in the API, take a body
// above MaxBody, read by its handler as a stream.
var StatementUpload = server.Upload{Method: fiber.MethodPost, Path: BankStatementsPath, Max: MaxStatementBody, Hint: StatementHint}

var errStatementTooLarge = errors.New("the statement is larger than 64 MiB: " + StatementHint)

// limitedReader fails, rather than stopping quietly, once more than n bytes
// are read: a chunked body has no Content-Length for the server to check.
type limitedReader struct {
	r io.Reader
	n int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.n -= int64(n)
	if l.n < 0 {
		return n, errStatementTooLarge
	}
	return n, err
}

func (a *API) importBankStatement(c *fiber.Ctx) error {
	cred := creditorOf(c)
	var stream io.Reader = bytes.NewReader(c.Body())
	if s := c.Context().RequestBodyStream(); s != nil {
		// The server streams every body and leaves this route's unread.
		stream = s
	}
	body := bufio.NewReaderSize(&limitedReader{r: stream, n: MaxStatementBody}, 64<<10)
	if _, err := body.Peek(1); err == io.EOF {
		return &Problem{Status: fiber.StatusBadRequest, Code: "malformed", Message: "send the CAMT.053 file (XML) as the body"}
	}
	res, err := casework.ImportCAMT(c.UserContext(), a.DB, body, casework.ImportOptions{ImportedBy: "api:" + cred.ID, CreditorID: cred.ID})
	var ie *casework.ImportError
	switch {
	case err == nil:
	case errors.Is(err, errStatementTooLarge):
		return &Problem{Status: fiber.StatusRequestEntityTooLarge, Code: "too_large", Message: errStatementTooLarge.Error()}
	case errors.Is(err, casework.ErrImportStopped) && c.UserContext().Err() == nil:
		a.Log.Error("bank statement import stopped after storing its lines", "creditor", cred.ID, "err", err)
		return &Problem{Status: fiber.StatusInternalServerError, Code: "import_incomplete", Message: casework.ErrImportStopped.Error()}
	case errors.As(err, &ie) && ie.Parse != nil:
		return c.Status(fiber.StatusUnprocessableEntity).JSON(fiber.Map{"error": fiber.Map{
			"code": "malformed", "message": ie.Error(), "field": ie.Parse.Element, "line": ie.Parse.Line,
		}})
	default:
		return err
	}
	if res.Statements == nil {
		res.Statements = []casework.StatementResult{}
	}
	return c.Status(fiber.StatusCreated).JSON(res)
}

type bankSuggestionOut struct {
	ID        int64   `json:"id"`
	DebtorID  string  `json:"debtor_id"`
	InvoiceID *string `json:"invoice_id"`
	Score     int     `json:"score"`
	Evidence  string  `json:"evidence"`
}

type bankLineOut struct {
	ID               string                `json:"id"`
	Seq              int64                 `json:"seq"`
	Amount           int64                 `json:"amount"`
	Currency         string                `json:"currency"`
	Credit           bool                  `json:"credit"`
	Reversal         bool                  `json:"reversal"`
	BookingDate      string                `json:"booking_date"`
	Reference        string                `json:"reference"`
	Text             string                `json:"text"`
	CounterpartyName string                `json:"counterparty_name"`
	CounterpartyIBAN string                `json:"counterparty_iban"`
	EndToEndID       string                `json:"end_to_end_id"`
	State            collect.BankLineState `json:"state"`
	Reason           string                `json:"reason"`
	InvoiceID        *string               `json:"invoice_id"`
	DebtorID         *string               `json:"debtor_id"`
	PaymentID        *string               `json:"payment_id"`
	PayoutID         *string               `json:"payout_id"`
	Reverses         *string               `json:"reverses"`
	Suggestions      []bankSuggestionOut   `json:"suggestions"`
}

type bankStatementOut struct {
	ID          string                        `json:"id"`
	AccountIBAN string                        `json:"account_iban"`
	StatementID string                        `json:"statement_id"`
	Sequence    string                        `json:"sequence"`
	Version     string                        `json:"version"`
	CreatedAt   *time.Time                    `json:"created_at"`
	ImportedAt  time.Time                     `json:"imported_at"`
	States      map[collect.BankLineState]int `json:"states"`
	Lines       []bankLineOut                 `json:"lines"`
	// NextAfter is the after= of the next page, or null on the last.
	NextAfter *int64 `json:"next_after"`
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Paging of GET /bank-statements/{id}.
const (
	defaultBankLines = 1000
	maxBankLines     = 10000
)

func (a *API) getBankStatement(c *fiber.Ctx) error {
	after, limit := int64(0), defaultBankLines
	if s := c.Query("after"); s != "" {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil || v < 0 {
			return invalid("after", "after must be a whole number (the next_after of the previous page)")
		}
		after = v
	}
	if s := c.Query("limit"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 || v > maxBankLines {
			return invalid("limit", "limit must be a whole number from 1 to %d", maxBankLines)
		}
		limit = v
	}
	pg, err := casework.BankStatementPage(c.UserContext(), a.DB, creditorOf(c).ID, c.Params("id"), after, limit)
	if collect.IsNotFound(err) {
		return notFound("bank statement not found")
	}
	if err != nil {
		return err
	}
	return c.JSON(statementOut(pg))
}

// statementOut is the JSON of one page of a statement.
func statementOut(pg casework.StatementPage) bankStatementOut {
	st := pg.Statement
	out := bankStatementOut{ID: st.ID, AccountIBAN: st.AccountIBAN, StatementID: st.StmtID, Sequence: st.Sequence, Version: st.Version,
		CreatedAt: st.CreatedAt, ImportedAt: st.ImportedAt, States: st.States, Lines: []bankLineOut{}, NextAfter: pg.NextAfter}
	for _, l := range pg.Lines {
		o := bankLineOut{ID: l.ID, Seq: l.Seq, Amount: l.Amount, Currency: l.Currency, Credit: l.Credit, Reversal: l.Reversal,
			BookingDate: dateString(l.BookingDate), Reference: l.Reference, Text: l.Text, CounterpartyName: l.CPName, CounterpartyIBAN: l.CPIBAN,
			EndToEndID: l.EndToEndID, State: l.State, Reason: l.Reason, InvoiceID: optional(l.InvoiceID), DebtorID: optional(l.DebtorID),
			PaymentID: optional(l.PaymentID), PayoutID: optional(l.PayoutID), Reverses: optional(l.Reverses), Suggestions: []bankSuggestionOut{}}
		for _, s := range l.Suggestions {
			o.Suggestions = append(o.Suggestions, bankSuggestionOut{ID: s.ID, DebtorID: s.DebtorID, InvoiceID: optional(s.InvoiceID), Score: s.Score, Evidence: s.Evidence})
		}
		out.Lines = append(out.Lines, o)
	}
	return out
}
