package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
)

// The vroegsignalering list for the calling creditor: only the data the
// law lets a creditor pass on to the municipality (contact details, the
// customer number, the amount of the arrears), with where the signal
// stands. Birth dates, invoices and Settle's own ids of the person stay out.

type signalJSON struct {
	ID             string             `json:"id"`
	RaisedOn       string             `json:"raised_on"`
	CreditorKind   string             `json:"creditor_kind"`
	Municipality   *municipalityJSON  `json:"municipality"`
	CustomerNumber string             `json:"customer_number"`
	Name           string             `json:"name"`
	Address        signalAddressJSON  `json:"address"`
	Email          string             `json:"email"`
	Phone          string             `json:"phone"`
	ArrearsCents   int64              `json:"arrears_cents"`
	Outcome        *signalOutcomeJSON `json:"outcome"`
}

// municipalityJSON is null in the answer when the postcode is not in the
// table: the creditor looks the municipality up.
type municipalityJSON struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

type signalAddressJSON struct {
	Street      string `json:"street"`
	HouseNumber string `json:"house_number"`
	Postcode    string `json:"postcode"`
	City        string `json:"city"`
}

type signalOutcomeJSON struct {
	Result string `json:"result"`
	Note   string `json:"note"`
	On     string `json:"on"`
}

// listSignals answers GET /api/v1/signals.
func (a *API) listSignals(c *fiber.Ctx) error {
	ss, err := casework.MunicipalSignals(c.UserContext(), a.DB, creditorOf(c).ID)
	if err != nil {
		return err
	}
	out := make([]signalJSON, 0, len(ss))
	for _, s := range ss {
		out = append(out, signalOut(s))
	}
	return c.JSON(fiber.Map{"signals": out})
}

func signalOut(s collect.MunicipalitySignal) signalJSON {
	j := signalJSON{ID: s.ID, RaisedOn: s.RaisedOn.Format(time.DateOnly), CreditorKind: string(s.Kind),
		CustomerNumber: s.CustomerNumber, Name: s.Name, Email: s.Email, Phone: s.Phone, ArrearsCents: s.Arrears,
		Address: signalAddressJSON{Street: s.Address.Street, HouseNumber: s.Address.HouseNumber, Postcode: s.Address.Postcode, City: s.Address.City}}
	if s.MunicipalityCode != "" {
		j.Municipality = &municipalityJSON{Code: s.MunicipalityCode, Name: s.MunicipalityName}
	}
	if s.Outcome != collect.OutcomeNone && s.OutcomeOn != nil {
		j.Outcome = &signalOutcomeJSON{Result: string(s.Outcome), Note: s.OutcomeNote, On: s.OutcomeOn.Format(time.DateOnly)}
	}
	return j
}
