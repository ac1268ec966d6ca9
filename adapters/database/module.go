package database

import (
	"context"
	"fmt"
	"log/slog"

	"go.uber.org/fx"
	"gorm.io/gorm"
)

// Module opens the database named by a supplied Config and closes it when
// the application stops.
var Module = fx.Module("database",
	fx.Provide(func(lc fx.Lifecycle, cfg Config, log *slog.Logger) (*gorm.DB, error) {
		db, err := Open(cfg, log)
		if err != nil {
			return nil, err
		}
		lc.Append(fx.StopHook(func(context.Context) error {
			sqlDB, err := db.DB()
			if err != nil {
				return fmt.Errorf("close database: %w", err)
			}
			return sqlDB.Close()
		}))
		return db, nil
	}),
)
