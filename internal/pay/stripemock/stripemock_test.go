package stripemock

import (
	"net/http"
	"testing"
)

// TestStart checks that stripe-mock comes up and answers Stripe's API.
func TestStart(t *testing.T) {
	url := Start(t)
	req, err := http.NewRequest(http.MethodGet, url+"/v1/customers", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer sk_test_123")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /v1/customers: %s", resp.Status)
	}
}
