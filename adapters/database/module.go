package database

import (
	"context"
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
		lc.Append(fx.StopHook(func(context.Context) error { return Close(db) }))
		return db, nil
	}),
)
