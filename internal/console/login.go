package console

import (
	"errors"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/access"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/csrf"
	"github.com/settle/settle/internal/postgres"
)

// loginFailed is the one message for an unknown email, a wrong password and
// a locked account, so the form tells nobody which emails exist.
const loginFailed = "The email address or password is not right, or this account is locked for a while after too many attempts. Check both and try again."

// pendingCookie carries a sign-in whose password was right and that waits
// for the second-factor code.
const pendingCookie = "settle_console_pending"

func (co *Console) loginForm(c *fiber.Ctx) error {
	if _, _, err := co.signedIn(c); err == nil {
		return c.Redirect(prefix, fiber.StatusSeeOther)
	}
	return co.render(c, fiber.StatusOK, "login", loginPage("", ""))
}

func loginPage(email, problem string) page {
	return page{Title: "Sign in to the Settle console", Email: email, Problem: problem,
		Lines: []string{fmt.Sprintf("After %d wrong passwords or codes in a row, the account is locked for %d minutes.",
			access.MaxLoginFailures, int(access.LockDuration.Minutes()))}}
}

// tooManySignIns answers a client whose network address made too many
// sign-in attempts.
func (co *Console) tooManySignIns(c *fiber.Ctx) error {
	return co.message(c, fiber.StatusTooManyRequests, "Too many sign-in attempts",
		fmt.Sprintf("There were too many sign-in attempts from your network address. Wait %d minutes and try again.", int(access.AddressWindow.Minutes())),
		"Nothing about your account has changed. If you did not try to sign in this often, tell the team that runs Settle.")
}

func (co *Console) login(c *fiber.Ctx) error {
	email := c.FormValue("email")
	in := casework.AgentCredentials{Email: email, Password: c.FormValue("password"), Address: c.IP(), OldSession: c.Cookies(SessionCookie)}
	res, err := casework.SignInAgent(c.UserContext(), co.DB, in)
	switch {
	case errors.Is(err, casework.ErrTooManySignIns):
		return co.tooManySignIns(c)
	case errors.Is(err, casework.ErrSignInFailed):
		return co.render(c, fiber.StatusUnauthorized, "login", loginPage(email, loginFailed))
	case err != nil:
		return err
	case res.Session != "":
		return co.startSession(c, res.Session)
	}
	c.Cookie(&fiber.Cookie{Name: pendingCookie, Value: res.Pending, Path: prefix, HTTPOnly: true, Secure: co.Secure,
		SameSite: fiber.CookieSameSiteLaxMode, MaxAge: int(postgres.PendingLoginMax.Seconds())})
	return co.renderCode(c, fiber.StatusOK, res.Enrol, "")
}

// renderCode shows the second-factor step; during enrolment it shows the
// key to add to an authenticator app first.
func (co *Console) renderCode(c *fiber.Ctx, status int, enrol *access.TOTPKey, problem string) error {
	p := page{Title: "Enter your sign-in code", Problem: problem, TOTP: &totpPage{Action: prefix + "/login/code", Key: enrol}}
	if enrol != nil {
		p.Title = "Set up your sign-in code"
		p.Lines = []string{"Admins sign in with a password and a code from an authenticator app."}
	}
	return co.render(c, status, "code", p)
}

// codeProblem says why a code was not taken and what to do instead.
func codeProblem(err error) string {
	switch {
	case errors.Is(err, casework.ErrCodeUsed):
		return "This code was used already. Wait until your app shows a new code and enter that one."
	case errors.Is(err, casework.ErrNoTOTPKey):
		return "Add the key below to your app first."
	}
	return "The code is not right. Enter the 6 digits your authenticator app shows now."
}

// signInExpired is what the sign-in form says when the code step has no
// live pending sign-in.
const signInExpired = "Your sign-in has expired. Sign in again with your email address and password."

func (co *Console) loginCode(c *fiber.Ctx) error {
	in := casework.AgentCode{Pending: c.Cookies(pendingCookie), Code: c.FormValue("code"), Address: c.IP(), OldSession: c.Cookies(SessionCookie)}
	res, err := casework.ConfirmAgentCode(c.UserContext(), co.DB, co.Now(), in)
	switch {
	case errors.Is(err, casework.ErrTooManySignIns):
		return co.tooManySignIns(c)
	case errors.Is(err, casework.ErrCodeWrong), errors.Is(err, casework.ErrCodeUsed):
		return co.renderCode(c, fiber.StatusUnauthorized, res.Enrol, codeProblem(err))
	case errors.Is(err, casework.ErrSignInExpired), errors.Is(err, casework.ErrSignInFailed):
		co.clearPending(c)
		problem := loginFailed
		if errors.Is(err, casework.ErrSignInExpired) {
			problem = signInExpired
		}
		return co.render(c, fiber.StatusUnauthorized, "login", loginPage("", problem))
	case err != nil:
		return err
	}
	co.clearPending(c)
	return co.startSession(c, res.Session)
}

// clearPending drops the cookie of a pending sign-in that ended.
func (co *Console) clearPending(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{Name: pendingCookie, Value: "", Path: prefix, HTTPOnly: true, Secure: co.Secure,
		SameSite: fiber.CookieSameSiteLaxMode, MaxAge: -1, Expires: time.Unix(1, 0)})
}

// startSession hands the new session to the browser with a new CSRF token
// for the signed-in pages.
func (co *Console) startSession(c *fiber.Ctx, token string) error {
	csrf.Rotate(c, co.Secure)
	co.setSession(c, token)
	return c.Redirect(prefix, fiber.StatusSeeOther)
}

// security shows whether the signed-in user has a second factor, and lets
// one without it enrol: the key is shown until a code confirms it.
func (co *Console) security(c *fiber.Ctx) error {
	k, err := casework.StartTOTPEnrolment(c.UserContext(), co.DB, agentOf(c))
	if errors.Is(err, casework.ErrTOTPOn) {
		return co.message(c, fiber.StatusOK, "Two-step sign-in is on",
			"You sign in with your password and a code from your authenticator app.")
	}
	if err != nil {
		return err
	}
	return co.renderEnrol(c, fiber.StatusOK, k, "")
}

func (co *Console) renderEnrol(c *fiber.Ctx, status int, k access.TOTPKey, problem string) error {
	return co.render(c, status, "code", page{Title: "Turn on two-step sign-in", Problem: problem,
		Lines: []string{"From then on you sign in with your password and a code from the app."},
		TOTP:  &totpPage{Action: prefix + "/security", Key: &k}})
}

func (co *Console) enrol(c *fiber.Ctx) error {
	k, err := casework.ConfirmTOTPEnrolment(c.UserContext(), co.DB, co.Now(), agentOf(c), c.FormValue("code"))
	switch {
	case errors.Is(err, casework.ErrTOTPOn):
		return c.Redirect(prefix+"/security", fiber.StatusSeeOther)
	case errors.Is(err, casework.ErrNoTOTPKey), errors.Is(err, casework.ErrCodeWrong), errors.Is(err, casework.ErrCodeUsed):
		return co.renderEnrol(c, fiber.StatusUnprocessableEntity, k, codeProblem(err))
	case err != nil:
		return err
	}
	return co.message(c, fiber.StatusOK, "Two-step sign-in is on",
		"From now on you sign in with your password and a code from your authenticator app.")
}

func (co *Console) logout(c *fiber.Ctx) error {
	if err := casework.SignOutAgent(c.UserContext(), co.DB, c.Cookies(SessionCookie)); err != nil {
		return err
	}
	co.clearSession(c)
	return co.render(c, fiber.StatusOK, "message", page{Title: "You are signed out",
		Lines: []string{"Your console session has ended. Close this window if you share the computer."}})
}
