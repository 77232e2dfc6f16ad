package apptest

import (
	"net/http/httptest"
	"testing"

	"github.com/settle/settle/internal/pay/molliefake"
)

// StartMollieFake serves a fresh Mollie fake until the test ends and
// returns it with its API's URL. It waits for the webhooks it is still
// sending before it stops.
func StartMollieFake(t testing.TB) (*molliefake.Fake, string) {
	t.Helper()
	fake := molliefake.New("")
	srv := httptest.NewServer(fake.Handler())
	t.Cleanup(srv.Close)
	t.Cleanup(fake.WaitWebhooks) // runs before srv.Close
	fake.SetBaseURL(srv.URL)
	return fake, srv.URL
}
