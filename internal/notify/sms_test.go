package notify_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/settle/settle/internal/notify"
)

const (
	testSID   = "AC0123456789abcdef0123456789abcdef"
	testToken = "s3cret-token"
)

func newGateway(t *testing.T, baseURL, token string) *notify.SMSGateway {
	t.Helper()
	gw, err := notify.NewSMSGateway(notify.SMSConfig{BaseURL: baseURL, AccountSID: testSID, AuthToken: token, From: "Settle"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return gw
}

func startFake(t *testing.T) (*notify.FakeSMS, string) {
	t.Helper()
	fake := notify.NewFakeSMS(testSID, testToken)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return fake, srv.URL
}

func TestSMSGatewayPostsTwilioShapedRequest(t *testing.T) {
	type request struct {
		method, path, contentType, user, pass string
		authOK                                bool
		form                                  url.Values
	}
	got := make(chan request, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		user, pass, ok := r.BasicAuth()
		got <- request{r.Method, r.URL.Path, r.Header.Get("Content-Type"), user, pass, ok, form}
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"sid": "SM1234", "status": "queued"}`)
	}))
	t.Cleanup(srv.Close)

	// A trailing slash on the base URL must not double the path's slash.
	gw := newGateway(t, srv.URL+"/", testToken)
	res := gw.Send(context.Background(), notify.Message{ID: "n-1", To: "+31612345678", Subject: "ignored", Text: "Betaal via https://settle.test/b/7KQ4-M9XD", HTML: "<p>ignored</p>"})
	if res.Outcome != notify.Sent || res.ProviderID != "SM1234" || res.Err != nil {
		t.Fatalf("Send = %+v, want sent as SM1234", res)
	}
	r := <-got
	if r.method != http.MethodPost || r.path != "/2010-04-01/Accounts/"+testSID+"/Messages.json" {
		t.Errorf("request %s %s", r.method, r.path)
	}
	if r.contentType != "application/x-www-form-urlencoded" {
		t.Errorf("Content-Type = %q", r.contentType)
	}
	if !r.authOK || r.user != testSID || r.pass != testToken {
		t.Errorf("basic auth = %q/%q (%v), want the SID and token", r.user, r.pass, r.authOK)
	}
	want := url.Values{"To": {"+31612345678"}, "From": {"Settle"}, "Body": {"Betaal via https://settle.test/b/7KQ4-M9XD"}}
	if r.form.Encode() != want.Encode() {
		t.Errorf("form = %v, want %v", r.form, want)
	}
}

func TestSMSGatewaySendsToFake(t *testing.T) {
	fake, base := startFake(t)
	gw := newGateway(t, base, testToken)

	res := gw.Send(context.Background(), notify.Message{To: "+31612345678", Text: "Uw betaalregeling is goedgekeurd."})
	if res.Outcome != notify.Sent || !strings.HasPrefix(res.ProviderID, "SM") {
		t.Fatalf("Send = %+v, want sent with an SM sid", res)
	}
	msgs := fake.Messages()
	if len(msgs) != 1 {
		t.Fatalf("fake kept %d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if m.SID != res.ProviderID || m.To != "+31612345678" || m.From != "Settle" || m.Body != "Uw betaalregeling is goedgekeurd." || m.Created.IsZero() {
		t.Errorf("fake kept %+v", m)
	}
}

func TestSMSGatewayWrongTokenIsTemporary(t *testing.T) {
	fake, base := startFake(t)
	gw := newGateway(t, base, "wrong-token")

	res := gw.Send(context.Background(), notify.Message{To: "+31612345678", Text: "x"})
	if res.Outcome != notify.TemporaryFailure || res.Code != "20003" {
		t.Fatalf("Send = %v code %q (%v), want temporary failure 20003", res.Outcome, res.Code, res.Err)
	}
	if strings.Contains(res.Err.Error(), "wrong-token") {
		t.Errorf("error %q shows the token", res.Err)
	}
	if n := len(fake.Messages()); n != 0 {
		t.Errorf("fake kept %d messages", n)
	}
}

func TestSMSGatewayMapsFakeFailures(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		code     int
		want     notify.Outcome
		wantCode string
	}{
		{"invalid To", 400, 21211, notify.PermanentFailure, "21211"},
		{"not reachable by SMS", 400, 21612, notify.PermanentFailure, "21612"},
		{"not a mobile number", 400, 21614, notify.PermanentFailure, "21614"},
		{"unsubscribed", 400, 21610, notify.PermanentFailure, "21610"},
		{"our From is invalid", 400, 21606, notify.TemporaryFailure, "21606"},
		{"too many requests", 429, 20429, notify.TemporaryFailure, "20429"},
		{"gateway error", 500, 20500, notify.TemporaryFailure, "20500"},
		{"gateway down", 503, 20503, notify.TemporaryFailure, "20503"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, base := startFake(t)
			fake.FailTo("+31600000000", tt.status, tt.code, tt.name)
			gw := newGateway(t, base, testToken)

			res := gw.Send(context.Background(), notify.Message{To: "+31600000000", Text: "x"})
			if res.Outcome != tt.want || res.Code != tt.wantCode {
				t.Errorf("Send = %v code %q (%v), want %v code %q", res.Outcome, res.Code, res.Err, tt.want, tt.wantCode)
			}
			if res.Err == nil || !strings.Contains(res.Err.Error(), tt.name) {
				t.Errorf("error %v does not carry the gateway's message", res.Err)
			}
			// Another number still goes through.
			if res := gw.Send(context.Background(), notify.Message{To: "+31612345678", Text: "x"}); res.Outcome != notify.Sent {
				t.Errorf("other number: %v (%v)", res.Outcome, res.Err)
			}
			if n := len(fake.Messages()); n != 1 {
				t.Errorf("fake kept %d messages, want only the other number's", n)
			}
		})
	}
}

func TestSMSGatewayMapsRawAnswers(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		body        string
		want        notify.Outcome
		wantCode    string
		wantProvide string
	}{
		{"created", 201, `{"sid": "SMabc", "status": "queued"}`, notify.Sent, "", "SMabc"},
		{"ok without json", 200, `accepted`, notify.Sent, "", ""},
		{"invalid To", 400, `{"code": 21211, "message": "The 'To' number 123 is not a valid phone number.", "status": 400}`, notify.PermanentFailure, "21211", ""},
		{"bad request without code", 400, `<html>bad</html>`, notify.TemporaryFailure, "", ""},
		{"permanent code on 429", 429, `{"code": 21211}`, notify.TemporaryFailure, "21211", ""},
		{"not found", 404, `{"code": 20404, "message": "not found"}`, notify.TemporaryFailure, "20404", ""},
		{"bad gateway html", 502, `<html>Bad Gateway</html>`, notify.TemporaryFailure, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			}))
			t.Cleanup(srv.Close)
			res := newGateway(t, srv.URL, testToken).Send(context.Background(), notify.Message{To: "+31612345678", Text: "x"})
			if res.Outcome != tt.want || res.Code != tt.wantCode || res.ProviderID != tt.wantProvide {
				t.Errorf("Send = %+v, want %v code %q id %q", res, tt.want, tt.wantCode, tt.wantProvide)
			}
		})
	}
}

func TestSMSGatewayChecksBeforeSending(t *testing.T) {
	fake, base := startFake(t)
	gw := newGateway(t, base, testToken)
	tests := []struct {
		m    notify.Message
		want notify.Outcome
	}{
		{notify.Message{To: "0612345678", Text: "x"}, notify.PermanentFailure},
		{notify.Message{To: "+31 6 12345678", Text: "x"}, notify.PermanentFailure},
		{notify.Message{To: "jan@example.com", Text: "x"}, notify.PermanentFailure},
		{notify.Message{To: "", Text: "x"}, notify.PermanentFailure},
		{notify.Message{To: "+31612345678"}, notify.TemporaryFailure},
	}
	for _, tt := range tests {
		if res := gw.Send(context.Background(), tt.m); res.Outcome != tt.want {
			t.Errorf("Send(%+v) = %v (%v), want %v", tt.m, res.Outcome, res.Err, tt.want)
		}
	}
	if n := len(fake.Messages()); n != 0 {
		t.Errorf("fake got %d messages, want none", n)
	}
}

func TestSMSGatewayUnreachableIsTemporary(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close() // nothing listens there now
	res := newGateway(t, base, testToken).Send(context.Background(), notify.Message{To: "+31612345678", Text: "x"})
	if res.Outcome != notify.TemporaryFailure {
		t.Fatalf("Send = %v (%v), want temporary failure", res.Outcome, res.Err)
	}
}

func TestFakeSMSAnswersLikeTwilio(t *testing.T) {
	_, base := startFake(t)
	endpoint := base + "/2010-04-01/Accounts/" + testSID + "/Messages.json"
	tests := []struct {
		name     string
		method   string
		url      string
		token    string
		form     url.Values
		status   int
		wantBody string
	}{
		{"created", "POST", endpoint, testToken, url.Values{"To": {"+31612345678"}, "From": {"Settle"}, "Body": {"hoi"}}, 201, `"status":"queued"`},
		{"invalid To", "POST", endpoint, testToken, url.Values{"To": {"0612"}, "From": {"Settle"}, "Body": {"hoi"}}, 400, `"code":21211`},
		{"no To", "POST", endpoint, testToken, url.Values{"From": {"Settle"}, "Body": {"hoi"}}, 400, `"code":21604`},
		{"no From", "POST", endpoint, testToken, url.Values{"To": {"+31612345678"}, "Body": {"hoi"}}, 400, `"code":21603`},
		{"no Body", "POST", endpoint, testToken, url.Values{"To": {"+31612345678"}, "From": {"Settle"}}, 400, `"code":21602`},
		{"wrong token", "POST", endpoint, "nope", url.Values{}, 401, `"code":20003`},
		{"other account", "POST", base + "/2010-04-01/Accounts/ACother/Messages.json", testToken, url.Values{}, 404, `"code":20404`},
		{"GET", "GET", endpoint, testToken, nil, 405, `"code":20004`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, tt.url, strings.NewReader(tt.form.Encode()))
			if err != nil {
				t.Fatal(err)
			}
			req.SetBasicAuth(testSID, tt.token)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status || !strings.Contains(string(body), tt.wantBody) {
				t.Errorf("answered %d %s, want %d with %s", resp.StatusCode, body, tt.status, tt.wantBody)
			}
			if resp.Header.Get("Content-Type") != "application/json" {
				t.Errorf("Content-Type = %q", resp.Header.Get("Content-Type"))
			}
		})
	}
}

func TestNewSMSGatewayValidatesConfig(t *testing.T) {
	good := notify.SMSConfig{BaseURL: "https://api.twilio.com", AccountSID: testSID, AuthToken: testToken, From: "+3197010000000"}
	if _, err := notify.NewSMSGateway(good, nil); err != nil {
		t.Fatalf("NewSMSGateway(good) = %v", err)
	}
	tests := []struct {
		name   string
		change func(*notify.SMSConfig)
	}{
		{"no url", func(c *notify.SMSConfig) { c.BaseURL = "" }},
		{"not http", func(c *notify.SMSConfig) { c.BaseURL = "ftp://api.twilio.com" }},
		{"no host", func(c *notify.SMSConfig) { c.BaseURL = "https://" }},
		{"credentials in url", func(c *notify.SMSConfig) { c.BaseURL = "https://AC1:" + testToken + "@api.twilio.com" }},
		{"credentials in ftp url", func(c *notify.SMSConfig) { c.BaseURL = "ftp://AC1:" + testToken + "@api.twilio.com" }},
		{"unparsable url with credentials", func(c *notify.SMSConfig) { c.BaseURL = "https://AC1:" + testToken + "@api.twilio.com:port" }},
		{"query in url", func(c *notify.SMSConfig) { c.BaseURL = "https://api.twilio.com?x=1" }},
		{"no sid", func(c *notify.SMSConfig) { c.AccountSID = "" }},
		{"no token", func(c *notify.SMSConfig) { c.AuthToken = "" }},
		{"no from", func(c *notify.SMSConfig) { c.From = "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good
			tt.change(&cfg)
			_, err := notify.NewSMSGateway(cfg, nil)
			if err == nil {
				t.Fatal("NewSMSGateway accepted it")
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("error %q shows the token", err)
			}
		})
	}
}
