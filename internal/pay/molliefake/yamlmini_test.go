package molliefake

import (
	"fmt"
	"strconv"
	"strings"
)

// parseYAML reads the block-style YAML subset that OpenAPI generators write
// (the Mollie spec): nested mappings and sequences by indentation, plain and
// quoted scalars, literal/folded block scalars, empty flow collections. It
// exists so the conformance test needs no YAML dependency in go.mod. It does
// not support anchors, tags or non-empty flow collections (those become
// strings); none occur in the structural parts the test reads.
func parseYAML(src string) (any, error) {
	p := &yamlParser{}
	for _, raw := range strings.Split(src, "\n") {
		raw = strings.TrimRight(raw, " \r")
		t := strings.TrimLeft(raw, " ")
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		p.lines = append(p.lines, yline{indent: len(raw) - len(t), text: t})
	}
	if len(p.lines) == 0 {
		return nil, nil
	}
	v := p.node(p.lines[0].indent)
	if p.i < len(p.lines) {
		return v, fmt.Errorf("yaml: unexpected line %q", p.lines[p.i].text)
	}
	return v, nil
}

type yline struct {
	indent int
	text   string
}

type yamlParser struct {
	lines []yline
	i     int
}

func isSeqItem(t string) bool { return t == "-" || strings.HasPrefix(t, "- ") }

func (p *yamlParser) node(indent int) any {
	if isSeqItem(p.lines[p.i].text) {
		return p.seq(indent)
	}
	return p.mapping(indent)
}

func (p *yamlParser) mapping(indent int) map[string]any {
	m := map[string]any{}
	for p.i < len(p.lines) {
		l := p.lines[p.i]
		if l.indent != indent || isSeqItem(l.text) {
			break
		}
		key, rest, ok := splitKey(l.text)
		if !ok {
			// A stray plain-scalar continuation; skip it.
			p.i++
			continue
		}
		p.i++
		m[key] = p.value(indent, rest, true)
	}
	return m
}

// value parses what follows "key:" or "- " at indent.
func (p *yamlParser) value(indent int, rest string, inMap bool) any {
	switch {
	case rest == "":
		if p.i < len(p.lines) {
			n := p.lines[p.i]
			if n.indent > indent {
				return p.node(n.indent)
			}
			if inMap && n.indent == indent && isSeqItem(n.text) {
				return p.seq(indent)
			}
		}
		return nil
	case strings.HasPrefix(rest, "|") || strings.HasPrefix(rest, ">"):
		var b []string
		for p.i < len(p.lines) && p.lines[p.i].indent > indent {
			b = append(b, p.lines[p.i].text)
			p.i++
		}
		return strings.Join(b, "\n")
	}
	v := rest
	// Plain scalars may continue on more-indented lines.
	for p.i < len(p.lines) && p.lines[p.i].indent > indent && !strings.HasPrefix(rest, "'") && !strings.HasPrefix(rest, `"`) {
		v += " " + p.lines[p.i].text
		p.i++
	}
	return scalar(v)
}

func (p *yamlParser) seq(indent int) []any {
	s := []any{}
	for p.i < len(p.lines) {
		l := p.lines[p.i]
		if l.indent != indent || !isSeqItem(l.text) {
			break
		}
		content := strings.TrimPrefix(strings.TrimPrefix(l.text, "-"), " ")
		if _, _, ok := splitKey(content); ok && !strings.HasPrefix(content, "'") && !strings.HasPrefix(content, `"`) {
			// "- key: value" starts a mapping indented at the content.
			p.lines[p.i] = yline{indent: indent + 2, text: content}
			s = append(s, p.mapping(indent+2))
			continue
		}
		p.i++
		s = append(s, p.value(indent, content, false))
	}
	return s
}

// splitKey splits "key: rest" or "key:" outside quotes.
func splitKey(t string) (string, string, bool) {
	if strings.HasPrefix(t, "'") || strings.HasPrefix(t, `"`) {
		q := t[0]
		end := strings.IndexByte(t[1:], q)
		if end < 0 {
			return "", "", false
		}
		key := t[1 : end+1]
		after := t[end+2:]
		if after == ":" {
			return key, "", true
		}
		if strings.HasPrefix(after, ": ") {
			return key, strings.TrimSpace(after[2:]), true
		}
		return "", "", false
	}
	if strings.HasSuffix(t, ":") && !strings.Contains(t, ": ") {
		return t[:len(t)-1], "", true
	}
	if i := strings.Index(t, ": "); i > 0 {
		return t[:i], strings.TrimSpace(t[i+2:]), true
	}
	return "", "", false
}

func scalar(s string) any {
	switch {
	case s == "null" || s == "~":
		return nil
	case s == "true":
		return true
	case s == "false":
		return false
	case s == "{}":
		return map[string]any{}
	case s == "[]":
		return []any{}
	case strings.HasPrefix(s, "'") && strings.HasSuffix(s, "'") && len(s) >= 2:
		return strings.ReplaceAll(s[1:len(s)-1], "''", "'")
	case strings.HasPrefix(s, `"`):
		if u, err := strconv.Unquote(s); err == nil {
			return u
		}
		return strings.Trim(s, `"`)
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n
	}
	return s
}
