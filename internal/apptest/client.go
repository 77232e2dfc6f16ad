package apptest

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/settle/settle/internal/app"
)

// Client is one browser, or one API caller: it keeps its cookies and the
// last CSRF token a page showed it. It calls the app in process, or over
// the socket when the app is served.
type Client struct {
	T   *testing.T
	App *app.App
	// Base is where requests go over the socket; "" calls App in process.
	Base string
	Jar  map[string]string
	CSRF string
	// Header is sent with every request (an API key).
	Header http.Header
	env    *Env
}

// Response is what the app answered.
type Response struct {
	Status  int
	Body    string
	Header  http.Header
	Cookies []*http.Cookie
}

// Cookie returns the cookie name the response set, or nil.
func (r Response) Cookie(name string) *http.Cookie {
	for _, ck := range r.Cookies {
		if ck.Name == name {
			return ck
		}
	}
	return nil
}

// Client is a fresh browser on the Env's app.
func (e *Env) Client() *Client {
	return &Client{T: e.T, App: e.App, Base: e.Base, Jar: map[string]string{}, Header: http.Header{}, env: e}
}

// APIClient calls the API with a creditor's key.
func (e *Env) APIClient(key string) *Client {
	c := e.Client()
	c.Header.Set("Authorization", "Bearer "+key)
	return c
}

// On returns a client with the same cookies that talks to another app
// instance in process.
func (c *Client) On(a *app.App) *Client {
	d := c.Clone()
	d.App, d.Base, d.Jar = a, "", c.Jar
	return d
}

// Clone is another browser with a copy of the same cookies.
func (c *Client) Clone() *Client {
	d := *c
	d.Jar = make(map[string]string, len(c.Jar))
	for k, v := range c.Jar {
		d.Jar[k] = v
	}
	d.Header = c.Header.Clone()
	return &d
}

// HTTPClient is the socket transport of every Client: it follows no
// redirects. Its timeout only ends a hang: under the race detector on a
// busy machine, 20 password hashes at once take a while.
var HTTPClient = &http.Client{
	Timeout:       5 * time.Minute,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// CSRFField finds the CSRF token a page's forms carry.
var CSRFField = regexp.MustCompile(`name="_csrf" value="([^"]*)"`)

// Send sends one request with the client's cookies and header, and header.
func (c *Client) Send(method, path string, body io.Reader, header http.Header) Response {
	c.T.Helper()
	r, err := c.Try(method, path, body, header)
	if err != nil {
		c.T.Fatalf("%s %s: %v", method, path, err)
	}
	if c.env != nil && c.env.Check != nil {
		c.env.Check(c.T, method+" "+path, r)
	}
	return r
}

// Try is Send for goroutines other than the test's, which may not call
// t.Fatal: it returns the error, and runs no check.
func (c *Client) Try(method, path string, body io.Reader, header http.Header) (Response, error) {
	req, err := c.request(method, path, body)
	if err != nil {
		return Response{}, err
	}
	for k, vs := range c.Header {
		req.Header[k] = vs
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if len(c.Jar) > 0 {
		names := make([]string, 0, len(c.Jar))
		for k := range c.Jar {
			names = append(names, k)
		}
		sort.Strings(names)
		parts := make([]string, len(names))
		for i, k := range names {
			parts[i] = k + "=" + c.Jar[k]
		}
		req.Header.Set("Cookie", strings.Join(parts, "; "))
	}
	var res *http.Response
	if c.Base != "" {
		res, err = HTTPClient.Do(req)
	} else {
		res, err = c.App.Fiber.Test(req, -1)
	}
	if err != nil {
		return Response{}, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return Response{}, err
	}
	r := Response{Status: res.StatusCode, Body: string(raw), Header: res.Header, Cookies: res.Cookies()}
	for _, ck := range r.Cookies {
		if ck.Value == "" || ck.MaxAge < 0 || (!ck.Expires.IsZero() && ck.Expires.Year() < 2000) {
			delete(c.Jar, ck.Name)
		} else {
			c.Jar[ck.Name] = ck.Value
		}
	}
	if m := CSRFField.FindStringSubmatch(r.Body); m != nil {
		c.CSRF = m[1]
	}
	return r, nil
}

func (c *Client) request(method, path string, body io.Reader) (*http.Request, error) {
	if c.Base != "" {
		return http.NewRequest(method, c.Base+path, body)
	}
	return httptest.NewRequest(method, BaseURL+path, body), nil
}

// Do sends form urlencoded as it is, or no body when form is nil.
func (c *Client) Do(method, path string, form url.Values) Response {
	c.T.Helper()
	if form == nil {
		return c.Send(method, path, nil, nil)
	}
	return c.Send(method, path, strings.NewReader(form.Encode()),
		http.Header{"Content-Type": {"application/x-www-form-urlencoded"}})
}

// Get fetches path.
func (c *Client) Get(path string) Response {
	c.T.Helper()
	return c.Do(http.MethodGet, path, nil)
}

// Post sends a form with the CSRF token of the last page, unless the form
// has a _csrf field of its own.
func (c *Client) Post(path string, form url.Values) Response {
	c.T.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["_csrf"]; !ok {
		form.Set("_csrf", c.CSRF)
	}
	return c.Do(http.MethodPost, path, form)
}

// PostAsIs sends a urlencoded form as it is: the caller adds any _csrf.
func (c *Client) PostAsIs(path string, form url.Values) Response {
	c.T.Helper()
	return c.Do(http.MethodPost, path, form)
}

// PostMultipart sends a multipart form whose first field is _csrf, as
// every form of the app puts it (uploads are checked before any file).
func (c *Client) PostMultipart(path, token string, fields url.Values) Response {
	c.T.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if err := w.WriteField("_csrf", token); err != nil {
		c.T.Fatal(err)
	}
	for k, vs := range fields {
		for _, v := range vs {
			if err := w.WriteField(k, v); err != nil {
				c.T.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		c.T.Fatal(err)
	}
	return c.Send(http.MethodPost, path, &buf, http.Header{"Content-Type": {w.FormDataContentType()}})
}

// Call sends a JSON body (a string as it is, anything else marshalled).
func (c *Client) Call(method, path string, body any) Response {
	c.T.Helper()
	var r io.Reader
	header := http.Header{}
	switch v := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(v)
	default:
		raw, err := json.Marshal(v)
		if err != nil {
			c.T.Fatal(err)
		}
		r = bytes.NewReader(raw)
	}
	if r != nil {
		header.Set("Content-Type", "application/json")
	}
	return c.Send(method, path, r, header)
}
