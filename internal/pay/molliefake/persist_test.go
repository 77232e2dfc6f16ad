package molliefake

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// TestPersist runs a payment through paid, a refund, a chargeback and a
// settlement on a persisted fake, then opens a new fake on the same file, as
// `settle demo` does after kill -9: it must know everything the first knew.
func TestPersist(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mollie-fake.json")
	f, srv := start(t)
	if err := f.Persist(path); err != nil {
		t.Fatal(err)
	}
	status, m := call(t, "POST", srv.URL+"/v2/payments", testKey, "key-1", validBody)
	if status != 201 {
		t.Fatalf("create: %d %v", status, m)
	}
	paid := m["id"].(string)
	if _, m = call(t, "POST", srv.URL+"/v2/payments", testKey, "", validBody); m["id"] == nil {
		t.Fatalf("create: %v", m)
	}
	open := m["id"].(string)
	if err := f.SetStatus(paid, "paid"); err != nil {
		t.Fatal(err)
	}

	// Written on the change itself, not at some later shutdown.
	var onDisk diskState
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &onDisk); err != nil {
		t.Fatal(err)
	}
	if len(onDisk.Payments) != 2 || onDisk.Payments[0].ID != paid || onDisk.Payments[0].Status != "paid" {
		t.Fatalf("state file after SetStatus: %s", b)
	}

	if _, err := f.Refund(paid, 200); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Chargeback(paid, 100); err != nil {
		t.Fatal(err)
	}
	if _, err := f.AddSettlement(time.Time{}); err != nil {
		t.Fatal(err)
	}

	again, srv2 := start(t)
	if err := again.Persist(path); err != nil {
		t.Fatal(err)
	}
	if got, want := again.Payments(), f.Payments(); !reflect.DeepEqual(got, want) {
		t.Fatalf("payments after reopening:\n%+v\nwant\n%+v", got, want)
	}
	f.mu.Lock()
	want := f.snapshotLocked()
	f.mu.Unlock()
	again.mu.Lock()
	got := again.snapshotLocked()
	again.mu.Unlock()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("state after reopening:\n%+v\nwant\n%+v", got, want)
	}
	if status, m := call(t, "GET", srv2.URL+"/v2/payments/"+paid, testKey, "", ""); status != 200 || m["status"] != "paid" {
		t.Fatalf("GET the paid payment from the reopened fake: %d %v", status, m)
	}
	if status, m := call(t, "GET", srv2.URL+"/v2/payments/"+open, testKey, "", ""); status != 200 || m["status"] != "open" {
		t.Fatalf("GET the open payment from the reopened fake: %d %v", status, m)
	}
	// The idempotency key survives too: a retried create is the same payment.
	if status, m := call(t, "POST", srv2.URL+"/v2/payments", testKey, "key-1", validBody); status != 201 || m["id"] != paid {
		t.Fatalf("retried create after reopening: %d %v, want payment %s", status, m, paid)
	}
}

// TestPersistKeepsEveryField fails when a field is added to the fake's
// state types without its mirror in persist.go, which would silently be
// forgotten on restart.
func TestPersistKeepsEveryField(t *testing.T) {
	pairs := []struct{ mem, disk any }{
		{payment{}, diskPayment{}},
		{refund{}, diskRefund{}},
		{chargeback{}, diskChargeback{}},
		{settlement{}, diskSettlement{}},
		{period{}, diskPeriod{}},
		{line{}, diskLine{}},
		{idemEntry{}, diskIdem{}},
	}
	for _, p := range pairs {
		mem, disk := reflect.TypeOf(p.mem), reflect.TypeOf(p.disk)
		if mem.NumField() != disk.NumField() {
			t.Errorf("%s has %d fields, %s has %d: persist the new field", mem, mem.NumField(), disk, disk.NumField())
		}
	}
}

func TestPersistRefusesCorruptFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mollie-fake.json")
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := New("").Persist(path); err == nil {
		t.Fatal("Persist accepted a corrupt state file")
	}
}

// TestPersistMandates: customers and the mandate a paid first payment gave
// survive a restart, so the demo collects the next instalment after kill -9.
func TestPersistMandates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mollie-fake.json")
	f, srv := start(t)
	if err := f.Persist(path); err != nil {
		t.Fatal(err)
	}
	_, c := call(t, "POST", srv.URL+"/v2/customers", testKey, "c-1", `{"name":"Jan"}`)
	cst := c["id"].(string)
	first := `{"amount":{"currency":"EUR","value":"10.00"},"description":"Deel 1","redirectUrl":"https://shop.example/r","sequenceType":"first","customerId":"` + cst + `"}`
	_, p := call(t, "POST", srv.URL+"/v2/payments", testKey, "", first)
	if err := f.SetStatus(p["id"].(string), "paid"); err != nil {
		t.Fatal(err)
	}
	again, srv2 := start(t)
	if err := again.Persist(path); err != nil {
		t.Fatal(err)
	}
	if got, want := again.Mandates(cst), f.Mandates(cst); len(want) != 1 || !reflect.DeepEqual(got, want) {
		t.Fatalf("mandates after reopening %+v, want %+v", got, want)
	}
	recurring := `{"amount":{"currency":"EUR","value":"10.00"},"description":"Deel 2","sequenceType":"recurring","customerId":"` + cst + `"}`
	if status, m := call(t, "POST", srv2.URL+"/v2/payments", testKey, "", recurring); status != 201 || m["mandateId"] != f.Mandates(cst)[0].ID {
		t.Fatalf("recurring payment on the reopened fake: %d %v", status, m)
	}
	if status, m := call(t, "POST", srv2.URL+"/v2/customers", testKey, "c-1", `{"name":"Jan"}`); status != 201 || m["id"] != cst {
		t.Fatalf("retried customer create after reopening: %d %v", status, m)
	}
}
