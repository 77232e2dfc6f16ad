package collect

import (
	"errors"
	"strings"
	"testing"
)

func TestEPCPayload(t *testing.T) {
	base := EPCTransfer{
		Name:      "Waterbedrijf Oost",
		IBAN:      "NL91 ABNA 0417 1643 00",
		BIC:       "ABNANL2A",
		Cents:     24550,
		Reference: "RF18 5390 0754 7034",
	}
	tests := []struct {
		name string
		edit func(*EPCTransfer)
		want string
	}{
		{
			name: "all fields, spaces removed, trailing empty fields left out",
			edit: func(*EPCTransfer) {},
			want: "BCD\n002\n1\nSCT\nABNANL2A\nWaterbedrijf Oost\nNL91ABNA0417164300\nEUR245.50\n\nRF18539007547034",
		},
		{
			name: "no BIC keeps its empty line",
			edit: func(tr *EPCTransfer) { tr.BIC = "" },
			want: "BCD\n002\n1\nSCT\n\nWaterbedrijf Oost\nNL91ABNA0417164300\nEUR245.50\n\nRF18539007547034",
		},
		{
			name: "info after an empty unstructured remittance",
			edit: func(tr *EPCTransfer) { tr.Info = "Rekening 2026-001" },
			want: "BCD\n002\n1\nSCT\nABNANL2A\nWaterbedrijf Oost\nNL91ABNA0417164300\nEUR245.50\n\nRF18539007547034\n\nRekening 2026-001",
		},
		{
			name: "one cent",
			edit: func(tr *EPCTransfer) { tr.Cents = 1 },
			want: "BCD\n002\n1\nSCT\nABNANL2A\nWaterbedrijf Oost\nNL91ABNA0417164300\nEUR0.01\n\nRF18539007547034",
		},
		{
			name: "largest amount, lower-case IBAN and BIC, name with accents",
			edit: func(tr *EPCTransfer) {
				tr.Cents, tr.IBAN, tr.BIC, tr.Name = EPCMaxCents, "de89370400440532013000", "cobadeffxxx", "Zorgverzekeraar Ærø Müller"
			},
			want: "BCD\n002\n1\nSCT\nCOBADEFFXXX\nZorgverzekeraar Ærø Müller\nDE89370400440532013000\nEUR999999999.99\n\nRF18539007547034",
		},
		{
			name: "name of exactly 70 characters, counted in runes",
			edit: func(tr *EPCTransfer) { tr.Name = strings.Repeat("é", 70) },
			want: "BCD\n002\n1\nSCT\nABNANL2A\n" + strings.Repeat("é", 70) + "\nNL91ABNA0417164300\nEUR245.50\n\nRF18539007547034",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := base
			tt.edit(&tr)
			got, err := EPCPayload(tr)
			if err != nil {
				t.Fatalf("EPCPayload: %v", err)
			}
			if got != tt.want {
				t.Fatalf("payload\n got %q\nwant %q", got, tt.want)
			}
			if len(got) > epcMaxBytes {
				t.Fatalf("payload has %d bytes", len(got))
			}
		})
	}
}

func TestEPCPayloadRefusesBadInput(t *testing.T) {
	base := EPCTransfer{Name: "Waterbedrijf Oost", IBAN: "NL91ABNA0417164300", Cents: 100, Reference: "RF18539007547034"}
	tests := []struct {
		name  string
		edit  func(*EPCTransfer)
		field string
	}{
		{"empty name", func(tr *EPCTransfer) { tr.Name = "  " }, "name"},
		{"name too long", func(tr *EPCTransfer) { tr.Name = strings.Repeat("a", 71) }, "name"},
		{"name on two lines", func(tr *EPCTransfer) { tr.Name = "Water\nbedrijf" }, "name"},
		{"name not UTF-8", func(tr *EPCTransfer) { tr.Name = "Water\xffbedrijf" }, "name"},
		{"IBAN checksum wrong", func(tr *EPCTransfer) { tr.IBAN = "NL91ABNA0417164301" }, "iban"},
		{"IBAN digits swapped", func(tr *EPCTransfer) { tr.IBAN = "NL19ABNA0417164300" }, "iban"},
		{"Dutch IBAN one digit short", func(tr *EPCTransfer) { tr.IBAN = "NL91ABNA041716430" }, "iban"},
		{"IBAN empty", func(tr *EPCTransfer) { tr.IBAN = "" }, "iban"},
		{"IBAN with a dash", func(tr *EPCTransfer) { tr.IBAN = "NL91-ABNA0417164300" }, "iban"},
		{"BIC of 9 characters", func(tr *EPCTransfer) { tr.BIC = "ABNANL2AX" }, "bic"},
		{"BIC with a digit in the bank code", func(tr *EPCTransfer) { tr.BIC = "ABN1NL2A" }, "bic"},
		{"zero amount", func(tr *EPCTransfer) { tr.Cents = 0 }, "amount"},
		{"negative amount", func(tr *EPCTransfer) { tr.Cents = -5 }, "amount"},
		{"amount over the limit", func(tr *EPCTransfer) { tr.Cents = EPCMaxCents + 1 }, "amount"},
		{"reference checksum wrong", func(tr *EPCTransfer) { tr.Reference = "RF19539007547034" }, "reference"},
		{"betalingskenmerk is no RF reference", func(tr *EPCTransfer) { tr.Reference = "5000056789012345" }, "reference"},
		{"empty reference", func(tr *EPCTransfer) { tr.Reference = "" }, "reference"},
		{"info too long", func(tr *EPCTransfer) { tr.Info = strings.Repeat("i", 71) }, "info"},
		{"info on two lines", func(tr *EPCTransfer) { tr.Info = "a\r\nb" }, "info"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := base
			tt.edit(&tr)
			got, err := EPCPayload(tr)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("EPCPayload = %q, %v; want an *Error", got, err)
			}
			if e.Code != EINVALID || e.Field != tt.field {
				t.Fatalf("error %v: want code %s on field %s", err, EINVALID, tt.field)
			}
		})
	}
}

func TestEPCPayloadLongestStaysWithinLimit(t *testing.T) {
	// Every field at its maximum in multi-byte characters can pass 331 bytes:
	// the builder must refuse that rather than print a code banks reject.
	tr := EPCTransfer{
		Name:      strings.Repeat("€", 70),
		IBAN:      "NL91ABNA0417164300",
		BIC:       "ABNANL2AXXX",
		Cents:     EPCMaxCents,
		Reference: "RF18539007547034",
		Info:      strings.Repeat("€", 70),
	}
	if _, err := EPCPayload(tr); ErrorCode(err) != EINVALID {
		t.Fatalf("EPCPayload with %d-byte fields: err %v, want %s", 2*70*3, err, EINVALID)
	}
	tr.Info = ""
	if _, err := EPCPayload(tr); err != nil {
		t.Fatalf("EPCPayload with a 210-byte name: %v", err)
	}
}

func TestValidIBAN(t *testing.T) {
	for _, s := range []string{"NL91ABNA0417164300", "nl91 abna 0417 1643 00", "DE89370400440532013000", "GB29NWBK60161331926819", "BE68539007547034", "CY17002001280000001200527600"} {
		if !ValidIBAN(s) {
			t.Errorf("ValidIBAN(%q) = false", s)
		}
	}
	for _, s := range []string{"", "NL91ABNA041716430", "NL91ABNA04171643000", "1191ABNA0417164300", "NLX1ABNA0417164300", "DE89370400440532013001", "NL91ABNA0417164300!"} {
		if ValidIBAN(s) {
			t.Errorf("ValidIBAN(%q) = true", s)
		}
	}
}

func TestGroupIBAN(t *testing.T) {
	for in, want := range map[string]string{
		"NL91ABNA0417164300":     "NL91 ABNA 0417 1643 00",
		"nl91 abna 0417 1643 00": "NL91 ABNA 0417 1643 00",
		"BE68539007547034":       "BE68 5390 0754 7034",
		"":                       "",
	} {
		if got := GroupIBAN(in); got != want {
			t.Errorf("GroupIBAN(%q) = %q, want %q", in, got, want)
		}
	}
}
