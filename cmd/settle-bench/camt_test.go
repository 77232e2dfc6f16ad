package main

import (
	"context"
	"testing"

	"github.com/settle/settle/internal/apptest"
	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/internal/postgres/pgtest"
)

func TestMain(m *testing.M) { apptest.Main(m) }

// BenchmarkImportCAMT imports generated statements of 10,000 entries (see
// benchImport); `settle-bench camt -n 1000000` runs the full size.
func BenchmarkImportCAMT(b *testing.B) {
	_, url := pgtest.New(b)
	db, err := postgres.Open(context.Background(), url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(db.Close)
	const n = 10_000
	var last camtResult
	for b.Loop() {
		res, err := benchImport(context.Background(), db, n, 0)
		if err != nil {
			b.Fatal(err)
		}
		last = res
	}
	b.ReportMetric(last.ImportPerSec, "entries/s")
	b.ReportMetric(last.CopyPerSec, "copy-rows/s")
	b.ReportMetric(last.Ratio, "ratio")
	b.ReportMetric(float64(last.PeakHeapInuse)/(1<<20), "peak-heap-MB")
	b.Logf("\n%s", last)
}
