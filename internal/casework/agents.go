package casework

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/settle/settle/internal/access"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/postgres"
)

// Why a console sign-in or a second-factor code was not taken. The console
// shows one message for ErrSignInFailed whatever the cause (an unknown
// email, a wrong password, a locked account), so nobody learns which
// emails exist.
var (
	ErrTooManySignIns = collect.Errorf(collect.ELOCKED, "", "too many sign-in attempts from this address")
	ErrSignInFailed   = collect.Errorf(collect.EUNAUTHORIZED, "", "sign-in failed")
	ErrSignInExpired  = collect.Errorf(collect.EUNAUTHORIZED, "", "pending sign-in expired")
	ErrCodeWrong      = collect.Errorf(collect.EUNAUTHORIZED, "code", "code not right")
	ErrCodeUsed       = collect.Errorf(collect.EUNAUTHORIZED, "code", "code used already")
	ErrNoTOTPKey      = collect.Errorf(collect.ECONFLICT, "", "no second-factor key shown yet")
	ErrTOTPOn         = collect.Errorf(collect.ECONFLICT, "", "second factor already on")
	ErrNoAgentSession = collect.Errorf(collect.ENOTFOUND, "", "no console session")
)

// AgentCredentials is a console sign-in form as posted, with the client's
// network address and the session it may replace.
type AgentCredentials struct {
	Email    string
	Password string
	Address  string
	// OldSession is the token of a session the browser still holds; a
	// sign-in ends it.
	OldSession string
}

// AgentCode is a second-factor code posted for a pending sign-in.
type AgentCode struct {
	Pending    string // the pending sign-in's token; "" when the browser has none
	Code       string
	Address    string
	OldSession string
}

// AgentSignIn is where a sign-in stands after a step: signed in (Session),
// or waiting for a second-factor code (Pending).
type AgentSignIn struct {
	// Session is the new session's token once the user is signed in.
	Session string
	// Pending is the token of the sign-in that waits for a code.
	Pending string
	// Enrol is the key to add to an authenticator app while the code still
	// has to confirm a new second factor; nil for a confirmed one.
	Enrol *access.TOTPKey
}

// dummyHash is checked against for unknown emails and locked accounts, so
// they take as long as a wrong password.
var dummyHash = sync.OnceValue(func() string {
	h, _ := access.HashPassword(access.NewPassword() + access.NewPassword())
	return h
})

// secondFactorOwed says whether a right password still needs a code:
// whoever has a second factor uses it, and admins may not sign in without
// one (they enrol first).
func secondFactorOwed(a postgres.Agent) bool { return a.TOTPSecret != "" || a.Role == "admin" }

// claimAddress counts one sign-in attempt against the client's network
// address; past access.MaxAddressAttempts in access.AddressWindow it is
// ErrTooManySignIns, which stops guessing spread over many accounts.
func claimAddress(ctx context.Context, db *postgres.DB, address string) error {
	ok, err := db.ClaimAddressAttempt(ctx, address, access.MaxAddressAttempts, access.AddressWindow)
	if err != nil {
		return err
	}
	if !ok {
		return ErrTooManySignIns
	}
	return nil
}

// SignInAgent checks a console user's email and password. Wrong answers
// (passwords and codes) are counted per account; access.MaxLoginFailures
// in a row lock it for access.LockDuration. A right password signs in, or,
// when a second factor is owed, starts a pending sign-in (an admin without
// a second factor gets a key to enrol).
func SignInAgent(ctx context.Context, db *postgres.DB, in AgentCredentials) (AgentSignIn, error) {
	if err := claimAddress(ctx, db, in.Address); err != nil {
		return AgentSignIn{}, err
	}
	if in.Email == "" || in.Password == "" {
		return AgentSignIn{}, ErrSignInFailed
	}
	a, err := db.AgentByEmail(ctx, in.Email)
	if err != nil {
		if !collect.IsNotFound(err) {
			return AgentSignIn{}, err
		}
		access.CheckPassword(dummyHash(), in.Password)
		return AgentSignIn{}, ErrSignInFailed
	}
	// Claim the attempt before looking at the password, so guesses sent in
	// parallel cannot get past the lockout.
	claim, err := db.ClaimLogin(ctx, a.ID, access.MaxLoginFailures, access.LockDuration)
	if err != nil {
		return AgentSignIn{}, err
	}
	if !claim.Claimed {
		// Locked: the password is not even checked, so guessing on gets nowhere.
		access.CheckPassword(dummyHash(), in.Password)
		return AgentSignIn{}, ErrSignInFailed
	}
	if !access.CheckPassword(a.PasswordHash, in.Password) {
		return AgentSignIn{}, ErrSignInFailed
	}
	if !secondFactorOwed(a) {
		if err := finishLogin(ctx, db, a.ID, claim); err != nil {
			return AgentSignIn{}, err
		}
		return newSession(ctx, db, a.ID, in.OldSession)
	}
	// A second factor follows: the right password stops counting as a
	// failure, and the codes are claimed one by one.
	ok, err := db.ReleaseLogin(ctx, a.ID, claim, access.MaxLoginFailures)
	if err != nil {
		return AgentSignIn{}, err
	}
	if !ok {
		// Other attempts locked the account while this one was checked.
		return AgentSignIn{}, ErrSignInFailed
	}
	res := AgentSignIn{}
	if a.TOTPSecret == "" {
		k, err := totpEnrolment(ctx, db, a)
		if err != nil {
			return AgentSignIn{}, err
		}
		res.Enrol = &k
	}
	res.Pending, err = db.CreatePendingLogin(ctx, a.ID)
	return res, err
}

// ConfirmAgentCode checks the second-factor code of a pending sign-in at
// time now and signs in when it is right and not used before. A code that
// is wrong or used keeps the sign-in pending (ErrCodeWrong, ErrCodeUsed,
// with the enrolment key when one is owed); an unknown or expired pending
// sign-in (ErrSignInExpired) and a locked account (ErrSignInFailed) end it.
func ConfirmAgentCode(ctx context.Context, db *postgres.DB, now time.Time, in AgentCode) (AgentSignIn, error) {
	if err := claimAddress(ctx, db, in.Address); err != nil {
		return AgentSignIn{}, err
	}
	if in.Pending == "" {
		return AgentSignIn{}, ErrSignInExpired
	}
	a, err := db.PendingLogin(ctx, in.Pending)
	if collect.IsNotFound(err) {
		return AgentSignIn{}, endPending(ctx, db, in.Pending, ErrSignInExpired)
	}
	if err != nil {
		return AgentSignIn{}, err
	}
	claim, err := db.ClaimLogin(ctx, a.ID, access.MaxLoginFailures, access.LockDuration)
	if err != nil {
		return AgentSignIn{}, err
	}
	if !claim.Claimed {
		return AgentSignIn{}, endPending(ctx, db, in.Pending, ErrSignInFailed)
	}
	enrol := a.TOTPSecret == ""
	secret := a.TOTPSecret
	if enrol {
		secret = a.TOTPPending
	}
	if err := useCode(ctx, db, now, a.ID, secret, in.Code, enrol); err != nil {
		step, kerr := pendingStep(a, in.Pending)
		if kerr != nil {
			return AgentSignIn{}, kerr
		}
		return step, err
	}
	if err := finishLogin(ctx, db, a.ID, claim); err != nil {
		if errors.Is(err, ErrSignInFailed) {
			return AgentSignIn{}, endPending(ctx, db, in.Pending, err)
		}
		return AgentSignIn{}, err
	}
	if err := endPending(ctx, db, in.Pending, nil); err != nil {
		return AgentSignIn{}, err
	}
	return newSession(ctx, db, a.ID, in.OldSession)
}

// pendingStep is a pending sign-in as it stands: during enrolment with the
// key to add to an authenticator app first.
func pendingStep(a postgres.Agent, pending string) (AgentSignIn, error) {
	res := AgentSignIn{Pending: pending}
	if a.TOTPSecret == "" {
		k, err := access.TOTPKeyOf(a.Email, a.TOTPPending)
		if err != nil {
			return AgentSignIn{}, err
		}
		res.Enrol = &k
	}
	return res, nil
}

// useCode checks a code against secret at time now and takes its time
// step, so the same code cannot be used twice, also in parallel. With
// confirm, the pending secret becomes the account's second factor.
func useCode(ctx context.Context, db *postgres.DB, now time.Time, agentID, secret, code string, confirm bool) error {
	step, ok := access.MatchTOTP(secret, code, now)
	if !ok {
		return ErrCodeWrong
	}
	fresh, err := db.UseTOTPStep(ctx, agentID, step, confirm)
	if err != nil {
		return err
	}
	if !fresh {
		return ErrCodeUsed
	}
	return nil
}

// endPending deletes a pending sign-in and returns why it ended.
func endPending(ctx context.Context, db *postgres.DB, token string, why error) error {
	if err := db.DeletePendingLogin(ctx, token); err != nil {
		return err
	}
	return why
}

// finishLogin ends a sign-in whose every answer was right. It is
// ErrSignInFailed when other attempts locked the account after this one was
// claimed: once the limit is reached, no attempt still in flight signs in.
func finishLogin(ctx context.Context, db *postgres.DB, agentID string, claim postgres.LoginClaim) error {
	ok, err := db.FinishLogin(ctx, agentID, claim)
	if err != nil {
		return err
	}
	if !ok {
		return ErrSignInFailed
	}
	return nil
}

// newSession signs a console user in with a new session, ending the
// session it replaces.
func newSession(ctx context.Context, db *postgres.DB, agentID, oldSession string) (AgentSignIn, error) {
	if err := SignOutAgent(ctx, db, oldSession); err != nil {
		return AgentSignIn{}, err
	}
	tok, err := db.CreateSession(ctx, postgres.Session{Kind: "agent", AgentID: agentID, Language: "en"})
	return AgentSignIn{Session: tok}, err
}

// AgentSession loads the console user of a session token and the
// creditors they may see. Only sessions of kind "agent" count; no token,
// or one of no live session, is not found.
func AgentSession(ctx context.Context, db *postgres.DB, token string) (postgres.Agent, []string, error) {
	if token == "" {
		return postgres.Agent{}, nil, ErrNoAgentSession
	}
	s, err := db.SessionByToken(ctx, "agent", token)
	if err != nil {
		return postgres.Agent{}, nil, err
	}
	a, err := db.AgentByID(ctx, s.AgentID)
	if err != nil {
		return a, nil, err
	}
	ids, err := db.AgentCreditorIDs(ctx, a)
	return a, ids, err
}

// SignOutAgent ends a console session; an empty token has nothing to end.
func SignOutAgent(ctx context.Context, db *postgres.DB, token string) error {
	if token == "" {
		return nil
	}
	return db.DeleteSession(ctx, token)
}

// StartTOTPEnrolment gives a signed-in console user without a second
// factor the key to add to an authenticator app: the one shown before, or
// a new one. It is ErrTOTPOn when the user has a second factor already.
func StartTOTPEnrolment(ctx context.Context, db *postgres.DB, a postgres.Agent) (access.TOTPKey, error) {
	if a.TOTPSecret != "" {
		return access.TOTPKey{}, ErrTOTPOn
	}
	return totpEnrolment(ctx, db, a)
}

// totpEnrolment is the key of a's pending second factor, made and stored
// first when there is none.
func totpEnrolment(ctx context.Context, db *postgres.DB, a postgres.Agent) (access.TOTPKey, error) {
	if a.TOTPPending != "" {
		return access.TOTPKeyOf(a.Email, a.TOTPPending)
	}
	k, err := access.NewTOTPKey(a.Email)
	if err != nil {
		return access.TOTPKey{}, err
	}
	return k, db.SetPendingTOTP(ctx, a.ID, k.Secret)
}

// ConfirmTOTPEnrolment turns on a signed-in console user's second factor
// when code, checked at time now, matches the key shown. Otherwise it
// returns the key to show again with why: ErrNoTOTPKey (no key was shown;
// now one is), ErrCodeWrong or ErrCodeUsed; ErrTOTPOn when it is on already.
func ConfirmTOTPEnrolment(ctx context.Context, db *postgres.DB, now time.Time, a postgres.Agent, code string) (access.TOTPKey, error) {
	if a.TOTPSecret != "" {
		return access.TOTPKey{}, ErrTOTPOn
	}
	k, err := totpEnrolment(ctx, db, a)
	if err != nil {
		return access.TOTPKey{}, err
	}
	if a.TOTPPending == "" {
		return k, ErrNoTOTPKey
	}
	if err := useCode(ctx, db, now, a.ID, a.TOTPPending, code, true); err != nil {
		return k, err
	}
	return access.TOTPKey{}, nil
}
