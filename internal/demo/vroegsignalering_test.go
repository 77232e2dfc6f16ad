package demo_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/settle/settle/internal/access"
	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/demo"
)

// TestDemoMunicipalSignal: the demo's energy company has exactly one
// consumer on the municipality's list, in Ede; the others in arrears lack
// an effort (Sanne Jansen got the letter but no plan offer or call).
func TestDemoMunicipalSignal(t *testing.T) {
	ctx := context.Background()
	db, _ := apptest.NewDB(t, nil)
	out, _, err := demo.Seed(ctx, db, access.NewSigner([]byte("demo-test-signing-key-32-bytes!!!!"), db.Now), "http://settle.test", filepath.Join(t.TempDir(), "demo.json"), true)
	if err != nil {
		t.Fatal(err)
	}
	list, err := casework.MunicipalSignals(ctx, db, out.Creditors[0].ID)
	if err != nil || len(list) != 1 {
		t.Fatalf("the demo's list: %+v, %v; want one signal", list, err)
	}
	if s := list[0]; s.Name != "Fatima Bouzid" || s.MunicipalityName != "Ede" || s.Arrears != 18990 {
		t.Errorf("the demo's signal = %+v", s)
	}
}
