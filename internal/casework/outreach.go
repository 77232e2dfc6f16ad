package casework

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/i18n"
	"github.com/settle/settle/internal/metrics"
	"github.com/settle/settle/internal/notify"
	"github.com/settle/settle/internal/postgres"
)

// Senders are the channels DeliverDue sends on, and the public address a
// message's short link starts with (https://host). A nil sender is a
// channel that is off: its messages fall back to the person's next
// channel, or fail where they can be seen.
type Senders struct {
	Email   notify.Sender
	SMS     notify.Sender
	BaseURL string
}

// How DeliverDue works through the outbox.
const (
	// claimLease is how long a claimed message is a sender's own; a sender
	// that died with it leaves it to the next after this.
	claimLease = 5 * time.Minute
	// deliverBatch is how many messages one pass claims at a time.
	deliverBatch = 50
	// maxAttempts is how often a channel that fails for a while (a busy
	// gateway) is tried before the next channel takes over.
	maxAttempts = 3
	// retryAfter is the wait after a temporary failure, per attempt so far.
	retryAfter = 10 * time.Minute
)

// PlanOutreach follows up the day after (FollowUpDayAfter) and runs every
// invoice's ladder up to now: each step that has come becomes its messages
// (or an agent's task), one transaction with its audit record per invoice
// and step. Running it again, or on two instances
// at once, plans nothing twice. linkBase (https://host) is where the short
// link printed on a 14-day letter starts; without it the notice is
// recorded without its letter. It returns how many steps it planned.
func PlanOutreach(ctx context.Context, db *postgres.DB, now time.Time, linkBase string) (int, error) {
	invs, err := db.LadderInvoices(ctx)
	if err != nil {
		return 0, err
	}
	// The day after comes first: a promise broken today no longer holds
	// the ladder, and its follow-up goes with this run.
	if _, err := FollowUpDayAfter(ctx, db, now); err != nil {
		return 0, err
	}
	o := newOutreach(db, now)
	o.linkBase = linkBase
	planned := 0
	for i, li := range invs {
		if err := o.preload(ctx, invs[i:]); err != nil {
			return planned, err
		}
		ran, err := o.planInvoice(ctx, li)
		if err != nil {
			return planned, fmt.Errorf("plan outreach for invoice %s: %w", li.Invoice.ID, err)
		}
		if ran {
			planned++
		}
		if i+1 == len(invs) || invs[i+1].Invoice.DebtorID != li.Invoice.DebtorID {
			// The debtor's last invoice (invs is grouped by debtor): its file
			// is not read again, and keeping every file of the run made the
			// garbage collector scan them all, a third of the run's CPU at
			// 100,000 debtors.
			delete(o.files, li.Invoice.DebtorID)
		}
	}
	return planned, nil
}

// RunOutreach plans the ladder steps that have come by the store's clock,
// then sends what is due: the whole of one outreach run.
func RunOutreach(ctx context.Context, db *postgres.DB, s Senders) error {
	now := db.Now()
	if _, err := PlanOutreach(ctx, db, now, s.BaseURL); err != nil {
		return err
	}
	_, err := DeliverDue(ctx, db, s, now)
	return err
}

// DeliverDue sends the messages whose moment has come. Each is claimed in
// a short transaction, checked again (paid, disputed or paused: cancelled;
// not allowed now: moved to its next allowed moment), sent with no
// transaction open, and its outcome recorded. A bounce blocks the address;
// a channel that keeps failing or is off hands the message to the person's
// next channel. It returns how many messages went.
func DeliverDue(ctx context.Context, db *postgres.DB, s Senders, now time.Time) (int, error) {
	o := newOutreach(db, now)
	sent := 0
	for {
		msgs, err := db.ClaimDueMessages(ctx, now, claimLease, deliverBatch)
		if err != nil || len(msgs) == 0 {
			return sent, err
		}
		for _, m := range msgs {
			d, err := o.deliver(ctx, s, m)
			if err != nil {
				return sent, fmt.Errorf("deliver message %s: %w", m.ID, err)
			}
			if err := db.RecordDelivery(ctx, d); err != nil {
				return sent, err
			}
			metrics.MessageSent(string(d.Message.Channel), string(d.Message.State))
			if d.Message.State == collect.MessageSent {
				sent++
			}
			// Others of this debtor now count this one towards the cap.
			delete(o.files, m.DebtorID)
		}
		if len(msgs) < deliverBatch {
			return sent, nil
		}
	}
}

// outreach is one pass of the planner or the sender: the clock and what
// it loaded so far.
type outreach struct {
	db      *postgres.DB
	now     time.Time
	today   time.Time
	cal     *collect.Calendar
	files   map[string]*debtorFile
	ladders map[string]collect.Ladder
	// linkBase starts the short link a 14-day letter prints.
	linkBase string
}

func newOutreach(db *postgres.DB, now time.Time) *outreach {
	return &outreach{db: db, now: now, today: collect.DutchDate(now), files: map[string]*debtorFile{}, ladders: map[string]collect.Ladder{}}
}

// debtorFile is what outreach reads about one debtor.
type debtorFile struct {
	facts    collect.Facts
	st       collect.Statement
	planKept bool
	// plans and promises are the debtor's, newest first; policy is the
	// creditor's limits for them.
	plans    []collect.Plan
	promises []collect.Promise
	policy   collect.PromisePolicy
	// wishes are how to reach the person: their own wishes completed with
	// what the creditor knows (collect.ContactOf).
	wishes  collect.ContactWishes
	blocked map[collect.Channel][]string
}

func (o *outreach) file(ctx context.Context, creditorID, debtorID string) (*debtorFile, error) {
	if f, ok := o.files[debtorID]; ok {
		return f, nil
	}
	f := &debtorFile{}
	var err error
	if f.facts, f.st, err = o.db.Statement(ctx, creditorID, debtorID, o.today); err != nil {
		return nil, err
	}
	if f.plans, err = o.db.Plans(ctx, creditorID, debtorID); err != nil {
		return nil, err
	}
	f.planKept = slices.ContainsFunc(f.plans, func(p collect.Plan) bool { return p.Status == collect.PlanApproved })
	if f.promises, err = o.db.Promises(ctx, creditorID, debtorID); err != nil {
		return nil, err
	}
	if f.policy, err = o.db.PromisePolicy(ctx, creditorID); err != nil {
		return nil, err
	}
	w, given, err := o.db.ContactWishesOf(ctx, debtorID)
	if err != nil {
		return nil, err
	}
	f.wishes = collect.ContactOf(f.facts.Debtor, w, given)
	if f.blocked, err = o.db.BlockedAddresses(ctx, debtorID); err != nil {
		return nil, err
	}
	o.files[debtorID] = f
	return f, nil
}

// preloadDebtors is how many debtors' files preload reads at once: one
// round trip per table for all of them instead of a dozen per debtor.
const preloadDebtors = 500

// preload reads, when the first invoice's debtor has no file yet, the files
// of the next preloadDebtors debtors of invs at once (invs is grouped by
// debtor). Each file is what file would read: planning one debtor's
// invoices writes nothing another debtor's file holds, so reading it a
// little earlier changes nothing. A debtor the batch does not answer for
// is left to file, which reads it alone.
func (o *outreach) preload(ctx context.Context, invs []postgres.LadderInvoice) error {
	if _, ok := o.files[invs[0].Invoice.DebtorID]; ok {
		return nil
	}
	creditorOf := map[string]string{}
	var ids []string
	for _, li := range invs {
		if len(ids) == preloadDebtors {
			break
		}
		d := li.Invoice.DebtorID
		if _, ok := o.files[d]; ok {
			continue
		}
		if _, ok := creditorOf[d]; !ok {
			creditorOf[d] = li.Invoice.CreditorID
			ids = append(ids, d)
		}
	}
	files, err := o.db.DebtorFiles(ctx, ids)
	if err != nil {
		return err
	}
	for _, d := range ids {
		df := files[d]
		if df == nil || df.Facts.Debtor.CreditorID != creditorOf[d] {
			continue
		}
		// A file that fails here is left to file too, so that the run
		// fails at that debtor's invoice, after planning those before it.
		f := &debtorFile{facts: df.Facts, promises: df.Promises, policy: df.Policy, blocked: df.Blocked}
		if f.st, err = collect.BuildStatement(f.facts, o.today); err != nil {
			continue
		}
		if df.HasPlans {
			if f.plans, err = o.db.Plans(ctx, creditorOf[d], d); err != nil {
				continue
			}
		}
		f.planKept = slices.ContainsFunc(f.plans, func(p collect.Plan) bool { return p.Status == collect.PlanApproved })
		f.wishes = collect.ContactOf(f.facts.Debtor, df.Wishes, df.WishesGiven)
		o.files[d] = f
	}
	return nil
}

func (o *outreach) calendar(ctx context.Context) (collect.Calendar, error) {
	if o.cal == nil {
		cal, err := o.db.Calendar(ctx)
		if err != nil {
			return cal, err
		}
		o.cal = &cal
	}
	return *o.cal, nil
}

func (o *outreach) ladder(ctx context.Context, creditorID string, version int) (collect.Ladder, error) {
	key := fmt.Sprintf("%s:%d", creditorID, version)
	if l, ok := o.ladders[key]; ok {
		return l, nil
	}
	l, err := o.db.LadderVersion(ctx, creditorID, version)
	if err == nil {
		o.ladders[key] = l
	}
	return l, err
}

// hold is what stops an invoice's ladder today: a dispute, breathing
// space, a kept plan or a promise whose date has not passed.
func (f *debtorFile) hold(invoiceID string, today time.Time) collect.LadderHold {
	h := collect.LadderHold{PlanKept: f.planKept}
	h.Promise = slices.ContainsFunc(f.promises, func(p collect.Promise) bool { return p.Holds(invoiceID, today) })
	for _, p := range f.facts.Holds[invoiceID] {
		h.Disputed = h.Disputed || p.Contains(today)
	}
	for _, p := range f.facts.Breathing {
		h.Breathing = h.Breathing || p.Contains(today)
	}
	return h
}

// planInvoice runs one invoice's ladder for today and stores what it did.
func (o *outreach) planInvoice(ctx context.Context, li postgres.LadderInvoice) (bool, error) {
	inv := li.Invoice
	f, err := o.file(ctx, inv.CreditorID, inv.DebtorID)
	if err != nil {
		return false, err
	}
	if line, ok := f.st.Line(inv.ID); !ok || line.Total() <= 0 {
		// Paid: nothing to remind of. Should it open again, its ladder
		// goes on from where it was.
		return false, nil
	}
	p := li.Progress
	if !li.Started {
		cur, err := o.db.Ladder(ctx, inv.CreditorID)
		if err != nil {
			return false, err
		}
		p.Version = cur.Version
	}
	l, err := o.ladder(ctx, inv.CreditorID, p.Version)
	if err != nil {
		return false, err
	}
	step, next := collect.NextLadderStep(l, inv.DueDate, o.today, p, f.hold(inv.ID, o.today))
	if step < 0 && next.Done == p.Done && next.ShiftDays == p.ShiftDays && next.PausedSince.Equal(p.PausedSince) {
		return false, nil
	}
	run := postgres.LadderRun{Invoice: inv, Started: li.Started, Before: p, After: next, Now: o.now}
	if step >= 0 {
		if err := o.fillStep(ctx, &run, f, l, step); err != nil {
			return false, err
		}
	}
	ran, err := o.db.RunLadderStep(ctx, run)
	return ran && step >= 0, err
}

// noticed reports whether a 14-day notice already covers the invoice.
func (f *debtorFile) noticed(invoiceID string) bool {
	return slices.ContainsFunc(f.facts.Notices, func(n collect.Notice) bool { return slices.Contains(n.InvoiceIDs, invoiceID) })
}

// fillStep adds a step's messages or task to a planner run.
func (o *outreach) fillStep(ctx context.Context, run *postgres.LadderRun, f *debtorFile, l collect.Ladder, step int) error {
	inv, s := run.Invoice, l.Steps[step]
	run.StepKey = s.Key
	key := fmt.Sprintf("%s:%d:%s:", inv.ID, l.Version, s.Key)
	if s.Kind == collect.StepTask {
		run.Task = &postgres.AgentTask{CreditorID: inv.CreditorID, DebtorID: inv.DebtorID, InvoiceID: inv.ID, Kind: s.Key, StepKey: key + "task", DueOn: o.today}
		return nil
	}
	base := postgres.OutboxMessage{Step: step, Message: collect.Message{CreditorID: inv.CreditorID, DebtorID: inv.DebtorID, InvoiceID: inv.ID,
		Kind: s.Key, State: collect.MessageScheduled, NotBefore: o.now, LadderVersion: l.Version}}
	lang := f.language()
	if s.Kind == collect.StepNotice && f.noticed(inv.ID) {
		// The 14-day letter is sent once per claim: a notice the creditor
		// already sent (costs may be running on it) is not sent again, and
		// the ladder goes on to its next step.
		return nil
	}
	if s.Kind == collect.StepNotice {
		cal, err := o.calendar(ctx)
		if err != nil {
			return err
		}
		// The notice is sent on the day the letter goes, so its 14 days
		// count from then, not from a Sunday or holiday it was planned on.
		n, err := RecordNotice(ctx, o.db, f.facts.Creditor, NoticeRequest{DebtorID: inv.DebtorID, InvoiceIDs: []string{inv.ID},
			SentOn: collect.PostDay(cal, o.now), Channel: string(collect.ChannelPost), LinkBase: o.linkBase})
		if err != nil {
			return fmt.Errorf("record notice: %w", err)
		}
		base.NoticeID = n.ID
		letter := base
		letter.StepKey, letter.Channel, letter.Template = key+"letter", collect.ChannelPost, stepTemplate(s, lang)
		letter.Language = messageLanguage(letter.Template, lang)
		run.Messages = append(run.Messages, letter)
	}
	chs := collect.StepChannels(s, f.accepted(), f.unusable)
	if s.Kind == collect.StepNotice {
		// The letter goes by post anyway; the message points to it on the
		// person's own channel, when there is one.
		chs = slices.DeleteFunc(chs, func(c collect.Channel) bool { return c == collect.ChannelPost })
		if len(chs) == 0 {
			return nil
		}
	}
	m := base
	m.StepKey = key + "message"
	m.Template = stepTemplate(s, lang)
	m.Language = messageLanguage(m.Template, lang)
	if len(chs) == 0 {
		m.Channel, m.State, m.Error = collect.ChannelPost, collect.MessageFailed, "no channel the person accepts has an address that works"
		run.Messages = append(run.Messages, m)
		return nil
	}
	m.Channel = chs[0]
	run.Messages = append(run.Messages, m)
	return nil
}

// stepTemplate is a step's template in lang, else its Dutch one.
func stepTemplate(s collect.LadderStep, lang string) string {
	if t := s.Templates[lang]; t != "" {
		return t
	}
	return s.Templates["nl"]
}

// language is the person's language: the one they chose, else the one the
// creditor gave.
func (f *debtorFile) language() string {
	for _, l := range []string{f.wishes.Language, f.facts.Debtor.Language} {
		if i18n.Supported(l) {
			return l
		}
	}
	return "nl"
}

// accepted are the channels the person accepts, most preferred first: as
// they chose, else what the creditor's data allows (email, SMS, then post).
func (f *debtorFile) accepted() []collect.Channel { return f.wishes.Channels }

// address is where a message on channel c goes: what the person gave,
// else what the creditor gave.
func (f *debtorFile) address(c collect.Channel) string {
	switch c {
	case collect.ChannelEmail:
		return f.wishes.Email
	case collect.ChannelSMS, collect.ChannelWhatsApp:
		return f.wishes.Phone
	case collect.ChannelPost:
		a := f.facts.Debtor.Address
		if a.Street == "" && a.Postcode == "" {
			return ""
		}
		return strings.TrimSpace(fmt.Sprintf("%s %s, %s %s", a.Street, a.HouseNumber, a.Postcode, a.City))
	}
	return ""
}

// unusable reports a channel without an address, or whose address bounced.
func (f *debtorFile) unusable(c collect.Channel) bool {
	a := f.address(c)
	return a == "" || slices.Contains(f.blocked[c], a)
}

// deliver decides and does what becomes of one claimed message.
func (o *outreach) deliver(ctx context.Context, s Senders, m postgres.OutboxMessage) (postgres.Delivery, error) {
	d := postgres.Delivery{Message: m, Today: o.today, Now: o.now}
	f, err := o.file(ctx, m.CreditorID, m.DebtorID)
	if err != nil {
		return d, err
	}
	if m.InvoiceID != "" {
		line, ok := f.st.Line(m.InvoiceID)
		switch {
		case !ok || line.Total() <= 0:
			return o.cancel(d, "the invoice is paid"), nil
		case f.hold(m.InvoiceID, o.today).Paused():
			d = o.cancel(d, "the ladder is paused (dispute, breathing space or a plan)")
			// The step comes again after the pause; a 14-day letter is
			// already on record and is not sent twice.
			d.Rewind = m.Step >= 0 && m.NoticeID == ""
			return d, nil
		}
	}
	if why := f.followUpSettled(m, o.today); why != "" {
		return o.cancel(d, why), nil
	}
	if f.unusable(m.Channel) {
		return o.fail(f, d, collect.MessageFailed, fmt.Sprintf("no usable %s address", m.Channel)), nil
	}
	at, err := o.firstAllowed(ctx, f, m)
	if err != nil {
		return d, err
	}
	if !at.Equal(o.now) {
		d.Message.NotBefore = at
		return d, nil
	}
	return o.send(ctx, s, f, d)
}

// firstAllowed is the first moment m may go: quiet hours, Sundays,
// holidays, the person's wishes and the creditor's weekly cap. A letter
// goes to the print partner on a working day, in working hours; the
// person's times and the cap are about messages that reach them at once.
// An answer to the person's own request is not held back by the cap.
func (o *outreach) firstAllowed(ctx context.Context, f *debtorFile, m postgres.OutboxMessage) (time.Time, error) {
	cal, err := o.calendar(ctx)
	if err != nil {
		return time.Time{}, err
	}
	if m.Channel == collect.ChannelPost {
		return collect.PostMoment(cal, o.now), nil
	}
	if collect.IsAnswer(m.Kind) {
		return collect.SendWindow{Calendar: cal, Avoid: f.wishes.Avoid}.FirstAllowed(o.now), nil
	}
	l, err := o.ladder(ctx, m.CreditorID, m.LadderVersion)
	if err != nil {
		return time.Time{}, err
	}
	others, err := o.db.MessageMoments(ctx, m.DebtorID, m.ID, o.now.Add(-7*24*time.Hour))
	if err != nil {
		return time.Time{}, err
	}
	// Only what went before counts: a message planned for later waits its turn.
	others = slices.DeleteFunc(others, func(t time.Time) bool { return t.After(o.now) })
	w := collect.SendWindow{Calendar: cal, Avoid: f.wishes.Avoid, MaxPerWeek: l.MaxPerWeek, Others: others}
	return w.FirstAllowed(o.now), nil
}

// send renders m with a fresh link and hands it to its channel, with no
// transaction open.
func (o *outreach) send(ctx context.Context, s Senders, f *debtorFile, d postgres.Delivery) (postgres.Delivery, error) {
	m := &d.Message
	m.To = f.address(m.Channel)
	t, lang, err := o.messageTemplate(ctx, *m, f.language())
	if err != nil {
		return d, err
	}
	m.Language = lang
	link, err := messageLink(ctx, o.db, s, *m)
	if err != nil {
		return d, err
	}
	data := o.messageData(f, *m, link)
	// The phone hours in the message's language, as the portal shows them.
	hours, err := phoneHoursIn(ctx, o.db, m.CreditorID, lang)
	if err != nil {
		return d, err
	}
	if hours != "" {
		data.PhoneHours = hours
	}
	r, err := renderTemplate(t, m.Channel, data)
	if err != nil {
		return d, err
	}
	m.Subject, m.Text, m.HTML = r.Subject, r.Text, r.HTML
	if m.Channel == collect.ChannelPost {
		// The print partner sends letters; a letter counts as sent once it
		// is written (the 14-day letter's PDF is kept on its notice).
		return o.sent(d, ""), nil
	}
	sender := s.SMS
	off := "SMS is off (set SETTLE_SMS_URL, SETTLE_SMS_SID, SETTLE_SMS_TOKEN and SETTLE_SMS_FROM)"
	if m.Channel == collect.ChannelEmail {
		sender, off = s.Email, "email is off (set SETTLE_SMTP_URL and SETTLE_MAIL_FROM)"
	}
	if sender == nil {
		return o.fail(f, d, collect.MessageFailed, off), nil
	}
	res := sender.Send(ctx, notify.Message{ID: m.ID, To: m.To, Subject: m.Subject, Text: m.Text, HTML: m.HTML})
	switch res.Outcome {
	case notify.Sent:
		return o.sent(d, res.ProviderID), nil
	case notify.PermanentFailure:
		d.Block = true
		return o.fail(f, d, collect.MessageBounced, errText(res)), nil
	}
	if m.Attempts < maxAttempts {
		m.Error = errText(res)
		m.NotBefore = o.now.Add(time.Duration(m.Attempts) * retryAfter)
		return d, nil
	}
	return o.fail(f, d, collect.MessageFailed, errText(res)), nil
}

func errText(r notify.Result) string {
	if r.Err == nil {
		return r.Outcome.String()
	}
	return r.Err.Error()
}

func (o *outreach) sent(d postgres.Delivery, providerID string) postgres.Delivery {
	now := o.now
	d.Message.State, d.Message.SentAt, d.Message.Error, d.Message.ProviderID = collect.MessageSent, &now, "", providerID
	return d
}

func (o *outreach) cancel(d postgres.Delivery, why string) postgres.Delivery {
	d.Message.State, d.Message.Error = collect.MessageCancelled, why
	return d
}

// fail ends a message as bounced or failed and hands it to the person's
// next channel that was not tried and works, if any. A pointer to a letter
// does not fall back to post: the letter is on its way.
func (o *outreach) fail(f *debtorFile, d postgres.Delivery, state collect.MessageState, why string) postgres.Delivery {
	m := d.Message
	d.Message.State, d.Message.Error = state, why
	tried := append(slices.Clone(m.Tried), m.Channel)
	for _, c := range collect.StepChannels(collect.LadderStep{}, f.accepted(), f.unusable) {
		if slices.Contains(tried, c) || c == m.Channel || (c == collect.ChannelPost && m.NoticeID != "") {
			continue
		}
		fb := m
		fb.ID, fb.StepKey, fb.Channel, fb.Tried, fb.State, fb.Error, fb.NotBefore = "", "", c, tried, collect.MessageScheduled, "", o.now
		fb.To, fb.Subject, fb.Text, fb.HTML, fb.SentAt, fb.Attempts, fb.ProviderID = "", "", "", "", nil, 0, ""
		d.Fallback = &fb
		break
	}
	return d
}

// messageData is what the templates say about a message's invoice.
func (o *outreach) messageData(f *debtorFile, m postgres.OutboxMessage, link string) messageData {
	p := i18n.For(m.Language)
	cr := f.facts.Creditor
	d := messageData{Name: f.facts.Debtor.Name, Creditor: cr.Name, Link: link, Phone: cr.Phone, PhoneHours: cr.PhoneHours,
		HelpPhone: cr.Policy.HelpPhone, Amount: p.Money(f.st.Total())}
	if line, ok := f.st.Line(m.InvoiceID); ok {
		d.Invoice, d.DueDate, d.Amount = line.Invoice.Number, p.Date(line.Invoice.DueDate), p.Money(line.Total())
	}
	for _, n := range f.facts.Notices {
		if n.ID == m.NoticeID {
			d.Deadline, d.Costs, d.HasCosts = p.Date(n.Deadline), p.Money(n.Costs), n.Costs > 0 && !n.Waived
		}
	}
	if amount, on, ok := f.missed(m, o.today); ok {
		d.Missed, d.MissedOn = p.Money(amount), p.Date(on)
		d.LastChance = m.Kind == collect.KindInstalmentMissed && f.lastChance(o.today)
	}
	return d
}

// messageLink is the debtor's link in a message: a short link
// (https://host/b/XXXX-XXXX) that a person can type over from a letter or a
// small screen, and that leads to the second factor. It lasts as long as its
// channel's links do, and for a debtor with a plan until the last
// instalment plus 30 days (collect.LinkExpiry, through IssueShortLink).
func messageLink(ctx context.Context, db *postgres.DB, s Senders, m postgres.OutboxMessage) (string, error) {
	if s.BaseURL == "" {
		return "", errors.New("message link: no public address to start the link with")
	}
	return IssueShortLink(ctx, db, s.BaseURL, m.CreditorID, m.DebtorID, m.Channel)
}
