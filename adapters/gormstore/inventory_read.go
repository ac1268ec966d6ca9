package gormstore

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"time"

	"github.com/parc-hq/parc/domain"
	"github.com/parc-hq/parc/domain/inventory"
)

// Cursors are opaque to clients: base64url of the JSON of the last key read.

func encodeCursor(key []string) string {
	raw, _ := json.Marshal(key)
	return base64.RawURLEncoding.EncodeToString(raw)
}

func decodeCursor(cursor string, parts int) ([]string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	var key []string
	if err == nil {
		err = json.Unmarshal(raw, &key)
	}
	if err != nil || len(key) != parts {
		return nil, domain.Invalid("cursor", nil, "cursor")
	}
	return key, nil
}

// installationViewRow is an installation joined with its computer.
type installationViewRow struct {
	EquipmentID, ProgramKey, Program, Version string
	Removed                                   bool
	InstalledAt, ChangedAt                    time.Time
	Name, IPAddress                           string
	LastSeen                                  *time.Time
}

func (row installationViewRow) toDomain() inventory.InstallationView {
	v := inventory.InstallationView{ComputerName: row.Name, Installation: installationRow{
		EquipmentID: row.EquipmentID, ProgramKey: row.ProgramKey, Program: row.Program, Version: row.Version,
		Removed: row.Removed, InstalledAt: row.InstalledAt, ChangedAt: row.ChangedAt,
	}.toDomain()}
	v.IPAddress, _ = netip.ParseAddr(row.IPAddress)
	if row.LastSeen != nil {
		v.LastSeen = row.LastSeen.UTC()
	}
	return v
}

func (r *InventoryRepository) ListInstallations(ctx context.Context, companyID string, f inventory.Filter) (inventory.InstallationPage, error) {
	q := r.s.conn(ctx).Table("installations AS i").
		Select("i.equipment_id, i.program_key, i.program, i.version, i.removed, i.installed_at, i.changed_at, e.name, e.ip_address, e.last_seen").
		Joins("JOIN equipment e ON e.id = i.equipment_id").
		Where("i.company_id = ?", companyID)
	if f.ComputerKey != "" {
		q = q.Where("e.company_id = ? AND e.name_key = ?", companyID, f.ComputerKey)
	}
	if f.ProgramKey != "" {
		q = q.Where("i.program_key = ?", f.ProgramKey)
	}
	if f.Version != "" {
		q = q.Where("i.version = ?", f.Version)
	}
	if !f.ChangedSince.IsZero() {
		q = q.Where("i.changed_at >= ?", f.ChangedSince.UTC())
	}
	if !f.IncludeRemoved {
		q = q.Where("i.removed = ?", false)
	}
	if f.Cursor != "" {
		key, err := decodeCursor(f.Cursor, 2)
		if err != nil {
			return inventory.InstallationPage{}, err
		}
		q = q.Where("(i.equipment_id > ? OR (i.equipment_id = ? AND i.program_key > ?))", key[0], key[0], key[1])
	}
	var rows []installationViewRow
	if err := q.Order("i.equipment_id, i.program_key").Limit(f.Limit + 1).Scan(&rows).Error; err != nil {
		return inventory.InstallationPage{}, fmt.Errorf("list installations: %w", r.s.translate(err))
	}
	var page inventory.InstallationPage
	if len(rows) > f.Limit {
		rows = rows[:f.Limit]
		last := rows[len(rows)-1]
		page.NextCursor = encodeCursor([]string{last.EquipmentID, last.ProgramKey})
	}
	page.Items = make([]inventory.InstallationView, len(rows))
	for i, row := range rows {
		page.Items[i] = row.toDomain()
	}
	return page, nil
}

// programCountRow is one (program, version) of the summary.
type programCountRow struct {
	ProgramKey, Program, Version string
	Computers                    int
}

// Programs counts present installations by program and version, and shows
// each program under its first spelling seen: that of its earliest
// installation (installed_at, then equipment id), removed ones included. The
// order is sorted here, byte-wise, so that it does not depend on a backend's
// collation.
func (r *InventoryRepository) Programs(ctx context.Context, companyID, programKey string) ([]inventory.ProgramSummary, error) {
	counts := "SELECT program_key, version, COUNT(*) AS computers FROM installations WHERE company_id = ? AND removed = ?"
	firsts := "SELECT program_key, program, ROW_NUMBER() OVER (PARTITION BY program_key ORDER BY installed_at, equipment_id) AS seen FROM installations WHERE company_id = ?"
	countArgs, firstArgs := []any{companyID, false}, []any{companyID}
	if programKey != "" {
		counts += " AND program_key = ?"
		firsts += " AND program_key = ?"
		countArgs, firstArgs = append(countArgs, programKey), append(firstArgs, programKey)
	}
	query := "SELECT c.program_key, f.program, c.version, c.computers FROM (" + counts + " GROUP BY program_key, version) c" +
		" JOIN (" + firsts + ") f ON f.program_key = c.program_key AND f.seen = 1"
	var rows []programCountRow
	if err := r.s.conn(ctx).Raw(query, append(countArgs, firstArgs...)...).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("summarise programs: %w", r.s.translate(err))
	}
	slices.SortFunc(rows, func(a, b programCountRow) int {
		return cmp.Or(cmp.Compare(a.ProgramKey, b.ProgramKey), cmp.Compare(a.Version, b.Version))
	})
	out := []inventory.ProgramSummary{}
	for i, row := range rows {
		if i == 0 || rows[i-1].ProgramKey != row.ProgramKey {
			out = append(out, inventory.ProgramSummary{Program: row.Program})
		}
		p := &out[len(out)-1]
		p.Computers += row.Computers
		p.Versions = append(p.Versions, inventory.VersionCount{Version: row.Version, Computers: row.Computers})
	}
	return out, nil
}

// historyItem is one event of a computer's history with its sort key:
// (at, rank, program key, id), rank 0 for the first installations that
// installation rows carry, 1 for event rows.
type historyItem struct {
	event inventory.Event
	rank  int
	id    int64
}

func (h historyItem) cursor() string {
	return encodeCursor([]string{h.event.At.UTC().Format(time.RFC3339Nano), strconv.Itoa(h.rank), h.event.Program.Key(), strconv.FormatInt(h.id, 10)})
}

func compareHistory(a, b historyItem) int {
	return cmp.Or(a.event.At.Compare(b.event.At), cmp.Compare(a.rank, b.rank),
		cmp.Compare(a.event.Program.Key(), b.event.Program.Key()), cmp.Compare(a.id, b.id))
}

type historyCursor struct {
	at   time.Time
	rank int
	key  string
	id   int64
}

func parseHistoryCursor(cursor string) (*historyCursor, error) {
	if cursor == "" {
		return nil, nil
	}
	key, err := decodeCursor(cursor, 4)
	if err != nil {
		return nil, err
	}
	at, err1 := time.Parse(time.RFC3339Nano, key[0])
	rank, err2 := strconv.Atoi(key[1])
	id, err3 := strconv.ParseInt(key[3], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || (rank != 0 && rank != 1) {
		return nil, domain.Invalid("cursor", nil, "cursor")
	}
	return &historyCursor{at: at.UTC(), rank: rank, key: key[2], id: id}, nil
}

// ComputerHistory merges two ordered reads: first installations from the
// installation rows, the other events from installation_events.
func (r *InventoryRepository) ComputerHistory(ctx context.Context, companyID, computerKey, cursor string, limit int) (inventory.HistoryPage, error) {
	after, err := parseHistoryCursor(cursor)
	if err != nil {
		return inventory.HistoryPage{}, err
	}
	var computers []struct{ ID, Name string }
	err = r.s.conn(ctx).Table("equipment").Select("id, name").
		Where("company_id = ? AND name_key = ?", companyID, computerKey).Limit(1).Scan(&computers).Error
	if err != nil {
		return inventory.HistoryPage{}, fmt.Errorf("find computer: %w", r.s.translate(err))
	}
	if len(computers) == 0 {
		return inventory.HistoryPage{}, notFound("computer " + strconv.Quote(computerKey))
	}
	computerID := computers[0].ID

	firsts := r.s.conn(ctx).Table("installations").Select("program_key, program, first_version, installed_at").
		Where("company_id = ? AND equipment_id = ?", companyID, computerID)
	events := r.s.conn(ctx).Where("company_id = ? AND equipment_id = ?", companyID, computerID)
	if after != nil {
		if after.rank == 0 {
			firsts = firsts.Where("installed_at > ? OR (installed_at = ? AND program_key > ?)", after.at, after.at, after.key)
			events = events.Where("occurred_at >= ?", after.at)
		} else {
			firsts = firsts.Where("installed_at > ?", after.at)
			// The leading range keeps the read an index range scan in
			// history order (no sort); the rest is a filter.
			events = events.Where("occurred_at >= ? AND (occurred_at > ? OR (occurred_at = ? AND (program_key > ? OR (program_key = ? AND id > ?))))",
				after.at, after.at, after.at, after.key, after.key, after.id)
		}
	}
	var firstRows []struct {
		ProgramKey, Program, FirstVersion string
		InstalledAt                       time.Time
	}
	if err := firsts.Order("installed_at, program_key").Limit(limit + 1).Scan(&firstRows).Error; err != nil {
		return inventory.HistoryPage{}, fmt.Errorf("load history: %w", r.s.translate(err))
	}
	var eventRows []installationEventRow
	if err := events.Order("occurred_at, program_key, id").Limit(limit + 1).Find(&eventRows).Error; err != nil {
		return inventory.HistoryPage{}, fmt.Errorf("load history: %w", r.s.translate(err))
	}

	items := make([]historyItem, 0, len(firstRows)+len(eventRows))
	for _, row := range firstRows {
		items = append(items, historyItem{rank: 0, event: inventory.Event{
			ComputerID: computerID, Program: inventory.RestoreProgramName(row.Program, row.ProgramKey),
			Kind: inventory.EventInstalled, ToVersion: row.FirstVersion, At: row.InstalledAt.UTC(),
		}})
	}
	for _, row := range eventRows {
		items = append(items, historyItem{rank: 1, id: row.ID, event: inventory.Event{
			ComputerID: row.EquipmentID, Program: inventory.RestoreProgramName(row.Program, row.ProgramKey),
			Kind: inventory.EventKind(row.Kind), FromVersion: row.FromVersion, ToVersion: row.ToVersion, At: row.OccurredAt.UTC(),
		}})
	}
	slices.SortFunc(items, compareHistory)
	page := inventory.HistoryPage{ComputerName: computers[0].Name, Events: make([]inventory.Event, 0, min(len(items), limit))}
	if len(items) > limit {
		items = items[:limit]
		page.NextCursor = items[limit-1].cursor()
	}
	for _, it := range items {
		page.Events = append(page.Events, it.event)
	}
	return page, nil
}
