package gormstore

import (
	"cmp"
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/parc-hq/parc/domain/client"
	"github.com/parc-hq/parc/domain/inventory"
	"github.com/parc-hq/parc/ports"
)

var inventoryModels = []any{&installationRow{}, &installationEventRow{}}

// installationRow is one program on one computer. The key is (company,
// equipment, program key); the computer's last_seen lives on its equipment
// row, so that a re-push of an unchanged list rewrites no installation. The
// row also carries its first installation (installed_at, first_version): that
// event of its history is read from here rather than written twice, which
// halves the writes of a first load.
//
// Indexes, each for a read that would otherwise scan the company's rows:
//   - the primary key serves the push (a computer's installations) and the
//     listing's order (equipment, program key);
//   - ix_installations_program: the program filter, with or without a
//     version, and the summary of one program;
//   - ix_installations_version: the version filter used alone ("what runs
//     version X"), which the program index cannot serve;
//   - ix_installations_changed: the changed_since filter.
type installationRow struct {
	CompanyID   string    `gorm:"primaryKey;size:36;index:ix_installations_program,priority:1;index:ix_installations_version,priority:1;index:ix_installations_changed,priority:1"`
	EquipmentID string    `gorm:"primaryKey;size:36"`
	ProgramKey  string    `gorm:"primaryKey;size:255;index:ix_installations_program,priority:2"`
	Program     string    `gorm:"size:255;not null"`
	Version     string    `gorm:"size:128;not null;index:ix_installations_program,priority:3;index:ix_installations_version,priority:2"`
	Removed     bool      `gorm:"not null"`
	InstalledAt time.Time `gorm:"not null;precision:6"`
	// FirstVersion is the version first installed; never updated.
	FirstVersion string    `gorm:"size:128;not null;default:''"`
	ChangedAt    time.Time `gorm:"not null;precision:6;index:ix_installations_changed,priority:2"`
}

func (installationRow) TableName() string { return "installations" }

// installationEventRow is one change of an installation. The id orders a
// computer's history (several events share a time).
//
// ix_installation_events_history holds the order a history page is read in
// (occurred_at, program key, id) after the computer, so that a page reads
// its rows from the index instead of sorting all of the computer's events.
type installationEventRow struct {
	ID          int64     `gorm:"primaryKey;autoIncrement;index:ix_installation_events_history,priority:5"`
	CompanyID   string    `gorm:"size:36;not null;index:ix_installation_events_history,priority:1"`
	EquipmentID string    `gorm:"size:36;not null;index:ix_installation_events_history,priority:2"`
	ProgramKey  string    `gorm:"size:255;not null;index:ix_installation_events_history,priority:4"`
	Program     string    `gorm:"size:255;not null"`
	Kind        string    `gorm:"size:16;not null"`
	FromVersion string    `gorm:"size:128;not null"`
	ToVersion   string    `gorm:"size:128;not null"`
	OccurredAt  time.Time `gorm:"not null;precision:6;index:ix_installation_events_history,priority:3"`
}

func (installationEventRow) TableName() string { return "installation_events" }

// InventoryRepository implements ports.InventoryRepository.
type InventoryRepository struct{ s *Store }

// NewInventoryRepository builds the repository on a store.
func NewInventoryRepository(s *Store) *InventoryRepository { return &InventoryRepository{s: s} }

// computersPerRead is how many computers one query of a push names, fewer
// than maxInKeys: each computer brings back all its installations.
const computersPerRead = 1000

func (r *InventoryRepository) TouchComputers(ctx context.Context, companyID string, computers []inventory.Computer, ids ports.IDGenerator, at time.Time) (map[string]string, error) {
	if inTx(ctx) {
		if err := r.s.dialect.planPerExecution(r.s.conn(ctx)); err != nil {
			return nil, fmt.Errorf("upsert computers: %w", r.s.translate(err))
		}
	}
	// Sorted by key here, whatever the caller's order: concurrent pushes
	// then lock their computers' rows in one order and cannot deadlock.
	computers = slices.SortedFunc(slices.Values(computers), func(a, b inventory.Computer) int {
		return cmp.Compare(a.Name.Key(), b.Name.Key())
	})
	rows := make([]equipmentRow, len(computers))
	keys := make([]string, len(computers))
	for i, c := range computers {
		seen := at
		rows[i] = equipmentRow{ID: ids.NewID(), CompanyID: companyID, Name: c.Name.Display(), NameKey: c.Name.Key(), Type: client.ComputerType,
			IPAddress: ipText(c.IP), LastSeen: &seen, Status: string(client.StatusActive), CreatedAt: at, UpdatedAt: at}
		keys[i] = c.Name.Key()
	}
	if err := insertRows(ctx, r.s, "upsert computers", equipmentTable, computerSeen(r.s.dialect), rows); err != nil {
		return nil, err
	}
	out := make(map[string]string, len(keys))
	for chunk := range slices.Chunk(keys, computersPerRead) {
		var found []struct{ ID, NameKey string }
		err := r.s.conn(ctx).Table("equipment").Select("id, name_key").
			Where("company_id = ? AND name_key IN ?", companyID, chunk).Scan(&found).Error
		if err != nil {
			return nil, fmt.Errorf("find computers: %w", r.s.translate(err))
		}
		for _, f := range found {
			out[f.NameKey] = f.ID
		}
	}
	if len(out) != len(keys) {
		return nil, fmt.Errorf("upsert computers: %d of %d computers found after the upsert", len(out), len(keys))
	}
	return out, nil
}

// computerSeen is client.Equipment.MarkSeen's rule in SQL, applied to all
// the computers of a push at once: a known computer keeps its spelling,
// site, type, serial and status; only a report not older than the last one
// moves last_seen, and the address when the report gave one. The contract
// suite pins the two together ("a pushed computer is seen by the rule of
// Equipment.MarkSeen"): a change of one fails it until the other follows.
func computerSeen(d dialect) string {
	return d.onConflictUpdate([]string{"company_id", "name_key"},
		"ip_address = CASE WHEN excluded.ip_address <> '' AND (equipment.last_seen IS NULL OR equipment.last_seen <= excluded.last_seen) THEN excluded.ip_address ELSE equipment.ip_address END",
		"last_seen = CASE WHEN equipment.last_seen IS NULL OR equipment.last_seen < excluded.last_seen THEN excluded.last_seen ELSE equipment.last_seen END",
		"updated_at = excluded.updated_at",
		// The row is the guard of the computer's installations (see writeLock).
		"lock_count = equipment.lock_count + 1")
}

func ipText(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

// Installations reads what the merge needs, scanning rows by hand: on an
// unchanged re-push this read is most of the work.
func (r *InventoryRepository) Installations(ctx context.Context, companyID string, computerIDs []string) ([]inventory.Installation, error) {
	var out []inventory.Installation
	for chunk := range slices.Chunk(computerIDs, computersPerRead) {
		rows, err := r.s.conn(ctx).Table("installations").
			Select("equipment_id, program_key, program, version, removed, installed_at, changed_at").
			Where("company_id = ? AND equipment_id IN ?", companyID, chunk).Rows()
		if err != nil {
			return nil, fmt.Errorf("load installations: %w", r.s.translate(err))
		}
		for rows.Next() {
			var row installationRow
			if err := rows.Scan(&row.EquipmentID, &row.ProgramKey, &row.Program, &row.Version, &row.Removed, &row.InstalledAt, &row.ChangedAt); err != nil {
				rows.Close()
				return nil, fmt.Errorf("load installations: %w", r.s.translate(err))
			}
			out = append(out, row.toDomain())
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("load installations: %w", r.s.translate(err))
		}
	}
	return out, nil
}

func (row installationRow) toDomain() inventory.Installation {
	return inventory.Installation{
		ComputerID: row.EquipmentID, Program: inventory.RestoreProgramName(row.Program, row.ProgramKey), Version: row.Version,
		Removed: row.Removed, InstalledAt: row.InstalledAt.UTC(), ChangedAt: row.ChangedAt.UTC(),
	}
}

func (r *InventoryRepository) Apply(ctx context.Context, companyID string, plan inventory.Plan) error {
	if err := r.writeInstallations(ctx, companyID, plan); err != nil {
		return err
	}
	events := make([]installationEventRow, 0, len(plan.Events))
	for _, e := range plan.Events {
		if firstInstallation(e, plan) {
			continue // the new row carries it (installed_at, first_version)
		}
		events = append(events, installationEventRow{CompanyID: companyID, EquipmentID: e.ComputerID, ProgramKey: e.Program.Key(), Program: e.Program.Display(),
			Kind: string(e.Kind), FromVersion: e.FromVersion, ToVersion: e.ToVersion, OccurredAt: e.At})
	}
	if err := r.writeEvents(ctx, events); err != nil {
		return err
	}
	return r.writeDigests(ctx, companyID, plan.Digests)
}

// writeInstallations writes the plan's rows, sorted by key: concurrent
// pushes cannot deadlock. On PostgreSQL the new keys go by COPY and only
// the stored rows by upsert: a new key is one the merge did not find among
// its computer's rows, read once TouchComputers had locked the computer,
// so no other transaction can write it before this one ends. On a first
// load, all rows are new.
func (r *InventoryRepository) writeInstallations(ctx context.Context, companyID string, plan inventory.Plan) error {
	writes := plan.Writes()
	if c, ok := r.copier(ctx); ok && len(plan.Installs) > 0 {
		rows := installationRows(companyID, plan.Installs)
		if _, err := c.CopyFrom(ctx, installationsTable.name, installationsTable.columns, installationsTable.values(rows)); err != nil {
			return fmt.Errorf("write installations: %w", r.s.translate(err))
		}
		writes = inventory.Plan{Reinstalls: plan.Reinstalls, Updates: plan.Updates, Removals: plan.Removals}.Writes()
	}
	return insertRows(ctx, r.s, "write installations", installationsTable, installationUpdate(r.s.dialect), installationRows(companyID, writes))
}

func installationRows(companyID string, writes []inventory.Installation) []installationRow {
	rows := make([]installationRow, len(writes))
	for i, w := range writes {
		// FirstVersion is the version of a new row; the upsert never changes it.
		rows[i] = installationRow{CompanyID: companyID, EquipmentID: w.ComputerID, ProgramKey: w.Program.Key(), Program: w.Program.Display(),
			Version: w.Version, Removed: w.Removed, InstalledAt: w.InstalledAt, FirstVersion: w.Version, ChangedAt: w.ChangedAt}
	}
	return rows
}

// copier is a transaction that can bulk-insert with COPY (PostgreSQL's,
// see the database package).
type copier interface {
	CopyFrom(ctx context.Context, table string, columns []string, rows [][]any) (int64, error)
}

// copier is the transaction of ctx when it can COPY.
func (r *InventoryRepository) copier(ctx context.Context) (copier, bool) {
	if !inTx(ctx) {
		return nil, false
	}
	c, ok := r.s.conn(ctx).Statement.ConnPool.(copier)
	return c, ok
}

// writeEvents appends history events. History is only ever inserted, never
// upserted, so on PostgreSQL it goes by COPY: measured on an all-changed
// push, the history's insert was as long as the upsert of the rows
// themselves, and COPY spares it the parameters' encoding and the unnest.
// The events are a chunk's, so their memory stays bounded by the chunk.
func (r *InventoryRepository) writeEvents(ctx context.Context, events []installationEventRow) error {
	if len(events) == 0 {
		return nil
	}
	if c, ok := r.copier(ctx); ok {
		if _, err := c.CopyFrom(ctx, installationEventsTable.name, installationEventsTable.columns, installationEventsTable.values(events)); err != nil {
			return fmt.Errorf("write installation history: %w", r.s.translate(err))
		}
		return nil
	}
	return insertRows(ctx, r.s, "write installation history", installationEventsTable, "", events)
}

// SoftwareDigests reads the stored digests of the computers.
func (r *InventoryRepository) SoftwareDigests(ctx context.Context, companyID string, computerIDs []string) (map[string]inventory.Digest, error) {
	out := make(map[string]inventory.Digest, len(computerIDs))
	for chunk := range slices.Chunk(computerIDs, maxInKeys) {
		var found []struct {
			ID             string
			SoftwareDigest []byte
		}
		err := r.s.conn(ctx).Table("equipment").Select("id, software_digest").
			Where("company_id = ? AND id IN ? AND software_digest IS NOT NULL", companyID, chunk).Scan(&found).Error
		if err != nil {
			return nil, fmt.Errorf("read software digests: %w", r.s.translate(err))
		}
		for _, f := range found {
			var d inventory.Digest
			if len(f.SoftwareDigest) == len(d) {
				copy(d[:], f.SoftwareDigest)
				out[f.ID] = d
			}
		}
	}
	return out, nil
}

// digestsPerUpdate is how many computers one UPDATE of digests names (two
// parameters each, and an IN list).
const digestsPerUpdate = 1000

// writeDigests stores the computers' digests, one statement per chunk: a
// CASE on the id, which every backend runs alike. The rows are the
// computers TouchComputers locked in this transaction.
func (r *InventoryRepository) writeDigests(ctx context.Context, companyID string, digests []inventory.ComputerDigest) error {
	for chunk := range slices.Chunk(digests, digestsPerUpdate) {
		var sql strings.Builder
		args := make([]any, 0, 3*len(chunk)+1)
		ids := make([]string, len(chunk))
		sql.WriteString("UPDATE equipment SET software_digest = CASE id")
		for i, d := range chunk {
			sql.WriteString(" WHEN ? THEN " + r.s.dialect.binaryParam())
			args = append(args, d.ComputerID, d.Digest[:])
			ids[i] = d.ComputerID
		}
		sql.WriteString(" END WHERE company_id = ? AND id IN ?")
		args = append(args, companyID, ids)
		if err := r.s.conn(ctx).Exec(sql.String(), args...).Error; err != nil {
			return fmt.Errorf("write software digests: %w", r.s.translate(err))
		}
	}
	return nil
}

// installationUpdate makes the insert of installations an upsert: a stored
// installation takes the new version, removal and change time, and keeps
// its first installation.
func installationUpdate(d dialect) string {
	return d.onConflictUpdate([]string{"company_id", "equipment_id", "program_key"},
		"version = excluded.version", "removed = excluded.removed", "changed_at = excluded.changed_at")
}

// firstInstallation reports the event of a program's first installation on
// a computer: an installation whose row is new (installed at the event's
// time). A program installed again after its removal keeps its first
// installed_at, so that event is written like the others.
func firstInstallation(e inventory.Event, plan inventory.Plan) bool {
	if e.Kind != inventory.EventInstalled {
		return false
	}
	i, found := slices.BinarySearchFunc(plan.Installs, e, func(in inventory.Installation, e inventory.Event) int {
		return cmp.Or(cmp.Compare(in.ComputerID, e.ComputerID), cmp.Compare(in.Program.Key(), e.Program.Key()))
	})
	return found && plan.Installs[i].InstalledAt.Equal(e.At)
}
