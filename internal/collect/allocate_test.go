package collect

import (
	"reflect"
	"testing"
)

func TestAllocate(t *testing.T) {
	asOf := Day(2026, 3, 1)
	items := []OpenItem{
		{InvoiceID: "B", DueDate: Day(2026, 2, 1), Principal: 5000},
		{InvoiceID: "D", DueDate: Day(2026, 6, 1), Principal: 7000},
		{InvoiceID: "A", DueDate: Day(2026, 1, 10), Costs: 4000, Interest: 100, Principal: 10000},
		{InvoiceID: "C", DueDate: Day(2026, 1, 5), Principal: 3000},
	}
	// Order: A (due, running costs and interest), C (due, oldest), B (due), D (not yet due).
	tests := []struct {
		name      string
		amount    int64
		invoiceID string
		want      Allocation
	}{
		{"zero amount", 0, "", Allocation{}},
		{"negative amount", -100, "", Allocation{}},
		{"costs first", 50, "", Allocation{Parts: []Part{{InvoiceID: "A", Costs: 50}}}},
		{"costs, interest, then principal", 4200, "", Allocation{Parts: []Part{{InvoiceID: "A", Costs: 4000, Interest: 100, Principal: 100}}}},
		{"running invoice, then oldest, then next", 18100, "", Allocation{Parts: []Part{
			{InvoiceID: "A", Costs: 4000, Interest: 100, Principal: 10000},
			{InvoiceID: "C", Principal: 3000},
			{InvoiceID: "B", Principal: 1000},
		}}},
		{"not yet due comes last; overpayment is credit", 30000, "", Allocation{Parts: []Part{
			{InvoiceID: "A", Costs: 4000, Interest: 100, Principal: 10000},
			{InvoiceID: "C", Principal: 3000},
			{InvoiceID: "B", Principal: 5000},
			{InvoiceID: "D", Principal: 7000},
		}, Credit: 900}},
		{"named invoice first, rest by the normal order", 6000, "B", Allocation{Parts: []Part{
			{InvoiceID: "B", Principal: 5000},
			{InvoiceID: "A", Costs: 1000},
		}}},
		{"named invoice not yet due", 8000, "D", Allocation{Parts: []Part{
			{InvoiceID: "D", Principal: 7000},
			{InvoiceID: "A", Costs: 1000},
		}}},
		{"named invoice keeps costs, interest, principal", 4050, "A", Allocation{Parts: []Part{
			{InvoiceID: "A", Costs: 4000, Interest: 50},
		}}},
		{"unknown named invoice: normal order", 3000, "X", Allocation{Parts: []Part{{InvoiceID: "A", Costs: 3000}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Allocate(tt.amount, items, asOf, tt.invoiceID)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Allocate(%d, %q) =\n  %+v\nwant\n  %+v", tt.amount, tt.invoiceID, got, tt.want)
			}
			var sum int64
			for _, p := range got.Parts {
				sum += p.Total()
			}
			if tt.amount > 0 && sum+got.Credit != tt.amount {
				t.Errorf("parts %d + credit %d != amount %d", sum, got.Credit, tt.amount)
			}
		})
	}
	if items[0].InvoiceID != "B" || items[2].Costs != 4000 {
		t.Error("Allocate changed its input")
	}
}

func TestAllocateOrder(t *testing.T) {
	asOf := Day(2026, 3, 1)
	tests := []struct {
		name  string
		items []OpenItem
		want  []string
	}{
		{"due today is not yet due", []OpenItem{
			{InvoiceID: "today", DueDate: asOf, Principal: 100},
			{InvoiceID: "yesterday", DueDate: Day(2026, 2, 28), Principal: 100},
		}, []string{"yesterday", "today"}},
		{"interest alone makes an invoice onerous", []OpenItem{
			{InvoiceID: "old", DueDate: Day(2025, 1, 1), Principal: 100},
			{InvoiceID: "interest", DueDate: Day(2026, 1, 1), Interest: 1, Principal: 100},
		}, []string{"interest", "old"}},
		{"running costs do not lift a not-yet-due invoice", []OpenItem{
			{InvoiceID: "future", DueDate: Day(2026, 4, 1), Costs: 4000, Principal: 100},
			{InvoiceID: "due", DueDate: Day(2026, 2, 1), Principal: 100},
		}, []string{"due", "future"}},
		{"ties by invoice id", []OpenItem{
			{InvoiceID: "2", DueDate: Day(2026, 1, 1), Principal: 100},
			{InvoiceID: "1", DueDate: Day(2026, 1, 1), Principal: 100},
		}, []string{"1", "2"}},
		{"settled items get no part", []OpenItem{
			{InvoiceID: "paid", DueDate: Day(2025, 1, 1)},
			{InvoiceID: "open", DueDate: Day(2026, 1, 1), Principal: 100},
		}, []string{"open"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Allocate(10_000, tt.items, asOf, "")
			var ids []string
			for _, p := range got.Parts {
				ids = append(ids, p.InvoiceID)
			}
			if !reflect.DeepEqual(ids, tt.want) {
				t.Errorf("order = %v, want %v", ids, tt.want)
			}
		})
	}
}
