package collect

import "time"

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
