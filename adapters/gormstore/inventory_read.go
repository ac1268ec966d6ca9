package gormstore

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/netip"
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
		return nil, domain.Invalid("cursor", "not a cursor this listing answered", "cursor")
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

func (r *InventoryRepository) Programs(ctx context.Context, companyID, programKey string) ([]inventory.ProgramSummary, error) {
	q := r.s.conn(ctx).Table("installations").
		Select("program_key, MIN(program) AS program, version, COUNT(*) AS computers").
		Where("company_id = ? AND removed = ?", companyID, false)
	if programKey != "" {
		q = q.Where("program_key = ?", programKey)
	}
	var rows []struct {
		ProgramKey, Program, Version string
		Computers                    int
	}
	if err := q.Group("program_key, version").Order("program_key, version").Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("summarise programs: %w", r.s.translate(err))
	}
	out := []inventory.ProgramSummary{}
	for i, row := range rows {
		if i == 0 || rows[i-1].ProgramKey != row.ProgramKey {
			out = append(out, inventory.ProgramSummary{Program: row.Program})
		}
		p := &out[len(out)-1]
		if row.Program < p.Program {
			p.Program = row.Program
		}
		p.Computers += row.Computers
		p.Versions = append(p.Versions, inventory.VersionCount{Version: row.Version, Computers: row.Computers})
	}
	return out, nil
}

func (r *InventoryRepository) ComputerHistory(ctx context.Context, companyID, computerKey, cursor string, limit int) (inventory.HistoryPage, error) {
	after := int64(0)
	if cursor != "" {
		key, err := decodeCursor(cursor, 1)
		if err != nil {
			return inventory.HistoryPage{}, err
		}
		if after, err = strconv.ParseInt(key[0], 10, 64); err != nil {
			return inventory.HistoryPage{}, domain.Invalid("cursor", "not a cursor this listing answered", "cursor")
		}
	}
	var computers []struct{ ID, Name string }
	err := r.s.conn(ctx).Table("equipment").Select("id, name").
		Where("company_id = ? AND name_key = ?", companyID, computerKey).Limit(1).Scan(&computers).Error
	if err != nil {
		return inventory.HistoryPage{}, fmt.Errorf("find computer: %w", r.s.translate(err))
	}
	if len(computers) == 0 {
		return inventory.HistoryPage{}, notFound("computer " + strconv.Quote(computerKey))
	}
	var rows []installationEventRow
	err = r.s.conn(ctx).Where("company_id = ? AND equipment_id = ? AND id > ?", companyID, computers[0].ID, after).
		Order("id").Limit(limit + 1).Find(&rows).Error
	if err != nil {
		return inventory.HistoryPage{}, fmt.Errorf("load history: %w", r.s.translate(err))
	}
	page := inventory.HistoryPage{ComputerName: computers[0].Name, Events: make([]inventory.Event, 0, len(rows))}
	if len(rows) > limit {
		rows = rows[:limit]
		page.NextCursor = encodeCursor([]string{strconv.FormatInt(rows[len(rows)-1].ID, 10)})
	}
	for _, row := range rows {
		page.Events = append(page.Events, inventory.Event{
			ComputerID: row.EquipmentID, Program: inventory.RestoreProgramName(row.Program, row.ProgramKey),
			Kind: inventory.EventKind(row.Kind), FromVersion: row.FromVersion, ToVersion: row.ToVersion, At: row.OccurredAt.UTC(),
		})
	}
	return page, nil
}
