package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// ListenAdmin serves the admin handler (metrics and pprof) on addr, which
// config has checked is loopback, and returns the address it got (addr may
// ask for port 0) and a function that stops it.
func (a *App) ListenAdmin(addr string, log *slog.Logger) (net.Addr, func(), error) {
	if a.Admin == nil {
		return nil, nil, errors.New("admin listener: the app was built without SETTLE_ADMIN_ADDR")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("SETTLE_ADMIN_ADDR: listen on %s: %w", addr, err)
	}
	// pprof's profile and trace run for their ?seconds=, so no write timeout.
	srv := &http.Server{Handler: a.Admin, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("admin listener", "err", err)
		}
	}()
	stop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}
	return ln.Addr(), stop, nil
}
