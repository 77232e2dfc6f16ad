package stripemock

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Object is one Stripe API object's fields, as encoding/json decodes them.
type Object = map[string]any

// Request is one API call the proxy forwarded, as the client sent it.
type Request struct {
	Method string
	Path   string
	Query  url.Values
	Form   url.Values // a POST's form-encoded body
	Header http.Header
}

// State is what Stripe "knows" for one test: objects by id and list answers,
// served by the proxy StartWithState returns, which also records every
// request. It is safe for concurrent use.
//
// Why a proxy: stripe-mock is stateless by design. It validates each request
// against Stripe's OpenAPI spec and answers a fixed fixture, so a session it
// returns is always "open" and nothing is ever paid, refunded or disputed.
// Settle books only what Stripe's API reports on re-fetch, never an event
// body, so a test of booking needs Stripe to report something. The proxy
// keeps stripe-mock's validation and its answers' full shape (every field,
// object, livemode, expansions) and only overlays the fields the test set.
type State struct {
	mu       sync.Mutex
	objects  map[string]Object
	lists    map[listKey][]string
	requests []Request
}

// listKey is a list endpoint filtered by one parameter, such as
// /v1/disputes?payment_intent=pi_123.
type listKey struct{ path, param, value string }

// StartWithState starts (or shares) stripe-mock and a proxy in front of it,
// and returns the proxy's URL (for stripe.New) and its State. Until the test
// sets an object, the proxy answers exactly what stripe-mock answers.
func StartWithState(t testing.TB) (string, *State) {
	t.Helper()
	target, err := url.Parse(Start(t))
	if err != nil {
		t.Fatalf("stripemock: %v", err)
	}
	st := &State{objects: map[string]Object{}, lists: map[listKey][]string{}}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			// The overlay decodes the answer, so it must come uncompressed.
			r.Out.Header.Del("Accept-Encoding")
		},
		ModifyResponse: st.overlay,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := st.record(r); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, st
}

// Set makes GET /v1/.../id answer fields over stripe-mock's fixture, and
// makes every expansion of id (a session's payment_intent, an intent's
// latest_charge) answer them too. A field holding another object's id is
// expanded into that object when the request asks for it; an object set
// inline collapses to its id when the request does not. It replaces what an
// earlier Set said about id.
func (s *State) Set(id string, fields Object) {
	obj := normalize(fields)
	obj["id"] = id
	s.mu.Lock()
	defer s.mu.Unlock()
	s.objects[id] = obj
}

// SetList makes GET listPath?param=value (for example "/v1/disputes",
// "payment_intent", "pi_123") answer items, each over stripe-mock's fixture
// item, and makes each item answer by its id as Set does. Every item needs
// an "id". Stripe filters lists; stripe-mock does not, so a filtered list the
// test has not set still answers the fixture.
func (s *State) SetList(listPath, param, value string, items ...Object) {
	ids := make([]string, len(items))
	for i, it := range items {
		id, _ := it["id"].(string)
		if id == "" {
			panic(fmt.Sprintf("stripemock: SetList %s?%s=%s: item %d has no id", listPath, param, value, i))
		}
		s.Set(id, it)
		ids[i] = id
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lists[listKey{listPath, param, value}] = ids
}

// Requests returns the requests forwarded so far, oldest first.
func (s *State) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// record keeps r and leaves its body readable for the proxy.
func (s *State) record(r *http.Request) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return fmt.Errorf("read request body: %w", err)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	req := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone()}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "application/x-www-form-urlencoded" {
		if req.Form, err = url.ParseQuery(string(body)); err != nil {
			return fmt.Errorf("form body: %w", err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, req)
	return nil
}

// overlay rewrites a successful GET answer for an object or list the test
// set; every other answer passes as stripe-mock gave it.
func (s *State) overlay(resp *http.Response) error {
	r := resp.Request
	if r.Method != http.MethodGet || resp.StatusCode != http.StatusOK {
		return nil
	}
	q := r.URL.Query()
	expand := expansions(q)
	s.mu.Lock()
	defer s.mu.Unlock()
	var rewrite func(base Object) Object
	if ids, ok := s.listFor(r.URL.Path, q); ok {
		rewrite = func(base Object) Object { return s.list(base, ids, expand) }
	} else if obj, ok := s.objects[path.Base(r.URL.Path)]; ok {
		rewrite = func(base Object) Object { return s.merge(base, obj, "", expand) }
	} else {
		return nil
	}
	dec := json.NewDecoder(resp.Body)
	dec.UseNumber() // amounts are int64 cents; float64 would round them
	var base Object
	if err := dec.Decode(&base); err != nil {
		return fmt.Errorf("stripemock: decode %s: %w", r.URL.Path, err)
	}
	_ = resp.Body.Close()
	b, err := json.Marshal(rewrite(base))
	if err != nil {
		return err
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	resp.ContentLength = int64(len(b))
	resp.Header.Set("Content-Length", strconv.Itoa(len(b)))
	resp.Header.Del("Transfer-Encoding")
	return nil
}

// listFor finds the list the test set for this path and filter.
func (s *State) listFor(p string, q url.Values) ([]string, bool) {
	for k, ids := range s.lists {
		if k.path == p && q.Get(k.param) == k.value {
			return ids, true
		}
	}
	return nil, false
}

// list answers ids in stripe-mock's list envelope, each item over its first
// fixture item, and all of them on one page.
func (s *State) list(base Object, ids []string, expand map[string]bool) Object {
	var fixture Object
	if data, ok := base["data"].([]any); ok && len(data) > 0 {
		fixture, _ = data[0].(Object)
	}
	data := make([]any, len(ids))
	for i, id := range ids {
		data[i] = s.merge(fixture, s.objects[id], "data", expand)
	}
	out := Object{}
	for k, v := range base {
		out[k] = v
	}
	out["data"], out["has_more"] = data, false
	return out
}

// merge lays over's fields over base at the dotted path at, resolving ids
// and inline objects as the request's expansions say. It copies and never
// changes over, which belongs to the State.
func (s *State) merge(base, over Object, at string, expand map[string]bool) Object {
	out := Object{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		out[k] = s.field(out[k], v, join(at, k), expand)
	}
	return out
}

func (s *State) field(base, v any, at string, expand map[string]bool) any {
	b, baseIsObject := base.(Object)
	switch v := v.(type) {
	case string:
		if !expand[at] {
			return v
		}
		// An id the request asked to see whole: the object the test set
		// (if any) over the fixture stripe-mock expanded there.
		obj := s.merge(b, s.objects[v], at, expand)
		obj["id"] = v
		return obj
	case Object:
		if id, ok := v["id"].(string); ok && v["object"] != nil && !expand[at] && !baseIsObject {
			return id // Stripe shows an unexpanded object as its id
		}
		return s.merge(b, v, at, expand)
	}
	return v
}

// expansions reads expand[] / expand[N] parameters into the set of expanded
// dotted paths, each with its prefixes ("a.b" expands "a" too).
func expansions(q url.Values) map[string]bool {
	set := map[string]bool{}
	for k, vs := range q {
		if k != "expand" && !strings.HasPrefix(k, "expand[") {
			continue
		}
		for _, v := range vs {
			parts := strings.Split(v, ".")
			for i := range parts {
				set[strings.Join(parts[:i+1], ".")] = true
			}
		}
	}
	return set
}

func join(at, k string) string {
	if at == "" {
		return k
	}
	return at + "." + k
}

// normalize deep-copies fields through JSON, so later changes by the test
// do not reach the State and numbers are json.Number as in decoded answers.
func normalize(fields Object) Object {
	b, err := json.Marshal(fields)
	if err != nil {
		panic(fmt.Sprintf("stripemock: object fields not JSON: %v", err))
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	out := Object{}
	if err := dec.Decode(&out); err != nil {
		panic(fmt.Sprintf("stripemock: object fields not JSON: %v", err))
	}
	return out
}
