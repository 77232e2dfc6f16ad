package collect

import (
	"slices"
	"time"
)

// Channel is a way Settle can reach a debtor.
type Channel string

// The channels. Post is a printed letter; WhatsApp is a preference that is
// sent as SMS until a WhatsApp provider is configured.
const (
	ChannelPost     Channel = "post"
	ChannelEmail    Channel = "email"
	ChannelSMS      Channel = "sms"
	ChannelWhatsApp Channel = "whatsapp"
)

// Channels are all channels, in the order the portal offers them.
var Channels = []Channel{ChannelEmail, ChannelSMS, ChannelWhatsApp, ChannelPost}

// TimeRange is a span of local (Europe/Amsterdam) time on some weekdays,
// for example "Monday to Friday, 8:00 to 17:00". From and To are minutes
// after midnight, From < To.
type TimeRange struct {
	Days []time.Weekday
	From int
	To   int
}

// MessageState is where an outgoing message or letter stands.
type MessageState string

// The message states. A message is scheduled until its first allowed moment,
// then sent (handed to the SMTP server, SMS gateway or print partner);
// delivered when the channel confirms it; bounced when the address or number
// proved wrong (not used again until corrected); failed when every channel
// the person accepts failed; cancelled when it was no longer due when its
// moment came (the invoice was paid, disputed, or paused).
const (
	MessageScheduled MessageState = "scheduled"
	MessageSent      MessageState = "sent"
	MessageDelivered MessageState = "delivered"
	MessageBounced   MessageState = "bounced"
	MessageFailed    MessageState = "failed"
	MessageCancelled MessageState = "cancelled"
)

// Message is one message or letter to a debtor, as the file lists it.
type Message struct {
	ID         string
	CreditorID string
	DebtorID   string
	InvoiceID  string // "" for a message about the whole file
	NoticeID   string // set for the 14-day letter
	// Kind names what the message is about: a ladder step's key
	// ("reminder_before", "notice", ...) or an answer ("plan_approved",
	// "plan_countered", "plan_rejected", "dispute_answered").
	Kind     string
	Channel  Channel
	Language string
	To       string // email address, E.164 number, or postal address line
	Subject  string
	Text     string
	HTML     string
	State    MessageState
	// NotBefore is the first moment the message may go: the step's moment
	// moved past quiet hours, Sundays, holidays and the person's wishes.
	NotBefore time.Time
	SentAt    *time.Time
	Error     string
	// LadderVersion is the version of the creditor's ladder the step came from.
	LadderVersion int
	CreatedAt     time.Time
}

// The kinds of message that bring an agent's answer to a debtor.
const (
	KindPlanApproved    = "plan_approved"
	KindPlanCountered   = "plan_countered"
	KindPlanRejected    = "plan_rejected"
	KindDisputeAnswered = "dispute_answered"
)

// AnswerKinds are the kinds of message that answer a debtor's request.
var AnswerKinds = []string{KindPlanApproved, KindPlanCountered, KindPlanRejected, KindDisputeAnswered}

// IsAnswer reports whether a message of kind answers the debtor's own
// request. An answer the person waits for is not a reminder: the weekly
// cap, which keeps reminders from piling up, does not hold it back.
func IsAnswer(kind string) bool { return slices.Contains(AnswerKinds, kind) }

// PostMoment is the first moment at or after t at which a letter goes to
// the print partner: in the send window's hours, and only on a working day,
// since the print partner posts nothing on a Saturday, Sunday or holiday.
func PostMoment(cal Calendar, t time.Time) time.Time {
	w := SendWindow{Calendar: cal}
	for {
		at := w.FirstAllowed(t)
		day := DutchDate(at)
		if cal.IsWorkingDay(day) {
			return at
		}
		next := cal.NextWorkingDay(day)
		t = time.Date(next.Year(), next.Month(), next.Day(), 0, 0, 0, 0, amsterdam)
	}
}

// PostDay is the day a letter planned at t goes: the day of PostMoment. A
// 14-day letter's sent-on day is this day, so its term counts from the day
// the letter really goes, not from a Sunday it was planned on.
func PostDay(cal Calendar, t time.Time) time.Time { return DutchDate(PostMoment(cal, t)) }
