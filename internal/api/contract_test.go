package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/settle/settle/internal/api/apiclient"
	"github.com/settle/settle/internal/collect"
)

// The contract: every answer an API test gets is validated against
// openapi.json by kin-openapi, so the document cannot drift from what the
// handlers send. An undocumented status, an undocumented content type or a
// body that breaks its schema fails the test that got it.

type contractDoc struct {
	doc    *openapi3.T
	router routers.Router
	opts   *openapi3filter.Options
}

var loadContract = sync.OnceValues(func() (*contractDoc, error) {
	// kin-openapi reads text/csv as comma-separated records; the exports are
	// CSV for a Dutch spreadsheet (semicolons, decimal commas), documented
	// as a string, so their body is checked as text.
	openapi3filter.RegisterBodyDecoder("text/csv", openapi3filter.PlainBodyDecoder)
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile("openapi.json")
	if err != nil {
		return nil, fmt.Errorf("load openapi.json: %w", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("openapi.json is not a valid OpenAPI document: %w", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("route openapi.json: %w", err)
	}
	return &contractDoc{doc: doc, router: router, opts: &openapi3filter.Options{
		// Without it an undocumented status passes unchecked.
		IncludeResponseStatus: true,
		MultiError:            true,
		// kin-openapi checks date and date-time itself; ids are documented as uuid.
		SchemaValidationOptions: []openapi3.SchemaValidationOption{
			openapi3.WithStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC9562)),
		},
	}}, nil
})

// checkContract reports on t every way the answer to req differs from openapi.json.
func checkContract(t testing.TB, req *http.Request, status int, header http.Header, body []byte) {
	t.Helper()
	c, err := loadContract()
	if err != nil {
		t.Fatal(err)
	}
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		// A path or method the API does not serve is in no operation; it
		// still answers 404 with the documented error shape.
		if status != http.StatusNotFound {
			t.Errorf("contract: %s %s is not in openapi.json (%v) and answered %d", req.Method, req.URL.Path, err, status)
			return
		}
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			t.Errorf("contract: %s %s: 404 body is not JSON: %v", req.Method, req.URL.Path, err)
			return
		}
		if err := c.doc.Components.Schemas["Error"].Value.VisitJSON(v, openapi3.VisitAsResponse()); err != nil {
			t.Errorf("contract: %s %s: 404 body is not an Error: %v", req.Method, req.URL.Path, err)
		}
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: c.opts},
		Status:                 status,
		Header:                 header,
		Options:                c.opts,
	}
	in.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Errorf("contract: %s %s answered %d, which openapi.json does not describe: %v\nbody: %.2000s", req.Method, req.URL.Path, status, err, body)
	}
}

// test sends req to the app, as app.Test does, and checks the answer against the contract.
func (b *bundle) test(t *testing.T, req *http.Request) (*http.Response, error) {
	t.Helper()
	res, err := b.app.Test(req, -1)
	return checked(t, req, res, err)
}

// checked reads the answer res (unless err), checks it against the
// contract and gives it back with its body to read again.
func checked(t *testing.T, req *http.Request, res *http.Response, err error) (*http.Response, error) {
	t.Helper()
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	res.Body = io.NopCloser(bytes.NewReader(raw))
	checkContract(t, req, res.StatusCode, res.Header, raw)
	return res, nil
}

// contractTransport checks every answer a real HTTP client gets against the contract.
type contractTransport struct {
	t    *testing.T
	next http.RoundTripper
}

func (c contractTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c.t.Helper()
	res, err := c.next.RoundTrip(req)
	return checked(c.t, req, res, err)
}

// recorder is a testing.TB that keeps the failures instead of failing.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatal(args ...any) { r.errs = append(r.errs, fmt.Sprint(args...)) }

// TestContractCatchesMismatches makes sure the check fails answers that break
// the document, so a green suite means the answers conform.
func TestContractCatchesMismatches(t *testing.T) {
	t.Parallel()
	jsonHeader := http.Header{"Content-Type": {"application/json"}}
	debtor := "/api/v1/debtors/5b0a3c9e-2f5f-4f43-9a43-0d8b9d1e2f10"
	cases := []struct {
		name, method, path string
		status             int
		header             http.Header
		body               string
		ok                 bool
	}{
		{"a documented error", "GET", debtor, 404, jsonHeader, `{"error":{"code":"not_found","message":"debtor not found","field":""}}`, true},
		{"an undocumented status", "POST", "/api/v1/invoices", 418, jsonHeader, `{"error":{"code":"invalid","message":"x","field":""}}`, false},
		{"a missing required property", "POST", "/api/v1/invoices", 201, jsonHeader, `{"id":"5b0a3c9e-2f5f-4f43-9a43-0d8b9d1e2f10","debtor_id":"5b0a3c9e-2f5f-4f43-9a43-0d8b9d1e2f10"}`, false},
		{"a float for cents", "POST", debtor + "/notices", 201, jsonHeader, `{"id":"5b0a3c9e-2f5f-4f43-9a43-0d8b9d1e2f10","deadline":"2026-05-18","costs":40.5}`, false},
		{"a documented answer", "POST", "/api/v1/api-keys", 201, jsonHeader, `{"api_key":"stl_x"}`, true},
		{"an id that is no uuid", "POST", "/api/v1/debtors", 201, jsonHeader, `{"id":"42","external_ref":"K-1","created":true}`, false},
		{"null where nothing is nullable", "GET", "/api/v1/payouts", 200, jsonHeader, `{"payouts":null}`, false},
		{"an undocumented content type", "GET", "/api/v1/payouts", 200, http.Header{"Content-Type": {"text/html"}}, `<p>hi</p>`, false},
		{"an error with another shape", "GET", "/api/v1/creditors", 404, jsonHeader, `{"message":"no"}`, false},
		{"an unknown endpoint that answers 200", "GET", "/api/v1/creditors", 200, jsonHeader, `{}`, false},
	}
	for _, c := range cases {
		rec := &recorder{TB: t}
		checkContract(rec, httptest.NewRequest(c.method, c.path, nil), c.status, c.header, []byte(c.body))
		if ok := len(rec.errs) == 0; ok != c.ok {
			t.Errorf("%s: passed %v, want %v: %v", c.name, ok, c.ok, rec.errs)
		}
	}
}

// serve runs the bundle's app on a loopback port until the test ends and
// returns its base URL.
func (b *bundle) serve(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- b.app.Listener(ln) }()
	t.Cleanup(func() {
		if err := b.app.Shutdown(); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String() + "/api/v1"
}

// TestGeneratedClientJourney runs a creditor's first day through the client
// generated from openapi.json, over real HTTP: if the document and the
// handlers disagree on a name, a type or a status, this breaks.
func TestGeneratedClientJourney(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	bearer := func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+b.A.Key)
		return nil
	}
	hc := &http.Client{Timeout: time.Minute, Transport: contractTransport{t: t, next: http.DefaultTransport}}
	c, err := apiclient.NewClientWithResponses(b.serve(t), apiclient.WithHTTPClient(hc), apiclient.WithRequestEditorFn(bearer))
	if err != nil {
		t.Fatal(err)
	}

	email := openapi_types.Email("jan@example.nl")
	d, err := c.UpsertDebtorWithResponse(ctx, &apiclient.UpsertDebtorParams{}, apiclient.UpsertDebtorJSONRequestBody{
		ExternalRef: "K-1", Name: "Jan Jansen", Email: &email,
		Address: &apiclient.Address{Street: ptr("Dorpsstraat"), HouseNumber: ptr("1"), Postcode: ptr("1234 AB"), City: ptr("Ede")},
	})
	if err != nil || d.JSON201 == nil {
		t.Fatalf("create debtor: %v %s", err, answer(d))
	}
	debtorID := d.JSON201.Id

	inv, err := c.CreateInvoiceWithResponse(ctx, &apiclient.CreateInvoiceParams{}, apiclient.CreateInvoiceJSONRequestBody{
		DebtorId: &debtorID, Number: "F-1001", Amount: 30000,
		IssueDate: day(2026, 9, 1), DueDate: day(2026, 10, 1),
	})
	if err != nil || inv.JSON201 == nil {
		t.Fatalf("create invoice: %v %s", err, answer(inv))
	}
	if !strings.HasPrefix(inv.JSON201.PaymentReference, "RF") {
		t.Errorf("payment reference %q is not an RF reference", inv.JSON201.PaymentReference)
	}

	n, err := c.CreateNoticeWithResponse(ctx, debtorID, &apiclient.CreateNoticeParams{}, apiclient.CreateNoticeJSONRequestBody{
		InvoiceIds: []openapi_types.UUID{inv.JSON201.Id}, SentOn: day(2026, 10, 2), Channel: apiclient.NoticeInputChannelEmail,
	})
	if err != nil || n.JSON201 == nil {
		t.Fatalf("record notice: %v %s", err, answer(n))
	}
	// WIK over EUR 300,00 principal: 15% is EUR 45,00, above the EUR 40 minimum.
	if n.JSON201.Costs != 4500 {
		t.Errorf("notice costs %d cents, want 4500", n.JSON201.Costs)
	}

	st, err := c.GetDebtorWithResponse(ctx, debtorID, nil)
	if err != nil || st.JSON200 == nil {
		t.Fatalf("read statement: %v %s", err, answer(st))
	}
	s := st.JSON200
	if len(s.Invoices) != 1 || s.Invoices[0].Number != "F-1001" || s.Invoices[0].Principal != 30000 {
		t.Errorf("statement invoices %+v, want F-1001 with 30000 open", s.Invoices)
	}
	// The notice's deadline (14 days after 2 October) has passed on 23 November: the costs are due.
	if s.Totals.Costs != 4500 || s.Totals.Principal != 30000 || s.Totals.Total != s.Totals.Principal+s.Totals.Costs+s.Totals.Interest {
		t.Errorf("totals %+v, want principal 30000, costs 4500 and a total that adds up", s.Totals)
	}
	if s.Totals.Interest <= 0 {
		t.Errorf("interest %d: the invoice is 53 days overdue", s.Totals.Interest)
	}
	if s.ContactWishes != nil {
		t.Errorf("contact wishes %+v for a debtor who said nothing", s.ContactWishes)
	}
	// Wishes given in the portal come back structured, in the documented shape.
	wishes := collect.ContactWishes{Channel: "sms", Channels: []collect.Channel{collect.ChannelSMS, collect.ChannelPost},
		Phone: "+31612345678", Avoid: []collect.TimeRange{{Days: collect.Weekdays, From: 8 * 60, To: 17 * 60}}, Language: "nl"}
	if err := b.db.SetContactWishes(ctx, b.A.ID, debtorID.String(), wishes, time.Now()); err != nil {
		t.Fatal(err)
	}
	st, err = c.GetDebtorWithResponse(ctx, debtorID, nil)
	if err != nil || st.JSON200 == nil || st.JSON200.ContactWishes == nil {
		t.Fatalf("read statement with wishes: %v %s", err, answer(st))
	}
	if w := st.JSON200.ContactWishes; w.Channel != "sms" || len(w.Channels) != 2 || w.Channels[1] != "post" || w.Phone != "+31612345678" ||
		len(w.Avoid) != 1 || len(w.Avoid[0].Days) != 5 || w.Avoid[0].Days[0] != "monday" || w.Avoid[0].From != "08:00" || w.Avoid[0].To != "17:00" {
		t.Errorf("contact wishes %+v", w)
	}

	ps, err := c.ListPaymentsWithResponse(ctx, &apiclient.ListPaymentsParams{Limit: ptr(10)})
	if err != nil || ps.JSON200 == nil {
		t.Fatalf("list payments: %v %s", err, answer(ps))
	}
	if len(ps.JSON200.Payments) != 0 || ps.JSON200.NextCursor != nil {
		t.Errorf("payments %+v, want none and no next page", ps.JSON200)
	}

	// An error answers the documented shape, which the client decodes.
	// What will be owed on 31 December: interest 2 October - 31 December
	// (91 days) at 4% on 300,00 = 1200 x 91/365 = 2,9918 -> 2,99, and the costs.
	st, err = c.GetDebtorWithResponse(ctx, debtorID, &apiclient.GetDebtorParams{AsOf: ptr(day(2026, 12, 31))})
	if err != nil || st.JSON200 == nil {
		t.Fatalf("read statement as of 31 December: %v %s", err, answer(st))
	}
	if s := st.JSON200; s.AsOf.Time.Format(time.DateOnly) != "2026-12-31" || s.Totals.Interest != 299 || s.Totals.Total != 34799 {
		t.Errorf("as of 31 December: %s, totals %+v; want interest 299, total 34799", s.AsOf.Time.Format(time.DateOnly), s.Totals)
	}
	past, err := c.GetDebtorWithResponse(ctx, debtorID, &apiclient.GetDebtorParams{AsOf: ptr(day(2026, 11, 22))})
	if err != nil || past.JSON422 == nil || past.JSON422.Error.Field != "as_of" {
		t.Fatalf("as of yesterday: %v %s, want 422 naming as_of", err, answer(past))
	}

	missing, err := c.GetDebtorWithResponse(ctx, openapi_types.UUID{}, nil)
	if err != nil || missing.JSON404 == nil || missing.JSON404.Error.Code != apiclient.ErrorErrorCodeNotFound {
		t.Fatalf("unknown debtor: %v %s", err, answer(missing))
	}
}

func ptr[T any](v T) *T { return &v }

func day(y int, m time.Month, d int) openapi_types.Date {
	return openapi_types.Date{Time: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// answer describes a generated client's answer (status and body) for a failure message.
func answer[T any, P interface {
	*T
	StatusCode() int
}](r P) string {
	if r == nil {
		return "no answer"
	}
	return fmt.Sprintf("%d %s", r.StatusCode(), reflect.ValueOf(r).Elem().FieldByName("Body").Bytes())
}
