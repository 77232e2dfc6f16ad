package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// RateRow is one row of the statutory interest table with its source.
type RateRow struct {
	Kind        string
	From        time.Time
	BasisPoints int64
	Source      string
}

// ListRates lists the whole interest table.
func (db *DB) ListRates(ctx context.Context) ([]RateRow, error) {
	rows, err := db.pool.Query(ctx, `SELECT kind, valid_from, basis_points, source FROM interest_rates ORDER BY kind, valid_from`)
	if err != nil {
		return nil, dbErr(err, "interest rates")
	}
	return collectRows(rows, func(r pgx.Row) (RateRow, error) {
		var x RateRow
		err := r.Scan(&x.Kind, &x.From, &x.BasisPoints, &x.Source)
		return x, err
	}, "interest rates")
}

// AddRate adds a rate from a date on; a rate for the same kind and date is a conflict.
func (db *DB) AddRate(ctx context.Context, r RateRow) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO interest_rates (kind, valid_from, basis_points, source) VALUES ($1, $2, $3, $4)`, r.Kind, r.From, r.BasisPoints, r.Source)
	return dbErr(err, "interest rate")
}

// EquatedHoliday is a day a decree equates with a public holiday.
type EquatedHoliday struct {
	Day    time.Time
	Source string
}

// ListEquatedHolidays lists the equated days.
func (db *DB) ListEquatedHolidays(ctx context.Context) ([]EquatedHoliday, error) {
	rows, err := db.pool.Query(ctx, `SELECT day, source FROM equated_holidays ORDER BY day`)
	if err != nil {
		return nil, dbErr(err, "equated holidays")
	}
	return collectRows(rows, func(r pgx.Row) (EquatedHoliday, error) {
		var x EquatedHoliday
		err := r.Scan(&x.Day, &x.Source)
		return x, err
	}, "equated holidays")
}

// AddEquatedHoliday adds a day equated with a public holiday.
func (db *DB) AddEquatedHoliday(ctx context.Context, day time.Time, source string) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO equated_holidays (day, source) VALUES ($1, $2)`, day, source)
	return dbErr(err, "equated holiday")
}
