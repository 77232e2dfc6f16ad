package apptest

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/settle/settle/internal/collect"
)

// OpenLink opens a magic link and follows the redirect to the
// second-factor page.
func (c *Client) OpenLink(token string) Response {
	c.T.Helper()
	r := c.Get("/l/" + token)
	if r.Status != http.StatusSeeOther {
		return r
	}
	return c.Get(r.Header.Get("Location"))
}

// Answer answers the second factor with a postcode and house number.
func (c *Client) Answer(postcode, house string) Response {
	c.T.Helper()
	return c.Post("/verify", url.Values{"postcode": {postcode}, "house_number": {house}})
}

// SignInDebtor opens the link and answers d's second factor rightly, or
// fails the test.
func (c *Client) SignInDebtor(token string, d collect.Debtor) {
	c.T.Helper()
	if r := c.OpenLink(token); r.Status != http.StatusOK {
		c.T.Fatalf("open link: status %d\n%s", r.Status, r.Body)
	}
	r := c.Answer(d.Address.Postcode, d.Address.HouseNumber)
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/overview" {
		c.T.Fatalf("verify: status %d, location %q\n%s", r.Status, r.Header.Get("Location"), r.Body)
	}
}

// Login opens the console's sign-in page and signs in with its token.
func (c *Client) Login(email, pw string) Response {
	c.T.Helper()
	if r := c.Get("/console/login"); r.Status != http.StatusOK {
		c.T.Fatalf("GET /console/login: status %d\n%s", r.Status, r.Body)
	}
	return c.Post("/console/login", url.Values{"email": {email}, "password": {pw}})
}

// SignInAgent signs a console user in with Password or fails the test;
// when the console asks for a second-factor code (always for admins, who
// enrol on first sign-in), it enters the current one.
func (c *Client) SignInAgent(email string) {
	c.T.Helper()
	r := c.Login(email, Password)
	if r.Status == http.StatusOK && strings.Contains(r.Body, `action="/console/login/code"`) {
		r = c.Post("/console/login/code", url.Values{"code": {c.env.Code(email)}})
	}
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/console" {
		c.T.Fatalf("sign in as %s: status %d, location %q\n%s", email, r.Status, r.Header.Get("Location"), r.Body)
	}
}
