package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/settle/settle/internal/config"
	"github.com/settle/settle/internal/postgres"
	"github.com/settle/settle/internal/postgres/devpg"
)

// database connects to DATABASE_URL, or starts (or reuses) the throwaway local
// PostgreSQL in the data folder. It migrates (through
// SETTLE_MIGRATE_DATABASE_URL when set), and returns a stop func that
// closes the pool and stops the cluster if this process started it.
func database(ctx context.Context, cfg config.Config, log *slog.Logger) (*postgres.DB, func(), error) {
	url := cfg.DatabaseURL
	stopCluster := func() {}
	if url == "" {
		cluster, err := devpg.Start(ctx, filepath.Join(cfg.DataDir, "pg"), log)
		if err != nil {
			return nil, nil, err
		}
		if cluster.Reused {
			log.Info("using the local PostgreSQL that is already running", "dir", cluster.Dir, "port", cluster.Port)
		} else {
			log.Info("started a local PostgreSQL", "dir", cluster.Dir, "port", cluster.Port)
		}
		stopCluster = func() {
			if err := cluster.Stop(); err != nil {
				log.Error("stop local PostgreSQL", "err", err)
			}
		}
		if err := cluster.EnsureDatabase(ctx, "settle"); err != nil {
			stopCluster()
			return nil, nil, err
		}
		url = cluster.URL("settle")
	}
	migrateURL := url
	if cfg.MigrateDatabaseURL != "" {
		migrateURL = cfg.MigrateDatabaseURL
	}
	if err := postgres.Migrate(ctx, migrateURL); err != nil {
		stopCluster()
		return nil, nil, fmt.Errorf("migrate: %w", err)
	}
	db, err := postgres.OpenPooled(ctx, url, cfg.DBPooler == config.TransactionPooler)
	if err != nil {
		stopCluster()
		return nil, nil, err
	}
	return db, func() { db.Close(); stopCluster() }, nil
}

func cmdMigrate(ctx context.Context) error {
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	log := newLogger(cfg.LogLevel)
	_, stop, err := database(ctx, cfg, log)
	if err != nil {
		return err
	}
	stop()
	fmt.Println("migrations applied")
	return nil
}
