// Package casework holds Settle's use cases: each exported function is one whole use case: the request's facts and the clock in, the domain rules from collect, one transaction through the store with its audit record.
package casework
