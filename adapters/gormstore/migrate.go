package gormstore

import (
	"context"
	"fmt"
)

// models lists every table Parc owns. Each area adds its row structs in its
// own file through an init-free variable, listed here once.
func models() []any {
	var all []any
	all = append(all, tenantModels...)
	all = append(all, equipmentModels...)
	all = append(all, projectModels...)
	all = append(all, accountModels...)
	all = append(all, clientModels...)
	all = append(all, inventoryModels...)
	all = append(all, datasetModels...)
	return all
}

// Migrate creates the schema or upgrades it to this version's: missing
// tables, columns and indexes are added; nothing is dropped. It is safe to run
// on every start.
func (s *Store) Migrate(ctx context.Context) error {
	db := s.db.WithContext(ctx)
	if s.dialect == dialectMySQL {
		// Binary collation: text compares exactly as on PostgreSQL and SQLite.
		// Case-insensitive matching, where the contract wants it, uses
		// normalised key columns instead of a collation, the same on every backend.
		db = db.Set("gorm:table_options", "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin")
	}
	if err := db.AutoMigrate(models()...); err != nil {
		return fmt.Errorf("migrate schema: %w", s.translate(err))
	}
	return nil
}
