package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

func resolves(doc any, ref string) bool {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return false
	}
	cur := doc
	for _, part := range strings.Split(rest, "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return false
		}
		if cur, ok = m[strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")]; !ok {
			return false
		}
	}
	return true
}

// conforms checks a response object against a schema of openapi.json:
// required properties are present, and every documented property has the
// documented JSON type (integers must be integers). It keeps the document
// honest about what the handlers really send.
func conforms(t *testing.T, schema string, v any) {
	t.Helper()
	raw, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	checkSchema(t, doc, schema, map[string]any{"$ref": "#/components/schemas/" + schema}, v)
}

func checkSchema(t *testing.T, doc map[string]any, path string, s map[string]any, v any) {
	t.Helper()
	for {
		if ref, ok := s["$ref"].(string); ok {
			cur := any(doc)
			for _, p := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
				cur = cur.(map[string]any)[p]
			}
			s = cur.(map[string]any)
			continue
		}
		if all, ok := s["allOf"].([]any); ok && len(all) == 1 {
			s = all[0].(map[string]any)
			continue
		}
		break
	}
	if v == nil {
		if s["nullable"] != true {
			t.Errorf("%s is null but not nullable", path)
		}
		return
	}
	switch s["type"] {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			t.Errorf("%s: %v is not an object", path, v)
			return
		}
		req, _ := s["required"].([]any)
		for _, r := range req {
			if _, ok := m[r.(string)]; !ok {
				t.Errorf("%s: required property %s missing", path, r)
			}
		}
		props, _ := s["properties"].(map[string]any)
		for k, pv := range m {
			ps, ok := props[k].(map[string]any)
			if !ok && s["additionalProperties"] == true {
				continue // a free-form object, such as an event's data
			}
			if !ok {
				t.Errorf("%s.%s is sent but not documented", path, k)
				continue
			}
			checkSchema(t, doc, path+"."+k, ps, pv)
		}
	case "array":
		a, ok := v.([]any)
		if !ok {
			t.Errorf("%s: %v is not an array", path, v)
			return
		}
		for i, x := range a {
			checkSchema(t, doc, fmt.Sprintf("%s[%d]", path, i), s["items"].(map[string]any), x)
		}
	case "integer":
		if n, ok := v.(json.Number); !ok || strings.ContainsAny(n.String(), ".eE") {
			t.Errorf("%s: %v is not an integer", path, v)
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			t.Errorf("%s: %v is not a string", path, v)
			return
		}
		if enum, ok := s["enum"].([]any); ok && !slices.Contains(enum, any(str)) {
			t.Errorf("%s: %q is not one of %v", path, str, enum)
		}
		if s["format"] == "date" {
			if _, err := time.Parse(time.DateOnly, str); err != nil {
				t.Errorf("%s: %q is not YYYY-MM-DD", path, str)
			}
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			t.Errorf("%s: %v is not a boolean", path, v)
		}
	}
}

func TestOpenAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	r := b.call(t, "GET", "/api/v1/openapi.json", "", nil)
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET /api/v1/openapi.json: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	file, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(file, r.Body) {
		t.Error("the served document differs from internal/api/openapi.json")
	}
	var doc struct {
		OpenAPI    string                               `json:"openapi"`
		Info       map[string]any                       `json:"info"`
		Paths      map[string]map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas         map[string]any `json:"schemas"`
			SecuritySchemes map[string]struct {
				Type   string `json:"type"`
				Scheme string `json:"scheme"`
			} `json:"securitySchemes"`
		} `json:"components"`
		Security []map[string][]string `json:"security"`
	}
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		t.Fatalf("openapi.json is not valid JSON: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi %q, want 3.x", doc.OpenAPI)
	}
	if doc.Info["title"] == nil || doc.Info["version"] == nil {
		t.Error("info needs a title and a version")
	}
	bearer := false
	for name, s := range doc.Components.SecuritySchemes {
		if s.Type == "http" && strings.EqualFold(s.Scheme, "bearer") {
			bearer = true
			if len(doc.Security) == 0 || doc.Security[0][name] == nil {
				t.Errorf("the bearer scheme %q is not the default security requirement", name)
			}
		}
	}
	if !bearer {
		t.Error("no http bearer security scheme")
	}
	for _, s := range []string{"Error", "DebtorStatement", "InvoiceLine"} {
		if doc.Components.Schemas[s] == nil {
			t.Errorf("no %s schema", s)
		}
	}

	// Every route the router registers under /api/v1 is documented, with its
	// method, and every documented operation exists.
	registered := map[string]bool{}
	for _, rt := range b.app.GetRoutes(true) {
		if !strings.HasPrefix(rt.Path, "/api/v1/") || rt.Method == "HEAD" {
			continue
		}
		p := "/" + strings.Join(func() []string {
			parts := strings.Split(strings.TrimPrefix(rt.Path, "/api/v1/"), "/")
			for i, s := range parts {
				if name, ok := strings.CutPrefix(s, ":"); ok {
					parts[i] = "{" + name + "}"
				}
			}
			return parts
		}(), "/")
		op := strings.ToLower(rt.Method) + " " + p
		registered[op] = true
		if doc.Paths[p][strings.ToLower(rt.Method)] == nil {
			t.Errorf("%s %s is registered but not in openapi.json", rt.Method, p)
		}
	}
	if len(registered) < 9 {
		t.Errorf("only %d API routes found: %v", len(registered), registered)
	}
	var documented []string
	for p, ops := range doc.Paths {
		for method, op := range ops {
			if method == "parameters" {
				continue
			}
			documented = append(documented, method+" "+p)
			if tags, _ := op["tags"].([]any); slices.Contains(tags, any("demo")) {
				// Demo-only: served by `settle demo` alone (democlock_test.go).
				if registered[method+" "+p] {
					t.Errorf("%s %s is demo-only but served without a demo clock", method, p)
				}
				continue
			}
			if !registered[method+" "+p] {
				t.Errorf("openapi.json documents %s %s, which the router does not serve", method, p)
			}
			if responses, _ := op["responses"].(map[string]any); len(responses) == 0 {
				t.Errorf("%s %s has no responses", method, p)
			}
		}
	}
	sort.Strings(documented)
	t.Logf("documented: %v", documented)

	// Every $ref points at something that exists.
	var all any
	_ = json.Unmarshal(r.Body, &all)
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, v := range x {
				if k == "$ref" {
					ref, _ := v.(string)
					if !resolves(all, ref) {
						t.Errorf("$ref %q does not resolve", ref)
					}
				}
				walk(v)
			}
		case []any:
			for _, v := range x {
				walk(v)
			}
		}
	}
	walk(all)
}
