package apptest

import (
	"fmt"
	"sync"
)

// AllAtOnce runs attempt(0) to attempt(n-1), each in its own goroutine,
// and releases them together once all have started, so that they race; it
// returns what each returned.
func AllAtOnce[T any](n int, attempt func(i int) T) []T {
	out := make([]T, n)
	var ready, done sync.WaitGroup
	gate := make(chan struct{})
	for i := range n {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			ready.Done()
			<-gate
			out[i] = attempt(i)
		}()
	}
	ready.Wait()
	close(gate)
	done.Wait()
	return out
}

// Guesses are n passwords for a race of sign-in attempts: all wrong but
// the one at n/2, which is Password.
func Guesses(n int) []string {
	pws := make([]string, n)
	for i := range pws {
		pws[i] = fmt.Sprintf("wrong guess number %d", i)
	}
	pws[n/2] = Password
	return pws
}

// Clients are n new clients that have each opened path, so that each holds
// its own cookies and CSRF token, ready to race.
func (e *Env) Clients(n int, path string) []*Client {
	e.T.Helper()
	cs := make([]*Client, n)
	for i := range cs {
		cs[i] = e.Client()
		cs[i].Get(path)
	}
	return cs
}
