package collect

import "testing"

func TestWIKCosts(t *testing.T) {
	tests := []struct {
		name      string
		principal int64
		want      int64
	}{
		{"nothing owed, no costs", 0, 0},
		{"negative principal, no costs", -5000, 0},
		{"one cent still costs the minimum", 1, 4000},
		{"EUR 100: minimum applies", 10000, 4000},
		{"EUR 266.66: 15% is 39.999", 26666, 4000},
		{"EUR 266.67: 15% is 40.0005, rounds down", 26667, 4000},
		{"EUR 266.69: 15% is 40.0035", 26669, 4000},
		{"EUR 266.70: 15% is 40.005, rounds half up", 26670, 4001},
		{"EUR 267: 15% is 40.05", 26700, 4005},
		{"EUR 300", 30000, 4500},
		{"EUR 2,500", 250000, 37500},
		{"EUR 5,000", 500000, 62500},
		{"EUR 6,000: 375 + 250 + 50", 600000, 67500},
		{"EUR 10,000", 1000000, 87500},
		{"EUR 12,345.67", 1234567, 89846},
		{"EUR 200,000", 20000000, 277500},
		{"EUR 999,998", 99999800, 677499},
		{"EUR 1,000,000 reaches the cap", 100000000, 677500},
		{"EUR 20,000,000 stays at the cap", 2000000000, 677500},
		{"int64 max stays at the cap", 1<<63 - 1, 677500},
	}
	for _, tt := range tests {
		if got := WIKCosts(tt.principal); got != tt.want {
			t.Errorf("%s: WIKCosts(%d) = %d, want %d", tt.name, tt.principal, got, tt.want)
		}
	}
}

// The scale is applied to the sum of invoices collected together, which is
// cheaper for the debtor than adding the costs of each invoice.
func TestWIKCostsSeveralInvoices(t *testing.T) {
	invoices := []int64{10000, 10000, 30000}
	var sum, separate int64
	for _, p := range invoices {
		sum += p
		separate += WIKCosts(p)
	}
	if got, want := WIKCosts(sum), int64(7500); got != want {
		t.Errorf("WIKCosts(sum %d) = %d, want %d", sum, got, want)
	}
	if separate != 12500 {
		t.Errorf("costs per invoice add up to %d, want 12500", separate)
	}
}
