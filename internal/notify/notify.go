// Package notify sends messages out of Settle: email over SMTP and SMS
// through an HTTP gateway in the shape of Twilio's Messages API. It knows
// channels, not people: which message goes to whom, when and how often is
// decided by the caller. It keeps no state and opens no database.
package notify

import "context"

// Message is one outgoing message on any channel.
type Message struct {
	// ID is the caller's id of the message, for tracing it through the
	// provider; email uses it as the left part of the Message-ID header.
	// Empty lets the channel choose one. It must be dot-atom text (letters,
	// digits and !#$%&'*+-/=?^_`{|}~.), as a UUID or a number is.
	ID string
	// To is an email address or an E.164 phone number (+31612345678).
	To string
	// Subject is the email subject; SMS ignores it.
	Subject string
	// Text is the plain-text body: the SMS body and the text part of an email.
	Text string
	// HTML is the HTML part of an email, sent beside Text; optional, and
	// ignored by SMS.
	HTML string
}

// Outcome says what became of a message handed to a Sender.
type Outcome int

const (
	// Sent means the provider accepted the message.
	Sent Outcome = iota + 1
	// PermanentFailure means the recipient refused it for good (a bounce):
	// the address or number is wrong and must not be used again until the
	// person corrects it.
	PermanentFailure
	// TemporaryFailure means it may go later: the provider was busy, down or
	// unreachable, or Settle's own settings or message were at fault. The
	// address or number is not to blame.
	TemporaryFailure
)

// String names the outcome for logs and records.
func (o Outcome) String() string {
	switch o {
	case Sent:
		return "handed over"
	case PermanentFailure:
		return "permanent failure"
	case TemporaryFailure:
		return "temporary failure"
	}
	return "unknown outcome"
}

// Result is a Sender's answer for one message.
type Result struct {
	// Outcome is sent, permanent failure or temporary failure.
	Outcome Outcome
	// ProviderID is the channel's id of the message: the email's Message-ID
	// or the gateway's message SID. Set when sent.
	ProviderID string
	// Code is the provider's error code when not sent, as the provider gave
	// it ("550", "550 5.1.1", "21211"); empty when there was none.
	Code string
	// Err says why the message was not sent; nil when sent. It never holds
	// a password or token.
	Err error
}

// Sender sends a message on one channel. Send never panics on a provider's
// answer and always returns an Outcome; it holds no lock or transaction of
// the caller's while it talks to the provider.
type Sender interface {
	Send(ctx context.Context, m Message) Result
}

func permanent(code string, err error) Result {
	return Result{Outcome: PermanentFailure, Code: code, Err: err}
}

func temporary(code string, err error) Result {
	return Result{Outcome: TemporaryFailure, Code: code, Err: err}
}
