// Package apiclient is a Go client of the creditor API, generated from
// internal/api/openapi.json by oapi-codegen (pinned as a tool in go.mod).
// Never edit apiclient.gen.go by hand: change the document and regenerate.
package apiclient

//go:generate go tool oapi-codegen -config oapi-codegen.yaml ../openapi.json
