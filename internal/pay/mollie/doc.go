// Package mollie is a small client for the Mollie REST API v2, written with
// the standard library only because the Mollie Go SDK cannot be used in this
// project.
//
// It covers what Settle needs: creating and fetching payments (the webhook
// body is only an id, so every webhook is answered with GetPayment), listing
// a payment's refunds and chargebacks, and reading settlements with their
// payments, refunds and chargebacks for reconciliation.
//
// The client never retries by itself. Callers (River jobs) decide, using
// IsTemporary, because only they know whether a retry is safe and when.
//
// Credentials: payment endpoints take a website profile API key (test_... or
// live_...). The Settlements API does not accept API keys; it needs an
// organization access token (access_...) or OAuth. Use a second Client with
// that token for reconciliation.
package mollie
