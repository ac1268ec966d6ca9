package gormstore

import (
	"context"
	"fmt"
	"strings"

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

// legacyMigrate is how Parc kept its schema before the schema was versioned
// (schema.go): GORM AutoMigrate of the row structs, which adds missing
// tables, columns and indexes and drops nothing, then byte-wise text. It now
// runs only on a database an unversioned Parc made, to bring it to step 1
// before the numbered steps take over; and in tests, as the reference the
// steps are compared with.
func (s *Store) legacyMigrate(ctx context.Context) error {
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
	switch {
	case collation != "":
		err = convertCollation(db, collation)
	case s.dialect == dialectPostgres:
		err = byteWiseTextColumns(db)
	}
	if err != nil {
		return fmt.Errorf("migrate schema: %w", s.translate(err))
	}
	return nil
}

// byteWiseTextColumns gives every text column of Parc's tables PostgreSQL's
// "C" collation, which orders and compares by bytes as SQLite and the MySQL
// collation above do. A database created with a linguistic default (en_US,
// ICU) would otherwise order "a" before "B" and skip punctuation, so that
// listings, key ranges and cursor pages would differ from the other backends.
// Columns made by an earlier version are converted once; later starts find
// nothing to do.
func byteWiseTextColumns(db *gorm.DB) error {
	var columns []struct{ Table, Column, Type string }
	err := db.Raw(`SELECT c.relname AS "table", a.attname AS "column", format_type(a.atttypid, a.atttypmod) AS "type"
		FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
		WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
		AND a.atttypid IN ('text'::regtype, 'varchar'::regtype) AND a.attcollation <> 'pg_catalog."C"'::regcollation
		ORDER BY 1, 2`).Scan(&columns).Error
	if err != nil {
		return fmt.Errorf("list text columns: %w", err)
	}
	owned, err := ownedTables(db)
	if err != nil {
		return err
	}
	changes := map[string][]string{}
	var order []string
	for _, c := range columns {
		if !owned[c.Table] {
			continue
		}
		if changes[c.Table] == nil {
			order = append(order, c.Table)
		}
		changes[c.Table] = append(changes[c.Table], fmt.Sprintf(`ALTER COLUMN %q TYPE %s COLLATE "C"`, c.Column, c.Type))
	}
	for _, table := range order {
		if err := db.Exec(fmt.Sprintf("ALTER TABLE %q %s", table, strings.Join(changes[table], ", "))).Error; err != nil {
			return fmt.Errorf("collate the text of %s byte-wise: %w", table, err)
		}
	}
	return nil
}

// ownedTables names the tables of models(), so that a migration never
// touches a table of someone else's sharing the database.
func ownedTables(db *gorm.DB) (map[string]bool, error) {
	owned := map[string]bool{}
	for _, m := range models() {
		stmt := &gorm.Statement{DB: db}
		if err := stmt.Parse(m); err != nil {
			return nil, fmt.Errorf("parse model: %w", err)
		}
		owned[stmt.Schema.Table] = true
	}
	return owned, nil
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
	owned, err := ownedTables(db)
	if err != nil {
		return err
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
