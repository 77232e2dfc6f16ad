package collect

import (
	"errors"
	"testing"
)

func TestRFReference(t *testing.T) {
	tests := []struct {
		body    string
		want    string
		wantErr bool
	}{
		{"539007547034", "RF18539007547034", false}, // the ISO 11649 example
		{"INV2026000123", "RF98INV2026000123", false},
		{"abc", "RF45ABC", false},
		{"1", "RF741", false},
		{"123456789012345678901", "", false},
		{"", "", true},
		{"1234567890123456789012", "", true},
		{"INV-1", "", true},
		{"INV 1", "", true},
	}
	for _, tt := range tests {
		got, err := RFReference(tt.body)
		if tt.wantErr {
			if !errors.Is(err, ErrReference) {
				t.Errorf("RFReference(%q) = %q, %v; want ErrReference", tt.body, got, err)
			}
			continue
		}
		if err != nil || (tt.want != "" && got != tt.want) || !ValidRF(got) {
			t.Errorf("RFReference(%q) = %q, %v; want %q", tt.body, got, err, tt.want)
		}
	}
}

func TestValidRF(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"RF18539007547034", true},
		{"RF18 5390 0754 7034", true},
		{"rf18539007547034", true},
		{"RF98INV2026000123", true},
		{"RF19539007547034", false}, // wrong check digits
		{"RF18539007547035", false}, // changed body
		{"RF18539007547043", false}, // swapped digits
		{"RF18", false},
		{"", false},
		{"XX18539007547034", false},
		{"RFAB539007547034", false},
		{"RF18-5390-0754-7034", false},
		{"RF181234567890123456789012", false}, // body of 22
	}
	for _, tt := range tests {
		if got := ValidRF(tt.in); got != tt.want {
			t.Errorf("ValidRF(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestBetalingskenmerk(t *testing.T) {
	tests := []struct {
		n       uint64
		want    string
		wantErr bool
	}{
		// The Betaalvereniging's example: (5)000 0567 8901 2345, weighted sum 215.
		{56789012345, "5000056789012345", false},
		// 6×2 = 12, 12 mod 11 = 1, 11-1 = 10: taken as 1.
		{6, "1000000000000006", false},
		// 9×2 + 1×4 = 22, 22 mod 11 = 0, 11-0 = 11: taken as 0.
		{19, "0000000000000019", false},
		{0, "0000000000000000", false},
		{999_999_999_999_999, "", false},
		{1_000_000_000_000_000, "", true},
	}
	for _, tt := range tests {
		got, err := Betalingskenmerk(tt.n)
		if tt.wantErr {
			if !errors.Is(err, ErrReference) {
				t.Errorf("Betalingskenmerk(%d) = %q, %v; want ErrReference", tt.n, got, err)
			}
			continue
		}
		if err != nil || (tt.want != "" && got != tt.want) || len(got) != 16 || !ValidBetalingskenmerk(got) {
			t.Errorf("Betalingskenmerk(%d) = %q, %v; want %q", tt.n, got, err, tt.want)
		}
	}
}

func TestValidBetalingskenmerk(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"5000056789012345", true},
		{"5000 0567 8901 2345", true},
		{"4000056789012345", false},
		{"5000056789012354", false},
		{"500005678901234", false},
		{"50000567890123456", false},
		{"500005678901234a", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := ValidBetalingskenmerk(tt.in); got != tt.want {
			t.Errorf("ValidBetalingskenmerk(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestValidPaymentReference(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"RF18 5390 0754 7034", true},
		{"5000 0567 8901 2345", true},
		{"RF18539007547035", false},
		{"5000056789012346", false},
		{"factuur 2026-123", false},
	}
	for _, tt := range tests {
		if got := ValidPaymentReference(tt.in); got != tt.want {
			t.Errorf("ValidPaymentReference(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
