package main

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
)

// TestFireCountsAnswers: the load generator's own HTTP/1.1 client counts
// every answer as the server gave it, over kept-alive connections and over
// connections the server closes, and reports the first refusal's body.
func TestFireCountsAnswers(t *testing.T) {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Post("/webhooks/stripe", func(c *fiber.Ctx) error {
		switch c.Get("Stripe-Signature") {
		case "bad":
			return c.Status(fiber.StatusBadRequest).SendString("event refused")
		case "close":
			c.Set(fiber.HeaderConnection, "close")
		}
		if !strings.HasPrefix(string(c.Body()), "body ") || c.Get(fiber.HeaderContentType) != "application/json" {
			return c.Status(fiber.StatusUnprocessableEntity).SendString("not the body sent")
		}
		return c.SendStatus(fiber.StatusOK)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln) //nolint:errcheck // ends with Shutdown
	t.Cleanup(func() { _ = app.Shutdown() })

	s := webhookShot{URL: "http://" + ln.Addr().String() + "/webhooks/stripe", Conns: 4,
		Bodies: [][]byte{[]byte("body 0"), []byte("body 1"), []byte("body 2")}, Headers: []string{"good", "bad", "close"}}
	for i := range 300 {
		s.Order = append(s.Order, []int{0, 0, 0, 2, 0, 1}[i%6])
	}
	r := fire(context.Background(), s)
	if r.Accepted != 250 || r.Refused != 50 || r.Failed != 0 || len(r.Latencies) != 300 {
		t.Errorf("accepted %d, refused %d, failed %d, %d latencies; want 250, 50, 0, 300 (first problem: %s)",
			r.Accepted, r.Refused, r.Failed, len(r.Latencies), r.FirstProblem)
	}
	if r.FirstProblem != "status 400: event refused" {
		t.Errorf("first problem %q, want the refusal", r.FirstProblem)
	}
}
