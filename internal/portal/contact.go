package portal

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/i18n"
)

// contactSlots are the form's channel choices, first to last.
var contactSlots = []string{"ch1", "ch2", "ch3", "ch4"}

// avoidPresets are the ready-made "not at these times" the form offers, as
// people describe their week; a time of one's own goes in the custom row.
var avoidPresets = []avoidPreset{
	{"work", collect.TimeRange{Days: collect.Weekdays, From: 8 * 60, To: 17 * 60}},
	{"morning", collect.TimeRange{Days: collect.EveryDay, From: 8 * 60, To: 10 * 60}},
	{"evening", collect.TimeRange{Days: collect.EveryDay, From: 18 * 60, To: 21 * 60}},
	{"saturday", collect.TimeRange{Days: []time.Weekday{time.Saturday}, From: 0, To: 24 * 60}},
}

// avoidPreset is one ready-made time that does not suit, named for the form.
type avoidPreset struct {
	Name  string
	Range collect.TimeRange
}

// avoidDays are the custom row's choices of days.
var avoidDays = map[string][]time.Weekday{"weekdays": collect.Weekdays, "everyday": collect.EveryDay,
	"1": {time.Monday}, "2": {time.Tuesday}, "3": {time.Wednesday}, "4": {time.Thursday}, "5": {time.Friday}, "6": {time.Saturday}}

// contactChoices are the contact form's lists of options.
var contactChoices = func() map[string][]string {
	m := map[string][]string{"slots": contactSlots, "days": {"weekdays", "everyday", "1", "2", "3", "4", "5", "6"}}
	for _, a := range avoidPresets {
		m["avoid"] = append(m["avoid"], a.Name)
	}
	for h := 8; h <= 21; h++ {
		if h < 21 {
			m["from"] = append(m["from"], strconv.Itoa(h))
		}
		if h > 8 {
			m["to"] = append(m["to"], strconv.Itoa(h))
		}
	}
	return m
}()

func (p *Portal) registerContact(g signedIn) {
	g.Get("/contact", p.contactForm)
	g.Post("/contact", p.contactSave)
}

func (p *Portal) contactPage(c *fiber.Ctx) view {
	cr := c.Locals("creditor").(collect.Creditor)
	pr := p.printer(c)
	return view{P: pr, Title: pr.T("wishes.title"), Creditor: cr, SignedIn: true, Channels: collect.Channels,
		Choices: contactChoices, Form: map[string]string{"lang": pr.Lang.Code}}
}

// contactForm shows how the debtor is reached: the wishes given before, or
// what the creditor told us.
func (p *Portal) contactForm(c *fiber.Ctx) error {
	v := p.contactPage(c)
	w, _, err := casework.ContactWishesOf(c.UserContext(), p.DB, sessionOf(c))
	if err != nil {
		return err
	}
	fillContactForm(v.Form, w)
	return p.render(c, fiber.StatusOK, "contact", v)
}

// contactSave stores the wishes; the language chosen is also the portal's
// language for the rest of the session.
func (p *Portal) contactSave(c *fiber.Ctx) error {
	v := p.contactPage(c)
	for _, k := range []string{"ch1", "ch2", "ch3", "ch4", "email", "phone", "lang", "avoid_days", "avoid_from", "avoid_to"} {
		v.Form[k] = c.FormValue(k)
	}
	for _, a := range avoidPresets {
		v.Form["avoid_"+a.Name] = c.FormValue("avoid_" + a.Name)
	}
	w, err := parseContactForm(v.Form)
	s := sessionOf(c)
	if err == nil {
		w, err = casework.SetContactWishes(c.UserContext(), p.DB, p.Now(), s, c.Cookies(sessionCookie), w)
	}
	if e := (*collect.Error)(nil); errors.As(err, &e) && e.Code == collect.EINVALID {
		v.Problem = v.P.T("wishes.error." + e.Field)
		return p.render(c, fiber.StatusUnprocessableEntity, "contact", v)
	} else if err != nil {
		return err
	}
	s.Language = w.Language
	c.Locals("session", s)
	fillContactForm(v.Form, w)
	v.P = i18n.For(w.Language)
	v.Title, v.Saved = v.P.T("wishes.title"), true
	return p.render(c, fiber.StatusOK, "contact", v)
}

// parseContactForm reads the form into wishes; casework checks them.
func parseContactForm(f map[string]string) (collect.ContactWishes, error) {
	w := collect.ContactWishes{Email: f["email"], Phone: f["phone"], Language: f["lang"]}
	for _, slot := range contactSlots {
		if f[slot] != "" {
			w.Channels = append(w.Channels, collect.Channel(f[slot]))
		}
	}
	for _, a := range avoidPresets {
		if f["avoid_"+a.Name] != "" {
			w.Avoid = append(w.Avoid, a.Range)
		}
	}
	if f["avoid_days"] == "" {
		return w, nil
	}
	days, ok := avoidDays[f["avoid_days"]]
	from, err1 := strconv.Atoi(f["avoid_from"])
	to, err2 := strconv.Atoi(f["avoid_to"])
	if !ok || err1 != nil || err2 != nil {
		return w, collect.Errorf(collect.EINVALID, "avoid", "choose the days and the hours")
	}
	w.Avoid = append(w.Avoid, collect.TimeRange{Days: days, From: from * 60, To: to * 60})
	return w, nil
}

// fillContactForm shows wishes in the form: each range as its ready-made
// choice, or the first other one in the custom row.
func fillContactForm(f map[string]string, w collect.ContactWishes) {
	for i, slot := range contactSlots {
		f[slot] = ""
		if i < len(w.Channels) {
			f[slot] = string(w.Channels[i])
		}
	}
	f["email"], f["phone"], f["quiet"] = w.Email, w.Phone, w.QuietTimes
	if w.Language != "" {
		f["lang"] = w.Language
	}
	for _, r := range w.Avoid {
		i := slices.IndexFunc(avoidPresets, func(a avoidPreset) bool {
			return slices.Equal(a.Range.Days, r.Days) && a.Range.From == r.From && a.Range.To == r.To
		})
		if i >= 0 {
			f["avoid_"+avoidPresets[i].Name] = "on"
			continue
		}
		for name, days := range avoidDays {
			if slices.Equal(days, r.Days) && f["avoid_days"] == "" {
				f["avoid_days"], f["avoid_from"], f["avoid_to"] = name, fmt.Sprint(r.From/60), fmt.Sprint(r.To/60)
			}
		}
	}
}
