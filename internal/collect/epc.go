package collect

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// The EPC QR code ("GiroCode", EPC069-12) lets a debtor scan a letter with a
// banking app and find a SEPA credit transfer filled in. It lives here, next
// to the RF reference and its mod 97 check, because it is a pure rule about
// payment references that any outgoing channel (a letter, later an email)
// may print; the letters package only draws it.

// EPCMaxCents is the largest amount an EPC QR code may carry: EUR 999,999,999.99.
const EPCMaxCents = 99_999_999_999

// epcMaxBytes is the largest payload EPC069-12 allows, so that the code stays
// within QR version 13 at error correction level M.
const epcMaxBytes = 331

// epcMaxName is the longest beneficiary name and the longest beneficiary to
// originator information, in characters.
const epcMaxName = 70

// EPCTransfer is what an EPC QR code asks the debtor's bank to pay.
type EPCTransfer struct {
	Name      string // beneficiary: the creditor, at most 70 characters
	IBAN      string // beneficiary account; spaces and lower case are accepted
	BIC       string // optional since version 002 within the EEA
	Cents     int64  // 1 to EPCMaxCents
	Reference string // ISO 11649 RF reference, put in the structured remittance field
	Info      string // optional note shown to the debtor by the app, at most 70 characters
}

// EPCPayload builds the text of an EPC069-12 QR code (version 002, UTF-8,
// SEPA credit transfer) with the RF reference as structured remittance. The
// purpose and unstructured remittance stay empty: a bank may reject a
// transfer that carries both kinds of remittance. Invalid input is an
// EINVALID *Error that names the field.
func EPCPayload(t EPCTransfer) (string, error) {
	name := strings.TrimSpace(t.Name)
	switch {
	case name == "":
		return "", Errorf(EINVALID, "name", "the beneficiary name is empty")
	case !epcLine(name):
		return "", Errorf(EINVALID, "name", "the beneficiary name must be UTF-8 on one line")
	case utf8.RuneCountInString(name) > epcMaxName:
		return "", Errorf(EINVALID, "name", "the beneficiary name has %d characters, at most %d fit", utf8.RuneCountInString(name), epcMaxName)
	}
	iban := compact(t.IBAN)
	if !ValidIBAN(iban) {
		return "", Errorf(EINVALID, "iban", "%q is not a valid IBAN", t.IBAN)
	}
	bic := compact(t.BIC)
	if bic != "" && !ValidBIC(bic) {
		return "", Errorf(EINVALID, "bic", "%q is not a valid BIC: want 8 or 11 letters and digits", t.BIC)
	}
	if t.Cents < 1 || t.Cents > EPCMaxCents {
		return "", Errorf(EINVALID, "amount", "amount of %d cents is outside 0.01 to 999999999.99", t.Cents)
	}
	ref := compact(t.Reference)
	if !ValidRF(ref) {
		return "", Errorf(EINVALID, "reference", "%q is not a valid RF reference (ISO 11649)", t.Reference)
	}
	info := strings.TrimSpace(t.Info)
	switch {
	case !epcLine(info):
		return "", Errorf(EINVALID, "info", "the information line must be UTF-8 on one line")
	case utf8.RuneCountInString(info) > epcMaxName:
		return "", Errorf(EINVALID, "info", "the information line has %d characters, at most %d fit", utf8.RuneCountInString(info), epcMaxName)
	}

	lines := []string{
		"BCD", // service tag
		"002", // version: BIC optional
		"1",   // character set: UTF-8
		"SCT", // SEPA credit transfer
		bic,
		name,
		iban,
		fmt.Sprintf("EUR%d.%02d", t.Cents/100, t.Cents%100),
		"",  // purpose
		ref, // structured remittance
		"",  // unstructured remittance
		info,
	}
	// Empty fields at the end may be left out, and a shorter payload gives a
	// smaller code that scans more easily from paper.
	for lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	payload := strings.Join(lines, "\n")
	if len(payload) > epcMaxBytes {
		return "", Errorf(EINVALID, "payload", "the EPC payload has %d bytes, at most %d fit", len(payload), epcMaxBytes)
	}
	return payload, nil
}

// ibanLengths are the IBAN lengths of the SEPA countries most often seen
// here, so that a dropped or doubled digit is caught before the checksum is
// even needed. An IBAN of a country not listed only gets the general checks.
var ibanLengths = map[string]int{
	"AT": 20, "BE": 16, "CH": 21, "DE": 22, "DK": 18, "ES": 24, "FI": 18,
	"FR": 27, "GB": 22, "IE": 22, "IT": 27, "LU": 20, "NL": 18, "NO": 15,
	"PL": 28, "PT": 25, "SE": 24,
}

// ValidIBAN reports whether s is an IBAN with a correct ISO 7064 mod 97
// checksum (spaces and lower case are accepted, as people copy them): two
// letters of a country, two check digits, then up to 30 letters or digits.
func ValidIBAN(s string) bool {
	s = compact(s)
	if len(s) < 15 || len(s) > 34 || !isAlnum(s) {
		return false
	}
	if !isLetters(s[:2]) || !isDigits(s[2:4]) {
		return false
	}
	if n, ok := ibanLengths[s[:2]]; ok && len(s) != n {
		return false
	}
	return mod97(s[4:]+s[:4]) == 1
}

// GroupIBAN writes an IBAN in groups of four, as bank cards and statements
// do, so that it can be read over without losing one's place; banking apps
// take it with the spaces.
func GroupIBAN(iban string) string {
	s := compact(iban)
	var b strings.Builder
	for i := 0; i < len(s); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s[i:min(i+4, len(s))])
	}
	return b.String()
}

// ValidBIC reports whether s is a BIC (ISO 9362): four letters for the bank,
// two for the country, two letters or digits for the place, and optionally
// three more for the branch.
func ValidBIC(s string) bool {
	s = compact(s)
	if len(s) != 8 && len(s) != 11 {
		return false
	}
	return isAlnum(s) && isLetters(s[:6])
}

// compact removes spaces and upper-cases s: the electronic form of an IBAN,
// BIC or RF reference.
func compact(s string) string {
	return strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
}

// epcLine reports whether s can be one field of the payload: valid UTF-8
// without a line break, which would shift every field after it.
func epcLine(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsAny(s, "\r\n")
}

func isLetters(s string) bool {
	for i := range len(s) {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return s != ""
}
