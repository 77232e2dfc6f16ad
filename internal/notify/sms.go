package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// SMSConfig is where and as whom the SMS gateway is reached: SETTLE_SMS_URL,
// SETTLE_SMS_SID, SETTLE_SMS_TOKEN and the sender.
type SMSConfig struct {
	// BaseURL is the gateway's root, such as https://api.twilio.com; the
	// Messages API path is appended to it.
	BaseURL string
	// AccountSID names the account in the path and is the basic-auth user.
	AccountSID string
	// AuthToken is the basic-auth password. Errors never show it.
	AuthToken string
	// From is the sending number (E.164) or alphanumeric sender id.
	From string
}

// SMSGateway sends SMS through any HTTP gateway that speaks Twilio's
// Messages API: POST {BaseURL}/2010-04-01/Accounts/{SID}/Messages.json with
// form fields To, From and Body. It is safe for concurrent use.
type SMSGateway struct {
	endpoint string
	cfg      SMSConfig
	client   *http.Client
}

// DefaultSMSTimeout bounds one request to the gateway when NewSMSGateway is
// given no client.
const DefaultSMSTimeout = 15 * time.Second

// NewSMSGateway checks cfg and returns a gateway client. A nil client uses
// one with DefaultSMSTimeout.
func NewSMSGateway(cfg SMSConfig, client *http.Client) (*SMSGateway, error) {
	u, err := url.Parse(cfg.BaseURL)
	if err != nil {
		// Not repeated: the error would show a password written into it.
		return nil, errors.New("new sms gateway: url is not valid (expected an http(s) URL such as https://api.twilio.com)")
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("new sms gateway: url %q is not an http(s) URL such as https://api.twilio.com", u.Redacted())
	}
	if u.User != nil || u.RawQuery != "" {
		return nil, errors.New("new sms gateway: url takes no credentials or query; use the SID and token settings")
	}
	switch {
	case cfg.AccountSID == "":
		return nil, errors.New("new sms gateway: no account SID")
	case cfg.AuthToken == "":
		return nil, errors.New("new sms gateway: no auth token")
	case cfg.From == "":
		return nil, errors.New("new sms gateway: no sender (From)")
	}
	if client == nil {
		client = &http.Client{Timeout: DefaultSMSTimeout}
	}
	endpoint := strings.TrimRight(cfg.BaseURL, "/") + "/2010-04-01/Accounts/" + url.PathEscape(cfg.AccountSID) + "/Messages.json"
	return &SMSGateway{endpoint: endpoint, cfg: cfg, client: client}, nil
}

// e164 is an international number as the gateway wants it: +, country
// code, at most 15 digits.
var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// permanentSMSCodes are Twilio's error codes that blame the recipient's
// number: it is not valid, cannot get SMS, or its owner opted out.
var permanentSMSCodes = map[int]bool{
	21211: true, // invalid 'To' phone number
	21214: true, // 'To' phone number cannot be reached
	21217: true, // phone number does not appear to be valid
	21610: true, // recipient unsubscribed (replied STOP)
	21612: true, // 'To' number is not reachable by SMS
	21614: true, // 'To' number is not a valid mobile number
}

// smsAnswer is the part of a Messages API answer Settle reads: the message
// on success, the error otherwise.
type smsAnswer struct {
	SID     string `json:"sid"`
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// Send posts m.Text to m.To. A number that is not E.164, or one the gateway
// refuses with a code that blames it, is a PermanentFailure; 429, 5xx,
// network errors and errors of our own settings are TemporaryFailure.
// ProviderID is the gateway's message SID.
func (g *SMSGateway) Send(ctx context.Context, m Message) Result {
	if !e164.MatchString(m.To) {
		return permanent("", fmt.Errorf("send sms: %q is not an E.164 phone number", m.To))
	}
	if m.Text == "" {
		return temporary("", errors.New("send sms: message has no text"))
	}
	form := url.Values{"To": {m.To}, "From": {g.cfg.From}, "Body": {m.Text}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return temporary("", fmt.Errorf("send sms: %w", err))
	}
	req.SetBasicAuth(g.cfg.AccountSID, g.cfg.AuthToken)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := g.client.Do(req)
	if err != nil {
		return temporary("", fmt.Errorf("send sms: %w", err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil && resp.StatusCode/100 != 2 {
		return temporary("", fmt.Errorf("send sms: read answer %d: %w", resp.StatusCode, err))
	}
	var ans smsAnswer
	_ = json.Unmarshal(body, &ans) // an answer that is not JSON still has its status
	return classifySMS(resp.StatusCode, ans)
}

// classifySMS maps the gateway's HTTP status and error code to a Result.
func classifySMS(status int, ans smsAnswer) Result {
	if status >= 200 && status < 300 {
		// Accepted: sending again would send twice, even if the answer
		// carried no SID.
		return Result{Outcome: Sent, ProviderID: ans.SID}
	}
	code := ""
	if ans.Code != 0 {
		code = strconv.Itoa(ans.Code)
	}
	reason := ans.Message
	if reason == "" {
		reason = http.StatusText(status)
	}
	err := fmt.Errorf("send sms: gateway answered %d: %s", status, reason)
	if code != "" {
		err = fmt.Errorf("send sms: gateway answered %d, code %s: %s", status, code, reason)
	}
	if status >= 400 && status < 500 && status != http.StatusTooManyRequests && permanentSMSCodes[ans.Code] {
		return permanent(code, err)
	}
	return temporary(code, err)
}
