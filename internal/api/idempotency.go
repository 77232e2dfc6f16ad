package api

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"

	"github.com/gofiber/fiber/v2"

	"github.com/settle/settle/internal/casework"
	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/internal/server"
)

// Idempotency headers: the key a creditor sends on a POST, and the header
// that marks an answer given again from the store.
const (
	IdempotencyKeyHeader     = "Idempotency-Key"
	IdempotentReplayedHeader = "Idempotent-Replayed"
)

// maxIdempotencyKey is the longest key accepted, as at Stripe.
const maxIdempotencyKey = 255

// apiKeysPath is the key rotation, whose answer is a secret.
const apiKeysPath = "/api/v1/api-keys"

// idempotency makes a POST with an Idempotency-Key safe to retry, as Stripe
// does: within 24 hours the same key and the same request get the first
// answer again (status and body) without running the handler; the same key
// with another request is refused with 422. Keys are per creditor. A request
// whose first answer was a 5xx stored nothing, so its retry runs again.
// casework.Idempotency bounds how many requests hold a key at once.
func (a *API) idempotency() fiber.Handler {
	keys := casework.NewIdempotency(a.DB)
	return func(c *fiber.Ctx) error {
		key := c.Get(IdempotencyKeyHeader)
		// A new API key is never kept in the clear, and a retry of its
		// rotation comes with the old key, which no longer authenticates.
		if c.Method() != fiber.MethodPost || key == "" || c.Path() == apiKeysPath {
			return c.Next()
		}
		if err := checkIdempotencyKey(key); err != nil {
			return err
		}
		hash, spool, err := requestHash(c)
		if err != nil {
			return err
		}
		if spool != nil {
			defer spool.remove()
		}
		// The body is read before the claim, so a slow upload holds no
		// database connection.
		ctx := c.UserContext()
		claim, err := keys.Claim(ctx, creditorOf(c).ID, key, hash)
		if errors.Is(err, casework.ErrIdempotencyKeyReused) {
			return &Problem{Status: fiber.StatusUnprocessableEntity, Code: "idempotency_key_reused", Field: IdempotencyKeyHeader,
				Message: "this Idempotency-Key was used in the last 24 hours for another request: send a new key for a new request"}
		}
		if err != nil {
			return err
		}
		defer claim.Release(context.WithoutCancel(ctx))
		if claim.Stored != nil {
			return replay(c, claim.Stored)
		}
		return a.answerAndSave(ctx, c, claim)
	}
}

// requestHash hashes the request's method, address and body. A streamed
// body is spooled to a temporary file on the way, for the handler to read;
// the caller removes it.
func requestHash(c *fiber.Ctx) ([]byte, *spooledBody, error) {
	h := sha256.New()
	h.Write([]byte(c.Method() + " " + c.OriginalURL() + "\n"))
	body := server.UploadBody(c)
	if body == nil {
		h.Write(c.Body())
		return h.Sum(nil), nil, nil
	}
	spool, err := spoolBody(c, body, h)
	if err != nil {
		return nil, nil, err
	}
	return h.Sum(nil), spool, nil
}

// replay answers again what was answered first.
func replay(c *fiber.Ctx, stored *postgres.StoredAnswer) error {
	c.Set(IdempotentReplayedHeader, "true")
	if stored.ContentType != "" {
		c.Set(fiber.HeaderContentType, stored.ContentType)
	}
	return c.Status(stored.Status).Send(stored.Body)
}

// answerAndSave runs the request and stores its answer under the claimed
// key, unless the answer is a 5xx, which a retry should not get again.
func (a *API) answerAndSave(ctx context.Context, c *fiber.Ctx, claim *casework.KeyClaim) error {
	if err := c.Next(); err != nil {
		// Write the error answer now, so that it can be stored like any other.
		if err := c.App().Config().ErrorHandler(c, err); err != nil {
			return err
		}
	}
	res := c.Response()
	if res.StatusCode() >= fiber.StatusInternalServerError {
		return nil
	}
	answer := postgres.StoredAnswer{Status: res.StatusCode(), ContentType: string(res.Header.ContentType()), Body: append([]byte(nil), res.Body()...)}
	if err := claim.Save(context.WithoutCancel(ctx), answer); err != nil {
		// The work is done and answered; only a retry's replay is lost.
		a.Log.Error("store idempotency key", "err", err, "path", c.Path(), "request_id", c.Locals("requestid"))
	}
	return nil
}

// checkIdempotencyKey accepts 1 to 255 visible ASCII characters (a UUID or
// any token of the creditor's own).
func checkIdempotencyKey(key string) error {
	bad := len(key) > maxIdempotencyKey
	for i := 0; i < len(key) && !bad; i++ {
		bad = key[i] < 0x21 || key[i] > 0x7e
	}
	if bad {
		return invalid(IdempotencyKeyHeader, "Idempotency-Key must be 1 to 255 visible ASCII characters, such as a UUID")
	}
	return nil
}

// spooledBody is a streamed request body kept in a temporary file while its
// request runs.
type spooledBody struct{ f *os.File }

// spoolBody reads a streamed body (a bank statement of up to 64 MiB) once:
// into the request hash and into a temporary file, which then becomes the
// request's body stream for the handler. Hashing c.Body() instead would hold
// the whole body in memory and, for a chunked body, read it without a limit;
// body stops at the route's limit, which is answered with 413.
func spoolBody(c *fiber.Ctx, body io.Reader, h hash.Hash) (*spooledBody, error) {
	f, err := os.CreateTemp("", "settle-body-*")
	if err != nil {
		return nil, fmt.Errorf("spool request body: %w", err)
	}
	s := &spooledBody{f: f}
	n, err := io.Copy(io.MultiWriter(h, f), body)
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	switch {
	case errors.As(err, new(*fs.PathError)):
		s.remove()
		return nil, fmt.Errorf("spool request body: %w", err)
	case errors.Is(err, server.ErrBodyTooLarge):
		s.remove()
		c.Context().SetConnectionClose()
		return nil, &Problem{Status: fiber.StatusRequestEntityTooLarge, Code: "too_large", Message: tooLargeMessage(c)}
	case err != nil:
		s.remove()
		// The client stopped sending: the rest of the connection is no request.
		c.Context().SetConnectionClose()
		return nil, &Problem{Status: fiber.StatusBadRequest, Code: "malformed", Message: "the request body could not be read"}
	}
	// Wrapped so that fasthttp, which closes a body stream that is an
	// io.Closer, leaves the file to remove.
	c.Request().SetBodyStream(struct{ io.Reader }{f}, int(n))
	return s, nil
}

// remove closes and deletes the file.
func (s *spooledBody) remove() {
	_ = s.f.Close()
	_ = os.Remove(s.f.Name())
}

// tooLargeMessage is the 413's message for a streamed route.
func tooLargeMessage(c *fiber.Ctx) string {
	if c.Path() == BankStatementsPath {
		return errStatementTooLarge.Error()
	}
	return "the request body is larger than this address accepts"
}
