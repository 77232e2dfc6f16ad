// Package reqid carries the id of the HTTP request that started some work
// through a context, so that a job the request enqueues logs the same id as
// the request's access log line. The server puts it in; the job queue
// copies it into each job's metadata and back into the worker's context.
package reqid

import "context"

type key struct{}

// With returns ctx carrying the request id id.
func With(ctx context.Context, id string) context.Context {
	if id == "" {
		return ctx
	}
	return context.WithValue(ctx, key{}, id)
}

// From is the request id ctx carries, or "".
func From(ctx context.Context) string {
	id, _ := ctx.Value(key{}).(string)
	return id
}
