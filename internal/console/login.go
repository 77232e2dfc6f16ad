package console

import (
	"fmt"
	"github.com/settle/settle/internal/server"
	"sync"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/access"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// loginFailed is the one message for an unknown email, a wrong password and
// a locked account, so the form tells nobody which emails exist.
const loginFailed = "The email address or password is not right, or this account is locked for a while after too many attempts. Check both and try again."

func (co *Console) loginForm(c *fiber.Ctx) error {
	if _, _, err := co.signedIn(c); err == nil {
		return c.Redirect(prefix, fiber.StatusSeeOther)
	}
	return co.render(c, fiber.StatusOK, "login", loginPage("", ""))
}

func loginPage(email, problem string) page {
	return page{Title: "Sign in to the Settle console", Email: email, Problem: problem,
		Lines: []string{fmt.Sprintf("After %d wrong passwords in a row, the account is locked for %d minutes.",
			access.MaxLoginFailures, int(access.LockDuration.Minutes()))}}
}

// dummyHash is checked against for unknown emails, so an unknown email
// takes as long as a wrong password.
var dummyHash = sync.OnceValue(func() string {
	h, _ := access.HashPassword(access.NewPassword() + access.NewPassword())
	return h
})

func (co *Console) login(c *fiber.Ctx) error {
	ctx := c.UserContext()
	email, pw := c.FormValue("email"), c.FormValue("password")
	fail := func() error {
		return co.render(c, fiber.StatusUnauthorized, "login", loginPage(email, loginFailed))
	}
	if email == "" || pw == "" {
		return fail()
	}
	a, err := co.DB.AgentByEmail(ctx, email)
	if err != nil {
		if !collect.IsNotFound(err) {
			return err
		}
		access.CheckPassword(dummyHash(), pw)
		return fail()
	}
	if a.LockedUntil != nil && a.LockedUntil.After(co.DB.Now()) {
		// Locked: the password is not even checked, so guessing on gets nowhere.
		access.CheckPassword(dummyHash(), pw)
		return fail()
	}
	if !access.CheckPassword(a.PasswordHash, pw) {
		if err := co.DB.RecordLoginFailure(ctx, a.ID, access.MaxLoginFailures, access.LockDuration); err != nil {
			return err
		}
		return fail()
	}
	if err := co.DB.ResetLoginFailures(ctx, a.ID); err != nil {
		return err
	}
	// A new session token, and a new CSRF token for the signed-in pages.
	if old := c.Cookies(SessionCookie); old != "" {
		if err := co.DB.DeleteSession(ctx, old); err != nil {
			return err
		}
	}
	tok, err := co.DB.CreateSession(ctx, postgres.Session{Kind: "agent", AgentID: a.ID, Language: "en"})
	if err != nil {
		return err
	}
	server.RotateCSRF(c, co.Secure)
	co.setSession(c, tok)
	return c.Redirect(prefix, fiber.StatusSeeOther)
}

func (co *Console) logout(c *fiber.Ctx) error {
	if tok := c.Cookies(SessionCookie); tok != "" {
		if err := co.DB.DeleteSession(c.UserContext(), tok); err != nil {
			return err
		}
	}
	co.clearSession(c)
	return co.render(c, fiber.StatusOK, "message", page{Title: "You are signed out",
		Lines: []string{"Your console session has ended. Close this window if you share the computer."}})
}
