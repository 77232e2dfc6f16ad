package console

import (
	"fmt"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/access"
	"github.com/settle/settle/internal/collect"
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

// dummyHash is checked against for unknown emails, so an unknown email
// takes as long as a wrong password.
var dummyHash = sync.OnceValue(func() string {
	h, _ := access.HashPassword(access.NewPassword() + access.NewPassword())
	return h
})

// addressAllowed counts the attempt against the client's network address
// and answers 429 when there were too many; ok is false then.
func (co *Console) addressAllowed(c *fiber.Ctx) (bool, error) {
	ok, err := co.DB.ClaimAddressAttempt(c.UserContext(), c.IP(), access.MaxAddressAttempts, access.AddressWindow)
	if err != nil || ok {
		return ok, err
	}
	return false, co.message(c, fiber.StatusTooManyRequests, "Too many sign-in attempts",
		fmt.Sprintf("There were too many sign-in attempts from your network address. Wait %d minutes and try again.", int(access.AddressWindow.Minutes())),
		"Nothing about your account has changed. If you did not try to sign in this often, tell the team that runs Settle.")
}

func (co *Console) login(c *fiber.Ctx) error {
	if ok, err := co.addressAllowed(c); !ok {
		return err
	}
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
	// Claim the attempt before looking at the password, so guesses sent in
	// parallel cannot get past the lockout.
	claim, err := co.DB.ClaimLogin(ctx, a.ID, access.MaxLoginFailures, access.LockDuration)
	if err != nil {
		return err
	}
	if !claim.Claimed {
		// Locked: the password is not even checked, so guessing on gets nowhere.
		access.CheckPassword(dummyHash(), pw)
		return fail()
	}
	if !access.CheckPassword(a.PasswordHash, pw) {
		return fail()
	}
	if a.TOTPSecret == "" && a.Role != "admin" {
		ok, err := co.DB.FinishLogin(ctx, a.ID, claim)
		if err != nil || !ok {
			return orFail(err, fail)
		}
		return co.startSession(c, a)
	}
	// A second factor follows: the right password stops counting as a
	// failure, and the codes are claimed one by one.
	ok, err := co.DB.ReleaseLogin(ctx, a.ID, claim, access.MaxLoginFailures)
	if err != nil || !ok {
		return orFail(err, fail)
	}
	if a.TOTPSecret == "" && a.TOTPPending == "" {
		// An admin without a second factor enrols before getting in.
		k, err := access.NewTOTPKey(a.Email)
		if err != nil {
			return err
		}
		if err := co.DB.SetPendingTOTP(ctx, a.ID, k.Secret); err != nil {
			return err
		}
		a.TOTPPending = k.Secret
	}
	tok, err := co.DB.CreatePendingLogin(ctx, a.ID)
	if err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{Name: pendingCookie, Value: tok, Path: prefix, HTTPOnly: true, Secure: co.Secure,
		SameSite: fiber.CookieSameSiteLaxMode, MaxAge: int(postgres.PendingLoginMax.Seconds())})
	return co.renderCode(c, fiber.StatusOK, a, "")
}

// orFail returns err, or the failure page when there is no error (the
// account was locked by other attempts while this one was checked).
func orFail(err error, fail func() error) error {
	if err != nil {
		return err
	}
	return fail()
}

// renderCode shows the second-factor step; during enrolment it shows the
// secret to add to an authenticator app first.
func (co *Console) renderCode(c *fiber.Ctx, status int, a postgres.Agent, problem string) error {
	p := page{Title: "Enter your sign-in code", Problem: problem, TOTP: &totpPage{Action: prefix + "/login/code"}}
	if a.TOTPSecret == "" {
		k, err := access.TOTPKeyOf(a.Email, a.TOTPPending)
		if err != nil {
			return err
		}
		p.Title = "Set up your sign-in code"
		p.TOTP.Key = &k
		p.Lines = []string{"Admins sign in with a password and a code from an authenticator app."}
	}
	return co.render(c, status, "code", p)
}

func (co *Console) loginCode(c *fiber.Ctx) error {
	if ok, err := co.addressAllowed(c); !ok {
		return err
	}
	ctx := c.UserContext()
	tok := c.Cookies(pendingCookie)
	restart := func(problem string) error {
		if tok != "" {
			if err := co.DB.DeletePendingLogin(ctx, tok); err != nil {
				return err
			}
		}
		c.Cookie(&fiber.Cookie{Name: pendingCookie, Value: "", Path: prefix, HTTPOnly: true, Secure: co.Secure,
			SameSite: fiber.CookieSameSiteLaxMode, MaxAge: -1, Expires: time.Unix(1, 0)})
		return co.render(c, fiber.StatusUnauthorized, "login", loginPage("", problem))
	}
	if tok == "" {
		return restart("Your sign-in has expired. Sign in again with your email address and password.")
	}
	a, err := co.DB.PendingLogin(ctx, tok)
	if collect.IsNotFound(err) {
		return restart("Your sign-in has expired. Sign in again with your email address and password.")
	}
	if err != nil {
		return err
	}
	claim, err := co.DB.ClaimLogin(ctx, a.ID, access.MaxLoginFailures, access.LockDuration)
	if err != nil {
		return err
	}
	if !claim.Claimed {
		return restart(loginFailed)
	}
	enrol := a.TOTPSecret == ""
	secret := a.TOTPSecret
	if enrol {
		secret = a.TOTPPending
	}
	step, ok := access.MatchTOTP(secret, c.FormValue("code"), co.DB.Now())
	if !ok {
		return co.renderCode(c, fiber.StatusUnauthorized, a, "The code is not right. Enter the 6 digits your authenticator app shows now.")
	}
	fresh, err := co.DB.UseTOTPStep(ctx, a.ID, step, enrol)
	if err != nil {
		return err
	}
	if !fresh {
		return co.renderCode(c, fiber.StatusUnauthorized, a, "This code was used already. Wait until your app shows a new code and enter that one.")
	}
	if ok, err := co.DB.FinishLogin(ctx, a.ID, claim); err != nil || !ok {
		return orFail(err, func() error { return restart(loginFailed) })
	}
	if err := co.DB.DeletePendingLogin(ctx, tok); err != nil {
		return err
	}
	c.Cookie(&fiber.Cookie{Name: pendingCookie, Value: "", Path: prefix, HTTPOnly: true, Secure: co.Secure,
		SameSite: fiber.CookieSameSiteLaxMode, MaxAge: -1, Expires: time.Unix(1, 0)})
	return co.startSession(c, a)
}

// startSession signs the console user in: a new session token, and a new
// CSRF token for the signed-in pages.
func (co *Console) startSession(c *fiber.Ctx, a postgres.Agent) error {
	ctx := c.UserContext()
	if old := c.Cookies(SessionCookie); old != "" {
		if err := co.DB.DeleteSession(ctx, old); err != nil {
			return err
		}
	}
	tok, err := co.DB.CreateSession(ctx, postgres.Session{Kind: "agent", AgentID: a.ID, Language: "en"})
	if err != nil {
		return err
	}
	csrf.Rotate(c, co.Secure)
	co.setSession(c, tok)
	return c.Redirect(prefix, fiber.StatusSeeOther)
}

// security shows whether the signed-in user has a second factor, and lets
// one without it enrol: the secret is shown until a code confirms it.
func (co *Console) security(c *fiber.Ctx) error {
	a := agentOf(c)
	if a.TOTPSecret != "" {
		return co.message(c, fiber.StatusOK, "Two-step sign-in is on",
			"You sign in with your password and a code from your authenticator app.")
	}
	return co.renderEnrol(c, fiber.StatusOK, a, "")
}

func (co *Console) renderEnrol(c *fiber.Ctx, status int, a postgres.Agent, problem string) error {
	if a.TOTPPending == "" {
		k, err := access.NewTOTPKey(a.Email)
		if err != nil {
			return err
		}
		if err := co.DB.SetPendingTOTP(c.UserContext(), a.ID, k.Secret); err != nil {
			return err
		}
		a.TOTPPending = k.Secret
	}
	k, err := access.TOTPKeyOf(a.Email, a.TOTPPending)
	if err != nil {
		return err
	}
	return co.render(c, status, "code", page{Title: "Turn on two-step sign-in", Problem: problem,
		Lines: []string{"From then on you sign in with your password and a code from the app."},
		TOTP:  &totpPage{Action: prefix + "/security", Key: &k}})
}

func (co *Console) enrol(c *fiber.Ctx) error {
	a := agentOf(c)
	if a.TOTPSecret != "" {
		return c.Redirect(prefix+"/security", fiber.StatusSeeOther)
	}
	if a.TOTPPending == "" {
		return co.renderEnrol(c, fiber.StatusUnprocessableEntity, a, "Add the key below to your app first.")
	}
	step, ok := access.MatchTOTP(a.TOTPPending, c.FormValue("code"), co.DB.Now())
	if !ok {
		return co.renderEnrol(c, fiber.StatusUnprocessableEntity, a, "The code is not right. Enter the 6 digits your authenticator app shows now.")
	}
	fresh, err := co.DB.UseTOTPStep(c.UserContext(), a.ID, step, true)
	if err != nil {
		return err
	}
	if !fresh {
		return co.renderEnrol(c, fiber.StatusUnprocessableEntity, a, "This code was used already. Wait until your app shows a new code and enter that one.")
	}
	return co.message(c, fiber.StatusOK, "Two-step sign-in is on",
		"From now on you sign in with your password and a code from your authenticator app.")
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
