package casework

import (
	"context"

	"github.com/settle/settle/internal/postgres"
)

// ErrIdempotencyKeyReused is returned for a key a creditor used, within a
// day, for another request.
var ErrIdempotencyKeyReused = postgres.ErrIdempotencyKeyReused

// Idempotency claims the Idempotency-Keys of creditors' retried requests.
//
// A small type here rather than a store interface that app passes to the
// API: the API needs, besides the claim, the rule that bounds how many
// requests may hold a key at once, and that rule is about the store's pool.
// Keeping both next to the store keeps the API's wiring (and every test
// that builds an API) as it is.
type Idempotency struct {
	db *postgres.DB
	// slots bounds the requests that wait for, or hold, a key: each holds a
	// database connection and its handler needs another, so at most half
	// the pool goes to keys and a burst of keyed requests cannot starve the
	// requests they wait for.
	slots chan struct{}
}

// NewIdempotency makes the claims of one process on db.
func NewIdempotency(db *postgres.DB) *Idempotency {
	return &Idempotency{db: db, slots: make(chan struct{}, max(db.MaxConns()/2, 1))}
}

// KeyClaim is one request's hold on its key: either the answer stored for
// the same request earlier (Stored), or the key, held until Save or
// Release.
type KeyClaim struct {
	// Stored is the first answer to the same request, to be given again.
	Stored *postgres.StoredAnswer
	claim  *postgres.IdempotencyClaim
	slot   chan struct{}
}

// Claim waits for a slot and then for the creditor's key (requestHash
// identifies the request). It returns ErrIdempotencyKeyReused when the key
// answered another request; otherwise the caller must Release the claim.
func (i *Idempotency) Claim(ctx context.Context, creditorID, key string, requestHash []byte) (*KeyClaim, error) {
	select {
	case i.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	stored, claim, err := i.db.ClaimIdempotencyKey(ctx, creditorID, key, requestHash)
	if err != nil {
		<-i.slots
		return nil, err
	}
	return &KeyClaim{Stored: stored, claim: claim, slot: i.slots}, nil
}

// Save stores the answer under the key for the request's retries.
func (k *KeyClaim) Save(ctx context.Context, answer postgres.StoredAnswer) error {
	return k.claim.Save(ctx, answer)
}

// Release gives up the key (nothing is stored when Save did not run) and
// the slot.
func (k *KeyClaim) Release(ctx context.Context) {
	if k.claim != nil {
		k.claim.Release(ctx)
	}
	<-k.slot
}
