package gormstore

import (
	"context"
	"fmt"

	"gorm.io/gorm"
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
	collation, err := s.dialect.textCollation(db)
	if err != nil {
		return fmt.Errorf("migrate schema: %w", s.translate(err))
	}
	if collation != "" {
		// Binary NO PAD collation: text compares exactly as on PostgreSQL
		// and SQLite, trailing spaces included. Case-insensitive matching,
		// where the contract wants it, uses normalised key columns instead
		// of a collation, the same on every backend.
		db = db.Set("gorm:table_options", "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE="+collation)
	}
	if err := db.AutoMigrate(models()...); err != nil {
		return fmt.Errorf("migrate schema: %w", s.translate(err))
	}
	if collation != "" {
		if err := convertCollation(db, collation); err != nil {
			return fmt.Errorf("migrate schema: %w", s.translate(err))
		}
	}
	return nil
}

// convertCollation moves the tables created by an earlier version (with the
// padding utf8mb4_bin) to collation, columns included. Keys unique under
// padding stay unique without it, so the conversion cannot fail on data.
func convertCollation(db *gorm.DB, collation string) error {
	var tables []string
	err := db.Raw("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' AND TABLE_COLLATION <> ?", collation).
		Scan(&tables).Error
	if err != nil {
		return fmt.Errorf("list tables to convert: %w", err)
	}
	owned := map[string]bool{}
	for _, m := range models() {
		stmt := &gorm.Statement{DB: db}
		if err := stmt.Parse(m); err != nil {
			return fmt.Errorf("parse model: %w", err)
		}
		owned[stmt.Schema.Table] = true
	}
	for _, table := range tables {
		if !owned[table] {
			continue
		}
		if err := db.Exec("ALTER TABLE `" + table + "` CONVERT TO CHARACTER SET utf8mb4 COLLATE " + collation).Error; err != nil {
			return fmt.Errorf("convert table %s to %s: %w", table, collation, err)
		}
	}
	return nil
}
