// Package apptest is the test harness the app's test packages share: the
// whole app built on a fresh pgtest database with a settable clock, the
// creditor, debtor and agent fixtures, a client that keeps cookies and the
// CSRF token as a browser does, the debtor and agent sign-ins, and the
// start helpers of the payment providers' stand-ins.
//
// A test package that uses it calls pgtest.Main from its TestMain:
//
//	func TestMain(m *testing.M) { pgtest.Main(m, postgres.Migrate) }
package apptest
