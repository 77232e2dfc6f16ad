package notify

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// FakeSMS is an SMS gateway in the shape of Twilio's Messages API that sends
// nothing: it checks the request as the real API does and keeps each
// message for tests and the demo's outbox page. Mount it at the root of a
// server (or behind http.StripPrefix) and point SMSConfig.BaseURL there. It
// keeps every message in memory, so it is for tests and demos only.
type FakeSMS struct {
	// Now stamps each message; nil is real time. The demo sets its clock,
	// so the outbox shows the time Settle thought it was.
	Now func() time.Time

	accountSID string
	authToken  string

	mu       sync.Mutex
	messages []FakeSMSMessage
	failures map[string]fakeSMSFailure
}

// FakeSMSMessage is a message the fake gateway accepted.
type FakeSMSMessage struct {
	SID     string
	To      string
	From    string
	Body    string
	Created time.Time
}

type fakeSMSFailure struct {
	status  int
	code    int
	message string
}

// NewFakeSMS returns a fake gateway that accepts only accountSID and
// authToken.
func NewFakeSMS(accountSID, authToken string) *FakeSMS {
	return &FakeSMS{accountSID: accountSID, authToken: authToken, failures: map[string]fakeSMSFailure{}}
}

// FailTo makes every later message to number fail with this HTTP status and
// gateway error code, as a real gateway answers for an unreachable number
// (400, 21612) or when it is overloaded (429, 20429).
func (f *FakeSMS) FailTo(number string, status, code int, message string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures[number] = fakeSMSFailure{status: status, code: code, message: message}
}

// Messages returns the accepted messages, oldest first.
func (f *FakeSMS) Messages() []FakeSMSMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]FakeSMSMessage(nil), f.messages...)
}

// ServeHTTP answers POST /2010-04-01/Accounts/{SID}/Messages.json like the
// real API: 201 with the message, or a 4xx with Twilio's error shape.
func (f *FakeSMS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	if !ok || subtle.ConstantTimeCompare([]byte(user), []byte(f.accountSID)) != 1 ||
		subtle.ConstantTimeCompare([]byte(pass), []byte(f.authToken)) != 1 {
		w.Header().Set("WWW-Authenticate", `Basic realm="Twilio API"`)
		writeSMSError(w, http.StatusUnauthorized, 20003, "Authenticate")
		return
	}
	if r.URL.Path != "/2010-04-01/Accounts/"+f.accountSID+"/Messages.json" {
		writeSMSError(w, http.StatusNotFound, 20404, fmt.Sprintf("The requested resource %s was not found", r.URL.Path))
		return
	}
	if r.Method != http.MethodPost {
		writeSMSError(w, http.StatusMethodNotAllowed, 20004, "Method not allowed")
		return
	}
	if err := r.ParseForm(); err != nil {
		writeSMSError(w, http.StatusBadRequest, 20001, "Unable to parse the request body")
		return
	}
	to, from, body := r.PostForm.Get("To"), r.PostForm.Get("From"), r.PostForm.Get("Body")
	switch {
	case to == "":
		writeSMSError(w, http.StatusBadRequest, 21604, "A 'To' phone number is required.")
		return
	case !e164.MatchString(to):
		writeSMSError(w, http.StatusBadRequest, 21211, fmt.Sprintf("The 'To' number %s is not a valid phone number.", to))
		return
	case from == "":
		writeSMSError(w, http.StatusBadRequest, 21603, "A 'From' phone number is required.")
		return
	case body == "":
		writeSMSError(w, http.StatusBadRequest, 21602, "Message body is required.")
		return
	}

	f.mu.Lock()
	failure, fails := f.failures[to]
	var msg FakeSMSMessage
	if !fails {
		created := time.Now()
		if f.Now != nil {
			created = f.Now()
		}
		msg = FakeSMSMessage{SID: "SM" + randomHex(16), To: to, From: from, Body: body, Created: created}
		f.messages = append(f.messages, msg)
	}
	f.mu.Unlock()
	if fails {
		writeSMSError(w, failure.status, failure.code, failure.message)
		return
	}

	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"sid":          msg.SID,
		"account_sid":  f.accountSID,
		"to":           msg.To,
		"from":         msg.From,
		"body":         msg.Body,
		"status":       "queued",
		"direction":    "outbound-api",
		"api_version":  "2010-04-01",
		"num_segments": "1",
		"date_created": msg.Created.UTC().Format(time.RFC1123Z),
		"uri":          "/2010-04-01/Accounts/" + f.accountSID + "/Messages/" + msg.SID + ".json",
	})
}

// writeSMSError writes Twilio's error shape.
func writeSMSError(w http.ResponseWriter, status, code int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"code":      code,
		"message":   message,
		"more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code),
		"status":    status,
	})
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}
