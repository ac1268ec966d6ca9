package gormstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/parc-hq/parc/ports"
)

// The schema is versioned: numbered steps, each applied once, recorded in
// the table schemaVersionTable. Step 1 is the schema as the unversioned Parc
// created it, as SQL per backend in schema/<backend>/0001_baseline.sql; later
// steps are SQL files or functions. To change the schema, append a step to
// schemaSteps (CONTRIBUTING.md says how); never edit one that has shipped.
//
//go:embed schema
var schemaFiles embed.FS

const schemaVersionTable = "parc_schema_versions"

// schemaStep is one numbered change of the schema.
type schemaStep struct {
	version int
	name    string
	apply   func(s *Store, db *gorm.DB, collation string) error
}

var schemaSteps = []schemaStep{
	{1, "baseline: the schema of the unversioned Parc", sqlStep("0001_baseline.sql")},
	{2, "drop the unused dataset_entities.name and ix_installation_events_computer", dropUnused},
	{3, "dataset_writes: data-set writes in flight, for changed-since readers", createDatasetWrites},
	{4, "api_keys: the decoy key read in place of an unknown prefix", addDecoyKey},
	{5, "equipment.software_digest: the digest of a computer's present software", addSoftwareDigest},
	{6, "ix_dataset_rows_changed: only for pages of rows (PostgreSQL)", changedIndexForPagesOnly},
}

// LatestSchemaVersion is the version Migrate brings a database to.
func LatestSchemaVersion() int { return schemaSteps[len(schemaSteps)-1].version }

// sqlStep runs the statements of schema/<backend>/file, in order.
func sqlStep(file string) func(s *Store, db *gorm.DB, collation string) error {
	return func(s *Store, db *gorm.DB, collation string) error {
		raw, err := schemaFiles.ReadFile("schema/" + string(s.dialect) + "/" + file)
		if err != nil {
			return err
		}
		text := strings.ReplaceAll(string(raw), "{{collation}}", collation)
		return execStatements(db, splitStatements(text))
	}
}

// execStatements runs the statements of a step in order; an error names
// the statement by its first line.
func execStatements(db *gorm.DB, statements []string) error {
	for _, stmt := range statements {
		if err := db.Exec(stmt).Error; err != nil {
			return fmt.Errorf("%s: %w", firstLine(stmt), err)
		}
	}
	return nil
}

// splitStatements cuts SQL text at semicolons that end a line, dropping
// comment lines; the step files hold no other semicolons.
func splitStatements(text string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteString("\n")
		if strings.HasSuffix(strings.TrimSpace(line), ";") {
			if stmt := strings.TrimSpace(cur.String()); stmt != ";" {
				out = append(out, strings.TrimSuffix(stmt, ";"))
			}
			cur.Reset()
		}
	}
	if rest := strings.TrimSpace(cur.String()); rest != "" {
		out = append(out, rest)
	}
	return out
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// dropUnused removes what nothing reads any more: the entity spelling kept
// in dataset_entities (the rows carry it) and the history index an early
// version made, replaced by ix_installation_events_history. Both may be
// missing: the index exists only in databases made before its replacement.
func dropUnused(s *Store, db *gorm.DB, _ string) error {
	m := db.Migrator()
	if m.HasIndex("installation_events", "ix_installation_events_computer") {
		stmt := "DROP INDEX ix_installation_events_computer"
		if s.dialect == dialectMySQL {
			stmt += " ON installation_events"
		}
		if err := db.Exec(stmt).Error; err != nil {
			return fmt.Errorf("drop index ix_installation_events_computer: %w", err)
		}
	}
	if m.HasColumn("dataset_entities", "name") {
		if err := db.Exec("ALTER TABLE dataset_entities DROP COLUMN name").Error; err != nil {
			return fmt.Errorf("drop column dataset_entities.name: %w", err)
		}
	}
	return nil
}

// createDatasetWrites creates the announcements of data-set writes in
// flight (datasetWriteRow), with the text rules of the other tables.
func createDatasetWrites(s *Store, db *gorm.DB, collation string) error {
	if collation != "" {
		db = db.Set("gorm:table_options", "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE="+collation)
	}
	if db.Migrator().HasTable(&datasetWriteRow{}) {
		return nil // made by the upgrade of an unversioned schema, from the row structs
	}
	if err := db.Migrator().CreateTable(&datasetWriteRow{}); err != nil {
		return fmt.Errorf("create dataset_writes: %w", err)
	}
	if s.dialect == dialectPostgres {
		return byteWiseTextColumns(db)
	}
	return nil
}

// addDecoyKey stores the decoy key (see KeyByPrefix): shaped as an issued
// key that has been used, with a random digest that no secret is known to
// match and a company that does not exist. Safe to run again.
func addDecoyKey(_ *Store, db *gorm.DB, _ string) error {
	hash := make([]byte, sha256.Size)
	if _, err := rand.Read(hash); err != nil {
		return fmt.Errorf("decoy key digest: %w", err)
	}
	at := time.Date(2024, time.January, 1, 0, 0, 0, 123456000, time.UTC)
	row := apiKeyRow{ID: decoyKeyID, CompanyID: decoyKeyID, Name: "decoy", Prefix: decoyKeyPrefix, Hash: hash, CreatedAt: at, LastUsedAt: &at}
	// A new session: the migration lock's connection may carry the state of
	// its last statement, which Create would take for its own.
	db = db.Session(&gorm.Session{NewDB: true})
	if err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
		return fmt.Errorf("insert decoy key: %w", err)
	}
	return nil
}

// SchemaStatus is where a database stands.
type SchemaStatus struct {
	Current int      // 0: no Parc schema, or an unversioned one
	Latest  int      // what this Parc brings it to
	Pending []string // the steps Migrate would apply, "N: name"
	// Unversioned: Parc tables without a version table (made before the
	// schema was versioned); Migrate upgrades them, then records step 1.
	Unversioned bool
}

// Status reports the schema version of the database without changing it.
func (s *Store) Status(ctx context.Context) (SchemaStatus, error) {
	db := s.db.WithContext(ctx)
	st := SchemaStatus{Latest: LatestSchemaVersion()}
	current, err := s.currentVersion(db)
	if err != nil {
		return st, fmt.Errorf("read schema version: %w", s.translate(err))
	}
	st.Current = current
	st.Unversioned = current == 0 && db.Migrator().HasTable("companies")
	for _, step := range schemaSteps {
		if step.version > current {
			st.Pending = append(st.Pending, fmt.Sprintf("%d: %s", step.version, step.name))
		}
	}
	return st, nil
}

func (s *Store) currentVersion(db *gorm.DB) (int, error) {
	if !db.Migrator().HasTable(schemaVersionTable) {
		return 0, nil
	}
	var v *int
	if err := db.Raw("SELECT MAX(version) FROM " + schemaVersionTable).Scan(&v).Error; err != nil {
		return 0, err
	}
	if v == nil {
		return 0, nil
	}
	return *v, nil
}

// Migrate brings the schema to LatestSchemaVersion: it applies the steps the
// database lacks, in order, each recorded once applied. A database made by
// an unversioned Parc is first upgraded the old way, then recorded at step 1.
// It is safe to run on every start, from several processes at once: they
// take turns (an advisory lock on PostgreSQL and MySQL; SQLite's write lock).
//
// clock stamps each step's applied_at. The Store is the connection the
// repositories share and holds no clock (each repository is built with the
// one it stamps rows with); migrating is its caller's act, `parc migrate`
// or the start of `parc serve`, which passes its clock.
func (s *Store) Migrate(ctx context.Context, clock ports.Clock) error {
	err := s.migrationLock(ctx, func(db *gorm.DB) error {
		collation, err := s.dialect.textCollation(db)
		if err != nil {
			return err
		}
		if err := s.ensureVersionTable(db); err != nil {
			return err
		}
		current, err := s.currentVersion(db)
		if err != nil {
			return err
		}
		if current == 0 && db.Migrator().HasTable("companies") {
			if err := s.legacyMigrate(ctx); err != nil {
				return err
			}
			if err := s.recordVersion(db, schemaSteps[0], clock); err != nil {
				return err
			}
			current = 1
		}
		for _, step := range schemaSteps {
			if step.version <= current {
				continue
			}
			if err := s.applyStep(db, step, collation, clock); err != nil {
				return fmt.Errorf("step %d (%s): %w", step.version, step.name, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("migrate schema: %w", s.translate(err))
	}
	return nil
}

// applyStep runs a step and records it, in one transaction where the
// backend makes DDL transactional (PostgreSQL, SQLite); MySQL commits each
// DDL statement, so a step there is written to be run again after a crash.
func (s *Store) applyStep(db *gorm.DB, step schemaStep, collation string, clock ports.Clock) error {
	if s.dialect == dialectMySQL {
		if err := step.apply(s, db, collation); err != nil {
			return err
		}
		return s.recordVersion(db, step, clock)
	}
	return db.Transaction(func(tx *gorm.DB) error {
		// On SQLite the lock is the transaction's: a process that waited
		// for it finds the step done.
		if done, err := s.currentVersion(tx); err != nil || done >= step.version {
			return err
		}
		if err := step.apply(s, tx, collation); err != nil {
			return err
		}
		return s.recordVersion(tx, step, clock)
	})
}

func (s *Store) ensureVersionTable(db *gorm.DB) error {
	ddl := "CREATE TABLE IF NOT EXISTS " + schemaVersionTable + " (version integer PRIMARY KEY, name varchar(200) NOT NULL, applied_at varchar(40) NOT NULL)"
	if err := db.Exec(ddl).Error; err != nil {
		return fmt.Errorf("create %s: %w", schemaVersionTable, err)
	}
	return nil
}

func (s *Store) recordVersion(db *gorm.DB, step schemaStep, clock ports.Clock) error {
	err := db.Exec("INSERT INTO "+schemaVersionTable+" (version, name, applied_at) VALUES (?, ?, ?)",
		step.version, step.name, clock.Now().UTC().Format(time.RFC3339)).Error
	if err != nil {
		return fmt.Errorf("record schema version %d: %w", step.version, err)
	}
	return nil
}

// migrationLock runs fn while holding the database's migration lock, on
// one connection, so that processes starting together migrate one at a time.
func (s *Store) migrationLock(ctx context.Context, fn func(db *gorm.DB) error) error {
	db := s.db.WithContext(ctx)
	switch s.dialect {
	case dialectPostgres:
		return db.Connection(func(conn *gorm.DB) error {
			if err := conn.Exec("SELECT pg_advisory_lock(?)", migrationLockKey).Error; err != nil {
				return fmt.Errorf("take the migration lock: %w", err)
			}
			defer conn.Exec("SELECT pg_advisory_unlock(?)", migrationLockKey)
			return fn(conn)
		})
	case dialectMySQL:
		return db.Connection(func(conn *gorm.DB) error {
			var got *int
			if err := conn.Raw("SELECT GET_LOCK(?, 120)", "parc_migrate").Scan(&got).Error; err != nil {
				return fmt.Errorf("take the migration lock: %w", err)
			}
			if got == nil || *got != 1 {
				return errors.New("take the migration lock: another process held it for 2 minutes")
			}
			defer conn.Exec("SELECT RELEASE_LOCK(?)", "parc_migrate")
			return fn(conn)
		})
	}
	return fn(db)
}

// migrationLockKey is the PostgreSQL advisory lock of migrations ("parc").
const migrationLockKey = 0x70617263

// addSoftwareDigest adds the digest of a computer's present software
// (equipmentRow.SoftwareDigest). Existing rows keep NULL, "not known": the
// next push of such a computer reads its installations, as before the
// digest, and writes it, so nothing needs filling in here.
func addSoftwareDigest(_ *Store, db *gorm.DB, _ string) error {
	if db.Migrator().HasColumn(&equipmentRow{}, "SoftwareDigest") {
		return nil // made by the upgrade of an unversioned schema, from the row structs
	}
	if err := db.Migrator().AddColumn(&equipmentRow{}, "SoftwareDigest"); err != nil {
		return fmt.Errorf("add equipment.software_digest: %w", err)
	}
	return nil
}

// changedIndexForPagesOnly makes ix_dataset_rows_changed, on PostgreSQL, an
// index of the rows where srv_date IS NOT NULL: every row, since the column
// is NOT NULL, but a condition only FindRows states. A one-row read names
// the whole primary key; on a table PostgreSQL has not analysed yet (a new
// database, or autovacuum off), the planner costs the two indexes the same
// and was seen to take this one, which scans every row of the entity (1.5 ms
// against 0.05 ms in an entity of 8,000 rows, EXPLAIN ANALYZE). Partial,
// the index is no candidate for those reads at all. MySQL
// (InnoDB reads a whole primary key by it) and SQLite (which costs a unique
// index above the others) pick the primary key already.
//
// The new index is built before the old one is dropped, so that reads of
// the table wait only for the drop, at the end of the step's transaction.
func changedIndexForPagesOnly(s *Store, db *gorm.DB, _ string) error {
	if s.dialect != dialectPostgres {
		return nil
	}
	return execStatements(db, []string{
		`CREATE INDEX ix_dataset_rows_changed_pages ON dataset_rows (project_id, entity_key, company_id, srv_date, row_key) WHERE srv_date IS NOT NULL`,
		`DROP INDEX ix_dataset_rows_changed`,
		`ALTER INDEX ix_dataset_rows_changed_pages RENAME TO ix_dataset_rows_changed`,
	})
}
