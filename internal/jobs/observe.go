package jobs

import (
	"context"
	"encoding/json"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/settle/settle/internal/metrics"
	"github.com/settle/settle/internal/reqid"
)

// metaRequestID is the key under which a job's metadata keeps the id of the
// request that enqueued it.
const metaRequestID = "request_id"

// observe is River middleware on both sides of a job. On insert it copies
// the request id from the context (package reqid, set by the server) into
// the job's metadata, so it survives the queue and any process change; on
// work it puts that id back into the worker's context, writes a log line
// when the attempt starts and ends with it, and records the wait from the
// scheduled moment and the run time (package metrics).
type observe struct {
	river.MiddlewareDefaults
	d Deps
}

func (o *observe) InsertMany(ctx context.Context, many []*rivertype.JobInsertParams, doInner func(context.Context) ([]*rivertype.JobInsertResult, error)) ([]*rivertype.JobInsertResult, error) {
	if id := reqid.From(ctx); id != "" {
		for _, p := range many {
			p.Metadata = withMeta(p.Metadata, metaRequestID, id)
		}
	}
	return doInner(ctx)
}

func (o *observe) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
	var meta map[string]any
	_ = json.Unmarshal(job.Metadata, &meta) // River writes it; unreadable metadata only loses the id
	id, _ := meta[metaRequestID].(string)
	ctx = reqid.With(ctx, id)
	started := time.Now()
	if job.AttemptedAt != nil {
		// Both moments come from the database's clock.
		metrics.JobStarted(job.Kind, job.AttemptedAt.Sub(job.ScheduledAt))
	}
	log := o.d.Log.With("job_id", job.ID, "kind", job.Kind, "attempt", job.Attempt)
	if id != "" {
		log = log.With("request_id", id)
	}
	log.Debug("job started")
	err := doInner(ctx)
	run := time.Since(started)
	metrics.JobDone(job.Kind, run, err)
	switch {
	case err != nil:
		log.Warn("job failed", "duration_ms", run.Milliseconds(), "err", err)
	case id != "":
		// A job a request enqueued is part of that request's story; the
		// periodic ones would only repeat every minute at info.
		log.Info("job done", "duration_ms", run.Milliseconds())
	default:
		log.Debug("job done", "duration_ms", run.Milliseconds())
	}
	return err
}

// withMeta sets key in a job's JSON metadata object, keeping what is there.
func withMeta(raw []byte, key, value string) []byte {
	m := map[string]any{}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &m); err != nil {
			m = map[string]any{}
		}
	}
	m[key] = value
	out, err := json.Marshal(m)
	if err != nil {
		return raw
	}
	return out
}
