package gormstore

import "context"

// LegacyMigrate exposes the unversioned schema upkeep to the schema tests.
func (s *Store) LegacyMigrate(ctx context.Context) error { return s.legacyMigrate(ctx) }

// CreateUnversionedSchema makes the schema exactly as the unversioned Parc
// did (step 1's SQL), without the version table: the starting point of an
// upgrade.
func (s *Store) CreateUnversionedSchema(ctx context.Context) error {
	db := s.db.WithContext(ctx)
	collation, err := s.dialect.textCollation(db)
	if err != nil {
		return err
	}
	return schemaSteps[0].apply(s, db, collation)
}

// OwnedTables names the tables of the row structs.
func (s *Store) OwnedTables() (map[string]bool, error) { return ownedTables(s.db) }

// OneRowSQL is the text of every one-row read, for the plan tests.
func (s *Store) OneRowSQL() string { return oneRowSQL(s.dialect) }
