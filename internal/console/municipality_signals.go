package console

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"html/template"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
)

// registerMunicipalSignals mounts the vroegsignalering page: a creditor's
// signal list by municipality, its CSV export for the municipality (only
// the fields the law allows), and recording the municipality's outcome.
func (co *Console) registerMunicipalSignals(app *fiber.App) {
	co.pages["municipal"] = template.Must(template.New("municipal").Funcs(funcs).ParseFS(templates, "templates/layout.html", "templates/municipal.html"))
	app.Get(municipalPrefix, co.requireAgent, co.h(co.municipalList))
	app.Get(municipalPrefix+".csv", co.requireAgent, co.h(co.municipalCSV))
	app.Post(municipalPrefix+"/:id/outcome", co.requireAgent, co.h(co.municipalOutcome))
}

const municipalPrefix = prefix + "/municipality-signals"

// municipalPage is what the municipality signals template shows.
type municipalPage struct {
	Creditors []collect.Creditor
	Creditor  collect.Creditor
	Signals   []collect.MunicipalitySignal
	Outcomes  []collect.MunicipalOutcome
}

// municipalSelection reads the creditor asked for (the user's first
// unless given) and loads its signal list.
func (co *Console) municipalSelection(c *fiber.Ctx) (selection, []collect.MunicipalitySignal, error) {
	s, err := co.selectFor(c, func(k string) string { return c.Query(k) })
	if err != nil {
		return s, nil, err
	}
	list, err := casework.MunicipalSignals(c.UserContext(), co.DB, s.creditor.ID)
	return s, list, err
}

func (co *Console) municipalList(c *fiber.Ctx) error {
	s, list, err := co.municipalSelection(c)
	if err != nil {
		return err
	}
	done := ""
	if c.Query("done") != "" {
		done = "The municipality's outcome is recorded, and shown in the person's file."
	}
	return co.render(c, fiber.StatusOK, "municipal", page{Title: "Municipality signals", Done: done,
		Municipal: &municipalPage{Creditors: s.creditors, Creditor: s.creditor, Signals: list, Outcomes: collect.MunicipalOutcomes}})
}

// municipalCSV sends the list as the creditor passes it on: semicolons,
// decimal comma, UTF-8 with BOM, like the other exports.
func (co *Console) municipalCSV(c *fiber.Ctx) error {
	_, list, err := co.municipalSelection(c)
	if err != nil {
		return err
	}
	body, err := municipalCSV(list)
	if err != nil {
		return err
	}
	return sendFile(c, "municipality-signals-"+collect.DutchDate(co.Now()).Format(time.DateOnly)+".csv", "text/csv; charset=utf-8", body)
}

// municipalColumns are the export's columns: the signal, the municipality,
// and the data the law names (contact details, customer number, arrears).
var municipalColumns = []string{"signaal", "datum_signaal", "soort_schuldeiser", "gemeentecode", "gemeente", "klantnummer",
	"naam", "straat", "huisnummer", "postcode", "woonplaats", "email", "telefoon", "achterstand_eur"}

func municipalCSV(list []collect.MunicipalitySignal) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("\ufeff")
	w := csv.NewWriter(&b)
	w.Comma = ';'
	if err := w.Write(municipalColumns); err != nil {
		return nil, err
	}
	for _, s := range list {
		code, name := s.MunicipalityCode, s.MunicipalityName
		if code == "" {
			name = "onbekend: zoek de gemeente op"
		}
		if err := w.Write([]string{s.ID, s.RaisedOn.Format(time.DateOnly), string(s.Kind), code, name, s.CustomerNumber,
			s.Name, s.Address.Street, s.Address.HouseNumber, s.Address.Postcode, s.Address.City, s.Email, s.Phone,
			fmt.Sprintf("%d,%02d", s.Arrears/100, s.Arrears%100)}); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

func (co *Console) municipalOutcome(c *fiber.Ctx) error {
	s, err := casework.RecordMunicipalOutcome(c.UserContext(), co.DB, co.Now(), agentOf(c).ID, creditorsOf(c),
		c.Params("id"), c.FormValue("outcome"), c.FormValue("note"))
	if collect.ErrorCode(err) == collect.EINVALID {
		return co.message(c, fiber.StatusUnprocessableEntity, "The outcome was not recorded", err.Error(),
			"Go back, choose one of the outcomes and keep the note under 1000 characters.")
	}
	if err != nil {
		return err
	}
	q := url.Values{"creditor": {s.CreditorID}, "done": {"outcome"}}
	return c.Redirect(municipalPrefix+"?"+q.Encode(), fiber.StatusSeeOther)
}
