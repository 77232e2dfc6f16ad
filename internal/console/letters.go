package console

import (
	"bytes"
	"errors"
	"html/template"
	"io"
	"math"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// registerLetters mounts the letter downloads: one posted notice's letter
// from the debtor's file, and for finance users and admins the day's batch
// for the print-and-mail partner (one PDF, and its CSV manifest).
func (co *Console) registerLetters(app *fiber.App) {
	co.pages["letters"] = template.Must(template.New("letters").Funcs(funcs).ParseFS(templates, "templates/layout.html", "templates/letters.html"))
	app.Get(prefix+"/debtors/:id/letters", co.requireAgent, co.h(co.debtorLetters))
	app.Get(prefix+"/debtors/:id/letters/:notice", co.requireAgent, co.h(co.noticeLetter))
	app.Get(financePrefix+"/letters.pdf", co.requireAgent, co.requireFinance, co.h(co.dayLetters))
	app.Get(financePrefix+"/letters.csv", co.requireAgent, co.requireFinance, co.h(co.dayManifest))
}

// lettersPage lists a debtor's posted letters.
type lettersPage struct {
	Debtor  collect.Debtor
	Letters []postgres.Letter
}

func (co *Console) debtorLetters(c *fiber.Ctx) error {
	d, err := co.loadDebtor(c)
	if err != nil {
		return err
	}
	ls, err := casework.DebtorLetters(c.UserContext(), co.DB, d.CreditorID, d.ID)
	if err != nil {
		return err
	}
	return co.render(c, fiber.StatusOK, "letters", page{Title: "Letters to " + d.Name, Letters: &lettersPage{Debtor: d, Letters: ls}})
}

// noticeLetter sends the PDF of a letter exactly as it was printed.
func (co *Console) noticeLetter(c *fiber.Ctx) error {
	d, err := co.loadDebtor(c)
	if err != nil {
		return err
	}
	l, err := casework.NoticeLetter(c.UserContext(), co.DB, d.CreditorID, c.Params("notice"))
	if err != nil {
		return err
	}
	return sendFile(c, "letter-"+l.Number+".pdf", "application/pdf", l.PDF)
}

func (co *Console) dayLetters(c *fiber.Ctx) error {
	return co.dayBatch(c, func(pdf, _ []byte, name string) error {
		return sendFile(c, name+".pdf", "application/pdf", pdf)
	})
}

func (co *Console) dayManifest(c *fiber.Ctx) error {
	return co.dayBatch(c, func(_, manifest []byte, name string) error {
		return sendFile(c, name+".csv", "text/csv; charset=utf-8", manifest)
	})
}

// dayBatch draws the letters one of the user's creditors posted on the day
// asked (today unless given) as one PDF and its manifest, and sends one of them.
func (co *Console) dayBatch(c *fiber.Ctx, send func(pdf, manifest []byte, name string) error) error {
	s, err := co.selectFor(c, func(k string) string {
		if k == "creditor" {
			return c.Query(k)
		}
		return ""
	})
	if err != nil {
		return err
	}
	day := dateOnly(co.Now().In(amsterdam))
	if v := c.Query("date"); v != "" {
		if day, err = time.Parse(time.DateOnly, v); err != nil {
			return fiber.NewError(fiber.StatusBadRequest, "bad date")
		}
	}
	var pdf, manifest bytes.Buffer
	_, err = casework.DayBatch(c.UserContext(), co.DB, s.creditor.ID, day, math.MaxInt32,
		func(int) (io.WriteCloser, error) { return nopCloser{&pdf}, nil }, &manifest)
	if errors.Is(err, casework.ErrNoLetters) {
		return co.message(c, fiber.StatusNotFound, "No letters on this day",
			s.creditor.Name+" posted no letters on "+day.Format(time.DateOnly)+". Choose another day.")
	}
	if err != nil {
		return err
	}
	return send(pdf.Bytes(), manifest.Bytes(), "letters-"+day.Format(time.DateOnly))
}

// sendFile answers a download.
func sendFile(c *fiber.Ctx, name, contentType string, body []byte) error {
	c.Set(fiber.HeaderContentType, contentType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(body)
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
