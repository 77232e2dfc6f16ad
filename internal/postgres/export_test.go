package postgres

// SetBulkLines makes n staged lines a bulk load (see dropLineIndexes) until
// the returned function restores the threshold. Tests using it do not run
// in parallel with other imports of the package's tests.
func SetBulkLines(n int) (restore func()) {
	old := bulkLines
	bulkLines = n
	return func() { bulkLines = old }
}
