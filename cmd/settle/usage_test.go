package main

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestUsageListsCreditorActions: every action `settle creditor` names when
// called without one is in the usage text.
func TestUsageListsCreditorActions(t *testing.T) {
	var ue usageError
	if err := run(context.Background(), []string{"creditor"}); !errors.As(err, &ue) {
		t.Fatalf("settle creditor: %v, want a usage error naming the actions", err)
	}
	_, list, ok := strings.Cut(ue.msg, "say ")
	if !ok {
		t.Fatalf("usage error %q names no actions", ue.msg)
	}
	for _, action := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' }) {
		if action == "or" {
			continue
		}
		if !strings.Contains(usage, "settle creditor "+action+" ") {
			t.Errorf("usage has no line for settle creditor %s", action)
		}
	}
}
