package collect

// wikBand is one slice of the principal with its rate in tenths of a percent.
type wikBand struct {
	upTo     int64 // cents; the band covers principal up to this amount
	perMille int64
}

// wikBands is the scale of the Besluit vergoeding voor buitengerechtelijke
// incassokosten, art. 2: 15% of the first 2,500, 10% of the next 2,500, 5% of
// the next 5,000, 1% of the next 190,000 and 0.5% above 200,000 euro.
var wikBands = []wikBand{
	{upTo: 250_000, perMille: 150},
	{upTo: 500_000, perMille: 100},
	{upTo: 1_000_000, perMille: 50},
	{upTo: 20_000_000, perMille: 10},
	{upTo: 1<<63 - 1, perMille: 5},
}

// WIK minimum and maximum in cents.
const (
	WIKMinimum int64 = 4_000
	WIKMaximum int64 = 677_500
)

// WIKCosts returns the maximum collection costs in cents for a principal in
// cents under the WIK scale, with its minimum of EUR 40 and maximum of
// EUR 6,775. The scale is applied once to the sum of all invoices collected
// together, so callers add them up first. A principal of zero or less costs
// nothing: there is nothing to collect.
//
// The Besluit does not say how to round; each band is computed exactly in
// thousandths of a cent and the total is rounded half up to the cent once,
// so 15% of 266.67 (40.0005) gives 40.00 and 15% of 267.00 gives 40.05.
func WIKCosts(principalCents int64) int64 {
	if principalCents <= 0 {
		return 0
	}
	var milliCents, lower int64
	for _, b := range wikBands {
		if principalCents <= lower {
			break
		}
		part := min(principalCents, b.upTo) - lower
		// Past what could still count below the cap the result is the cap;
		// checking first keeps huge principals from overflowing.
		if part >= (WIKMaximum*1000-milliCents)/b.perMille+1 {
			return WIKMaximum
		}
		milliCents += part * b.perMille
		lower = b.upTo
	}
	costs := (milliCents + 500) / 1000
	return min(max(costs, WIKMinimum), WIKMaximum)
}

// WIKCostsLeft returns the collection costs a claim may still bear: the
// scale over its combined principal less what was already charged or
// announced for it, never below zero. Art. 6:96 BW and the Besluit allow the
// costs once for the claim, over the principal collected together, however
// many notices, invoices or calls there are; every rule that announces or
// books costs goes through here.
func WIKCostsLeft(combinedPrincipal, charged int64) int64 {
	return max(WIKCosts(combinedPrincipal)-charged, 0)
}
