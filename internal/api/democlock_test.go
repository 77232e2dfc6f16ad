package api_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/settle/settle/internal/api"
	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/server"
)

// demoSetup is setup with the demo's movable clock as the store's clock and
// the route that moves it, as `settle demo` builds the API; kicks counts the
// outreach runs asked for.
func demoSetup(t *testing.T) (b *bundle, clock *casework.DemoClock, kicks *int) {
	t.Helper()
	b = setup(t)
	clock, err := casework.StartDemoClock(context.Background(), b.db)
	if err != nil {
		t.Fatal(err)
	}
	kicks = new(int)
	clock.AfterMove = func(context.Context) { *kicks++ }
	log := slog.New(slog.DiscardHandler)
	a := &api.API{DB: b.db, Signer: b.signer, BaseURL: baseURL, Log: log, DemoClock: clock}
	b.app = server.New(server.Deps{DB: b.db, Log: log, API: a.Register, APIError: a.WriteError, Uploads: []server.Upload{api.StatementUpload}})
	return b, clock, kicks
}

func demoNow(t *testing.T, r response) time.Time {
	t.Helper()
	var body struct {
		Now string `json:"now"`
	}
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatalf("not JSON: %s", r.Body)
	}
	at, err := time.Parse(time.RFC3339, body.Now)
	if err != nil {
		t.Fatalf("now %q: %v", body.Now, err)
	}
	return at
}

func TestDemoClockMovesForward(t *testing.T) {
	b, clock, kicks := demoSetup(t)
	start := time.Now().Truncate(time.Second) // the answer is to the second
	r := b.call(t, "POST", api.DemoClockPath, b.A.Key, obj{"advance": "26h"})
	if r.Status != http.StatusOK {
		t.Fatalf("advance 26h: %d %s", r.Status, r.Body)
	}
	got := demoNow(t, r)
	if d := got.Sub(start); d < 26*time.Hour || d > 26*time.Hour+time.Minute {
		t.Errorf("after advance 26h the clock reads %v, %v after real time; want 26h", got, d)
	}
	if d := b.db.Now().Sub(got); d < 0 || d > time.Minute {
		t.Errorf("the store's clock reads %v, not the answer %v", b.db.Now(), got)
	}
	if *kicks != 1 {
		t.Errorf("%d outreach runs asked for after a move, want 1", *kicks)
	}

	to := time.Date(2099, 12, 20, 10, 0, 0, 0, amsterdam)
	r = b.call(t, "POST", api.DemoClockPath, b.B.Key, obj{"to": to.Format(time.RFC3339)})
	if r.Status != http.StatusOK || !demoNow(t, r).Equal(to) || !strings.Contains(string(r.Body), "+01:00") {
		t.Fatalf("to %v: %d %s", to, r.Status, r.Body)
	}
	r = b.call(t, "POST", api.DemoClockPath, b.A.Key, obj{"advance": "14d"})
	if r.Status != http.StatusOK || demoNow(t, r).Sub(to) < 14*24*time.Hour {
		t.Fatalf("advance 14d: %d %s", r.Status, r.Body)
	}

	// A restart reads where the clock was: it does not jump back.
	again, err := casework.StartDemoClock(context.Background(), b.db)
	if err != nil {
		t.Fatal(err)
	}
	if again.Now().Before(to.Add(14 * 24 * time.Hour)) {
		t.Errorf("restarted clock reads %v, before %v", again.Now(), to.Add(14*24*time.Hour))
	}
	if !clock.Now().After(to) {
		t.Errorf("clock reads %v", clock.Now())
	}
}

func TestDemoClockRefusesBackAndBadInput(t *testing.T) {
	b, clock, kicks := demoSetup(t)
	before := clock.Now()
	for _, tc := range []struct {
		name   string
		body   any
		status int
		field  string
	}{
		{"back", obj{"to": "2020-01-01T10:00:00+01:00"}, http.StatusConflict, "to"},
		{"not a moment", obj{"to": "next tuesday"}, http.StatusUnprocessableEntity, "to"},
		{"date only", obj{"to": "2099-12-20"}, http.StatusUnprocessableEntity, "to"},
		{"negative", obj{"advance": "-2h"}, http.StatusUnprocessableEntity, "advance"},
		{"zero", obj{"advance": "0s"}, http.StatusUnprocessableEntity, "advance"},
		{"not a duration", obj{"advance": "a while"}, http.StatusUnprocessableEntity, "advance"},
		{"number", obj{"advance": 26}, http.StatusUnprocessableEntity, "advance"},
		{"neither", obj{}, http.StatusUnprocessableEntity, "advance"},
		{"both", obj{"advance": "1h", "to": "2099-12-20T10:00:00+01:00"}, http.StatusUnprocessableEntity, "to"},
		{"unknown field", obj{"forward": "1h"}, http.StatusUnprocessableEntity, "forward"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := b.call(t, "POST", api.DemoClockPath, b.A.Key, tc.body)
			var e struct {
				Error struct {
					Field   string `json:"field"`
					Message string `json:"message"`
				} `json:"error"`
			}
			_ = json.Unmarshal(r.Body, &e)
			if r.Status != tc.status || e.Error.Field != tc.field || !strings.Contains(e.Error.Message, tc.field) {
				t.Errorf("%v: %d %s; want %d naming %q", tc.body, r.Status, r.Body, tc.status, tc.field)
			}
		})
	}
	if clock.Now().Sub(before) > time.Minute || *kicks != 0 {
		t.Errorf("refused moves moved the clock to %v (from %v) or asked for %d runs", clock.Now(), before, *kicks)
	}
}

func TestDemoClockNeedsAPIKeyAndDemo(t *testing.T) {
	b, _, _ := demoSetup(t)
	if r := b.call(t, "POST", api.DemoClockPath, "", obj{"advance": "1h"}); r.Status != http.StatusUnauthorized {
		t.Errorf("no key: %d %s", r.Status, r.Body)
	}
	if r := b.call(t, "POST", api.DemoClockPath, "stl_not-a-key", obj{"advance": "1h"}); r.Status != http.StatusUnauthorized {
		t.Errorf("wrong key: %d %s", r.Status, r.Body)
	}
	serve := setup(t) // as `settle serve` builds the API: no demo clock
	if r := serve.call(t, "POST", api.DemoClockPath, serve.A.Key, obj{"advance": "1h"}); r.Status != http.StatusNotFound {
		t.Errorf("in serve: %d %s, want 404", r.Status, r.Body)
	}
	if !serve.db.Now().Equal(now) {
		t.Errorf("serve's clock moved: %v", serve.db.Now())
	}
}
