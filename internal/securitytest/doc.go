// Package securitytest holds no code: its tests drive the whole app, built by
// internal/app on a real PostgreSQL and served on a real socket, as an
// attacker would, so each probe of issue F (forged provider events, parallel
// sign-in guesses, oversized bodies, CSRF token swaps, security headers,
// hostile creditor input, and the ownership walk of every API and console
// route) runs in `make test` and fails when its hole reopens.
package securitytest
