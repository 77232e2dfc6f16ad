// Package demo fills a fresh database with creditors, debtors and invoices that
// show every situation the portal handles, and writes their links to demo.json.
package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/settle/settle/internal/access"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/collect"
	"github.com/settle/settle/internal/money"
	"github.com/settle/settle/internal/postgres"
)

// Output is what demo.json holds.
type Output struct {
	BaseURL   string     `json:"base_url"`
	Creditors []Creditor `json:"creditors"`
	Debtors   []Debtor   `json:"debtors"`
	Agents    []Agent    `json:"agents"`
}

// Creditor is a demo creditor with its API key.
type Creditor struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	APIKey string `json:"api_key"`
}

// Debtor is a demo debtor with the link and second factor to sign in.
type Debtor struct {
	ID           string            `json:"id"`
	CreditorID   string            `json:"creditor_id"`
	Name         string            `json:"name"`
	Situation    string            `json:"situation"`
	Owes         string            `json:"owes"`
	Link         string            `json:"link"`
	SecondFactor map[string]string `json:"second_factor"`
}

// Agent is a console user with a password for the demo. Admins also have a
// second factor: TOTPSecret goes into an authenticator app (or TOTPURI
// opened in one), whose code the console asks for after the password.
type Agent struct {
	Email      string `json:"email"`
	Password   string `json:"password"`
	Role       string `json:"role"`
	TOTPSecret string `json:"totp_secret,omitempty"`
	TOTPURI    string `json:"totp_uri,omitempty"`
}

// Seed reuses the demo data described in path when it is still in the
// database, or creates fresh data (always when fresh is set). reused says which.
func Seed(ctx context.Context, db *postgres.DB, signer *access.Signer, baseURL, path string, fresh bool) (Output, bool, error) {
	if !fresh {
		if out, ok := existing(ctx, db, path); ok {
			out.BaseURL = baseURL
			if err := refresh(ctx, db, signer, &out); err != nil {
				return out, true, err
			}
			if err := writeOutput(path, out); err != nil {
				return out, true, err
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(path), BankStatementFile)); err != nil {
				if err := writeBankStatement(ctx, db, path); err != nil {
					return out, true, err
				}
			}
			return out, true, nil
		}
	}
	if err := db.ResetBusinessData(ctx); err != nil {
		return Output{}, false, err
	}
	out, err := create(ctx, db, signer, baseURL)
	if err != nil {
		return Output{}, false, err
	}
	if err := writeOutput(path, out); err != nil {
		return out, false, err
	}
	if err := writeBankStatement(ctx, db, path); err != nil {
		return out, false, err
	}
	return out, false, nil
}

func writeOutput(path string, out Output) error {
	b, _ := json.MarshalIndent(out, "", "  ")
	if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// refresh brings reused demo data to today: what each debtor owes on the
// (demo clock's) day, and a new link, since the first run's links may have
// expired while the clock moved on. Older links keep working until then.
func refresh(ctx context.Context, db *postgres.DB, signer *access.Signer, out *Output) error {
	today := db.Today()
	for i, d := range out.Debtors {
		link, _, err := casework.IssueLink(ctx, db, signer, out.BaseURL, d.CreditorID, d.ID, "letter", demoLinkLife)
		if err != nil {
			return fmt.Errorf("demo link for %s: %w", d.Name, err)
		}
		_, st, err := db.Statement(ctx, d.CreditorID, d.ID, today)
		if err != nil {
			return fmt.Errorf("demo statement for %s: %w", d.Name, err)
		}
		out.Debtors[i].Link, out.Debtors[i].Owes = link, money.FormatCents(st.Total(), "nl")
	}
	return nil
}

func existing(ctx context.Context, db *postgres.DB, path string) (Output, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Output{}, false
	}
	var out Output
	if json.Unmarshal(b, &out) != nil || len(out.Creditors) == 0 || len(out.Debtors) == 0 {
		return Output{}, false
	}
	for _, c := range out.Creditors {
		if _, err := db.CreditorByAPIKey(ctx, c.APIKey); err != nil {
			return Output{}, false
		}
	}
	return out, true
}

type invoiceSpec struct {
	number, description string
	amount              int64
	dueIn               int // days from today; negative is overdue
	paid                int64
}

type debtorSpec struct {
	situation string
	debtor    collect.Debtor
	invoices  []invoiceSpec
	// noticeAgo, when set, is how many days ago a 14-day notice for all invoices went out.
	noticeAgo *int
	channel   string
	// dispute, when set, is the number of an invoice the debtor disputes
	// (still open): the overview shows it apart, pay everything leaves it out.
	dispute string
}

func ago(n int) *int { return &n }

func create(ctx context.Context, db *postgres.DB, signer *access.Signer, baseURL string) (Output, error) {
	out := Output{BaseURL: baseURL, Agents: []Agent{}}
	energy, energyKey, err := db.CreateCreditor(ctx, collect.Creditor{
		Name: "Zonnestroom Energie", Phone: "020 123 45 67", PhoneHours: "maandag tot en met vrijdag van 9:00 tot 17:00",
		Email: "klantenservice@zonnestroom.example", IBAN: "NL91ABNA0417164300", PostDeliveryDays: 2, SecondFactor: "address",
		BIC: "ABNANL2A", Address: collect.Address{Street: "Keizersgracht", HouseNumber: "100", Postcode: "1015 AA", City: "Amsterdam"},
	})
	if err != nil {
		return out, err
	}
	wholesale, wholesaleKey, err := db.CreateCreditor(ctx, collect.Creditor{
		Name: "Groothandel Van Dijk", Phone: "010 765 43 21", PhoneHours: "maandag tot en met vrijdag van 8:30 tot 16:30",
		Email: "debiteuren@vandijk.example", IBAN: "NL20INGB0001234567", PostDeliveryDays: 2, SecondFactor: "address",
		BIC: "INGBNL2A", Address: collect.Address{Street: "Coolsingel", HouseNumber: "40", Postcode: "3011 AD", City: "Rotterdam"},
	})
	if err != nil {
		return out, err
	}
	out.Creditors = []Creditor{{energy.ID, energy.Name, energyKey}, {wholesale.ID, wholesale.Name, wholesaleKey}}
	// Zonnestroom's phone hours in every language the portal speaks (Dutch is
	// creditors.phone_hours); Van Dijk has only Dutch, to show the fallback.
	for lang, hours := range map[string]string{
		"en": "Monday to Friday from 9:00 to 17:00",
		"tr": "pazartesiden cumaya 9:00 ile 17:00 arası",
		"ar": "من الاثنين إلى الجمعة من 9:00 إلى 17:00",
		"pl": "od poniedziałku do piątku od 9:00 do 17:00",
		"uk": "з понеділка до п'ятниці з 9:00 до 17:00",
	} {
		if err := db.SetCreditorText(ctx, energy.ID, lang, "phone_hours", hours); err != nil {
			return out, err
		}
	}

	addr := func(street, no, pc, city string) collect.Address {
		return collect.Address{Street: street, HouseNumber: no, Postcode: pc, City: city}
	}
	consumers := []debtorSpec{
		{situation: "not yet due", debtor: collect.Debtor{ExternalRef: "ZE-1001", Name: "Anna de Vries", Email: "anna@example.nl", Language: "nl", Address: addr("Lindenlaan", "12", "1234 AB", "Utrecht")},
			invoices: []invoiceSpec{{"2026-1101", "Energie november", 8950, 10, 0}}},
		{situation: "overdue, inside the 14-day term", debtor: collect.Debtor{ExternalRef: "ZE-1002", Name: "Mohamed El Amrani", Email: "mohamed@example.nl", Language: "nl", Address: addr("Kastanjestraat", "7", "3511 KL", "Utrecht")},
			invoices: []invoiceSpec{{"2026-0901", "Energie september", 12475, -20, 0}}, noticeAgo: ago(4), channel: "email"},
		{situation: "past the 14-day term: costs added", debtor: collect.Debtor{ExternalRef: "ZE-1003", Name: "Sanne Jansen", Phone: "06 1234 5601", Language: "nl", Address: addr("Dorpsstraat", "101", "6711 AA", "Ede")},
			invoices: []invoiceSpec{{"2026-0701", "Energie juli", 24550, -75, 0}}, noticeAgo: ago(40), channel: "post"},
		{situation: "partly paid", debtor: collect.Debtor{ExternalRef: "ZE-1004", Name: "Kees Bakker", Phone: "06 1234 5602", Language: "nl", Address: addr("Molenweg", "3", "9711 BC", "Groningen")},
			invoices: []invoiceSpec{{"2026-0801", "Energie augustus", 31000, -30, 10000}}},
		{situation: "several invoices, English", debtor: collect.Debtor{ExternalRef: "ZE-1005", Name: "John Smith", Email: "john.smith@example.com", Phone: "+44 7700 900123", Language: "en", Address: addr("Prinsengracht", "263", "1016 GV", "Amsterdam")},
			invoices: []invoiceSpec{{"2026-0802", "Energy August", 9800, -50, 0}, {"2026-0902", "Energy September", 10250, -20, 0}, {"2026-1002", "Energy October", 11100, 5, 0}}, noticeAgo: ago(3), channel: "email"},
		idealDebtor,
		{situation: "one invoice disputed", debtor: collect.Debtor{ExternalRef: "ZE-1007", Name: "Lotte Visser", Email: "lotte@example.nl", Language: "nl", Address: addr("Esdoornlaan", "8", "8011 CD", "Zwolle")},
			invoices: []invoiceSpec{{"2026-0907", "Energie september", 15600, -25, 0}, {"2026-1007", "Energie oktober", 13200, -3, 0}}, dispute: "2026-1007"},
	}
	businesses := []debtorSpec{
		{situation: "business, commercial interest", debtor: collect.Debtor{ExternalRef: "VD-2001", Kind: collect.Business, Name: "Bakkerij Het Zoete Broodje", Email: "info@zoetebroodje.example", Language: "nl", Address: addr("Marktplein", "5", "2611 GV", "Delft")},
			invoices: []invoiceSpec{{"F-2026-0456", "Levering meel en suiker", 125000, -60, 0}}},
		{situation: "business, several invoices", debtor: collect.Debtor{ExternalRef: "VD-2002", Kind: collect.Business, Name: "Café De Hoek", Email: "boekhouding@dehoek.example", Language: "nl", Address: addr("Hoekstraat", "1", "5038 AB", "Tilburg")},
			invoices: []invoiceSpec{{"F-2026-0501", "Levering dranken", 48000, -45, 0}, {"F-2026-0502", "Levering glaswerk", 15600, -15, 0}}},
	}
	for _, role := range []string{"agent", "finance", "admin"} {
		pw := access.NewPassword()
		hash, err := access.HashPassword(pw)
		if err != nil {
			return out, err
		}
		email := role + "@settle.example"
		if err := access.CheckNewPassword(email, pw); err != nil {
			return out, fmt.Errorf("demo password for %s: %w", email, err)
		}
		a, err := db.CreateAgent(ctx, email, role, hash, []string{energy.ID, wholesale.ID})
		if err != nil {
			return out, err
		}
		da := Agent{Email: email, Password: pw, Role: role}
		if role == "admin" {
			// Admins must have a second factor; the demo enrols one and prints it.
			k, err := access.NewTOTPKey(email)
			if err != nil {
				return out, err
			}
			if err := db.EnrolTOTP(ctx, a.ID, k.Secret); err != nil {
				return out, err
			}
			da.TOTPSecret, da.TOTPURI = k.Secret, k.URI
		}
		out.Agents = append(out.Agents, da)
	}
	today := db.Today()
	if err := seedRewardRules(ctx, db, energy); err != nil {
		return out, err
	}
	for _, group := range []struct {
		creditor collect.Creditor
		specs    []debtorSpec
	}{{energy, consumers}, {energy, promiseDebtors}, {energy, municipalDebtors}, {energy, signalDebtors}, {energy, rewardDebtors}, {wholesale, businesses}} {
		for _, s := range group.specs {
			d, err := seedDebtor(ctx, db, signer, baseURL, group.creditor, s, today)
			if err != nil {
				return out, fmt.Errorf("%s: %w", s.debtor.Name, err)
			}
			out.Debtors = append(out.Debtors, d)
		}
	}
	return out, seedMunicipalSignal(ctx, db, energy, out)
}

func seedDebtor(ctx context.Context, db *postgres.DB, signer *access.Signer, baseURL string, cred collect.Creditor, s debtorSpec, today time.Time) (Debtor, error) {
	s.debtor.CreditorID = cred.ID
	if s.debtor.Kind == "" {
		s.debtor.Kind = collect.Consumer
	}
	d, _, err := db.UpsertDebtor(ctx, s.debtor)
	if err != nil {
		return Debtor{}, err
	}
	var ids []string
	for _, is := range s.invoices {
		due := today.AddDate(0, 0, is.dueIn)
		inv, err := db.CreateInvoice(ctx, collect.Invoice{
			CreditorID: cred.ID, DebtorID: d.ID, Number: is.number, Description: is.description,
			IssueDate: due.AddDate(0, 0, -14), DueDate: due, Amount: is.amount, Currency: money.EUR,
		})
		if err != nil {
			return Debtor{}, err
		}
		ids = append(ids, inv.ID)
		if is.paid > 0 {
			_, _, err := db.ApplyPayment(ctx, postgres.Receipt{CreditorID: cred.ID, DebtorID: d.ID, Amount: is.paid, InvoiceID: inv.ID,
				On: due.AddDate(0, 0, 5), SourceKey: "demo:" + inv.ID, Memo: "bank transfer"})
			if err != nil {
				return Debtor{}, err
			}
		}
	}
	if s.noticeAgo != nil {
		var overdue []string
		for i, is := range s.invoices {
			if is.dueIn < 0 {
				overdue = append(overdue, ids[i])
			}
		}
		if _, err := db.CreateNotice(ctx, cred, d.ID, overdue, collect.Notice{Channel: s.channel, SentOn: today.AddDate(0, 0, -*s.noticeAgo)}); err != nil {
			return Debtor{}, err
		}
	}
	for i, is := range s.invoices {
		if is.number == s.dispute {
			if _, err := db.CreateDispute(ctx, collect.Dispute{CreditorID: cred.ID, DebtorID: d.ID, InvoiceID: ids[i], Reason: "amount_wrong",
				Body: "Ik heb in oktober veel minder verbruikt dan op deze rekening staat."}); err != nil {
				return Debtor{}, err
			}
		}
	}
	if s.situation == idealSituation {
		if err := seedMolliePayout(ctx, db, cred, d.ID); err != nil {
			return Debtor{}, err
		}
	}
	if err := seedPromise(ctx, db, cred, d.ID, s, ids, today); err != nil {
		return Debtor{}, err
	}
	if err := seedSignalHistory(ctx, db, cred, d.ID, s, ids, today); err != nil {
		return Debtor{}, err
	}
	if err := seedReward(ctx, db, cred, d.ID, s, ids, today); err != nil {
		return Debtor{}, err
	}
	link, _, err := casework.IssueLink(ctx, db, signer, baseURL, cred.ID, d.ID, "letter", demoLinkLife)
	if err != nil {
		return Debtor{}, err
	}
	_, st, err := db.Statement(ctx, cred.ID, d.ID, today)
	if err != nil {
		return Debtor{}, err
	}
	return Debtor{
		ID: d.ID, CreditorID: cred.ID, Name: d.Name, Situation: s.situation, Owes: money.FormatCents(st.Total(), "nl"), Link: link,
		SecondFactor: map[string]string{"postcode": d.Address.Postcode, "house_number": d.Address.HouseNumber},
	}, nil
}

// demoLinkLife is how long a demo debtor's link works: long enough to move
// the demo clock through a whole collection ladder.
const demoLinkLife = 60 * 24 * time.Hour

// Print writes the demo data as a readable table.
func Print(w io.Writer, out Output) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DEBTOR\tSITUATION\tOWES\tSECOND FACTOR\tLINK")
	for _, d := range out.Debtors {
		sf := d.SecondFactor["postcode"] + " / " + d.SecondFactor["house_number"]
		if b, ok := d.SecondFactor["birth_date"]; ok {
			sf = b
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", d.Name, d.Situation, d.Owes, sf, d.Link)
	}
	tw.Flush()
	if len(out.Agents) > 0 {
		fmt.Fprintln(w, "\nConsole users ("+out.BaseURL+"/console):")
		for _, a := range out.Agents {
			fmt.Fprintf(w, "  %-8s %s  password: %s\n", a.Role, a.Email, a.Password)
			if a.TOTPSecret != "" {
				fmt.Fprintf(w, "           sign-in code: add key %s to an authenticator app (%s)\n", a.TOTPSecret, a.TOTPURI)
			}
		}
	}
	fmt.Fprintln(w, "\nAPI keys:")
	for _, c := range out.Creditors {
		fmt.Fprintf(w, "  %s: %s\n", c.Name, c.APIKey)
	}
}
