package console

import (
	"errors"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// searchPage is the result of the search box in every page's header.
type searchPage struct {
	Query string
	Hits  []postgres.DebtorHit
	Limit int
}

// queueView is the work queue's filters and who may be given a request.
type queueView struct {
	Filter    casework.QueueFilter
	DueBy     string // the due-by filter as typed (YYYY-MM-DD)
	Creditors []collect.Creditor
	Assignees []postgres.AssigneeOption
	Kinds     []kindOption
	Back      string // the queue's address with its filters, to return to after assigning
	Filtered  bool
}

type kindOption struct{ Value, Name string }

var kindOptions = []kindOption{{"plan", kindName["plan"]}, {"dispute", kindName["dispute"]}, {"hardship", kindName["hardship"]}, {"task", kindName["task"]}}

// search finds a person among the agent's creditors' debtors.
func (co *Console) search(c *fiber.Ctx) error {
	q := c.Query("q")
	p := page{Title: "Find a person", Search: &searchPage{Query: q, Limit: casework.SearchLimit}}
	if q == "" {
		return co.render(c, fiber.StatusOK, "search", p)
	}
	t, hits, err := casework.FindDebtors(c.UserContext(), co.DB, creditorsOf(c), q)
	if collect.ErrorCode(err) == collect.EINVALID {
		p.Problem = "Search: " + errMessage(err) + "."
		return co.render(c, fiber.StatusUnprocessableEntity, "search", p)
	}
	if err != nil {
		return err
	}
	p.Search.Query, p.Search.Hits = t.Text, hits
	return co.render(c, fiber.StatusOK, "search", p)
}

// queueFilter reads the queue's filters from the address; a value that is
// not one of the choices is refused with the field it concerns.
func queueFilter(c *fiber.Ctx) (casework.QueueFilter, string, error) {
	f := casework.QueueFilter{CreditorID: c.Query("creditor"), Kind: c.Query("kind"), Agent: c.Query("agent")}
	if _, ok := kindName[f.Kind]; f.Kind != "" && !ok {
		return f, "", collect.Errorf(collect.EINVALID, "kind", "choose a kind of request from the list")
	}
	due := c.Query("due")
	if due != "" {
		d, err := time.Parse(time.DateOnly, due)
		if err != nil {
			return f, due, collect.Errorf(collect.EINVALID, "due", "give the date as on a calendar, like 2026-12-31")
		}
		f.DueBy = d
	}
	return f, due, nil
}

func (f queueFilterQuery) encode() string {
	v := url.Values{}
	for k, x := range map[string]string{"creditor": f.CreditorID, "kind": f.Kind, "agent": f.Agent, "due": f.due} {
		if x != "" {
			v.Set(k, x)
		}
	}
	if len(v) == 0 {
		return prefix
	}
	return prefix + "?" + v.Encode()
}

type queueFilterQuery struct {
	casework.QueueFilter
	due string
}

// assign gives an open request to the signed-in agent ("me"), to another
// console user of its creditor, or to nobody, then returns to the queue.
func (co *Console) assign(c *fiber.Ctx) error {
	a := agentOf(c)
	to := c.FormValue("agent")
	if to == "me" {
		to = a.ID
	}
	err := casework.AssignRequest(c.UserContext(), co.DB, a, creditorsOf(c), c.FormValue("kind"), c.FormValue("id"), to)
	if collect.ErrorCode(err) == collect.EINVALID {
		return co.message(c, fiber.StatusUnprocessableEntity, "Not assigned", errMessage(err)+". Go back to the work queue and choose someone else.")
	}
	if err != nil {
		return err
	}
	return c.Redirect(safeBack(c.FormValue("back")), fiber.StatusSeeOther)
}

// safeBack keeps a return address to the work queue only, so a form can
// never send the agent elsewhere.
func safeBack(back string) string {
	u, err := url.Parse(back)
	if err != nil || u.Path != prefix || u.Host != "" || u.Scheme != "" || u.User != nil {
		return prefix
	}
	return prefix + "?" + u.Query().Encode()
}

// errMessage is the message of a domain error, for the page.
func errMessage(err error) string {
	var e *collect.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "the request could not be handled"
}
