package gormstore

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"gorm.io/gorm"

	"github.com/parc-hq/parc/domain/client"
	"github.com/parc-hq/parc/ports"
)

// equipmentRow is shared by two areas: the clients area manages equipment
// (sites, types, serials), and the inventory push creates and refreshes the
// equipment of every computer it hears of, found by (company, name_key).
// Computers that arrived through the push have no site until one assigns them.
type equipmentRow struct {
	ID        string  `gorm:"primaryKey;size:36"`
	CompanyID string  `gorm:"size:36;not null;uniqueIndex:ux_equipment_name,priority:1;index:ix_equipment_site,priority:1"`
	SiteID    *string `gorm:"size:36;index:ix_equipment_site,priority:2"`
	// Name is the display spelling (the first one seen); NameKey the
	// normalised key (trimmed, lower-cased) names are matched by.
	Name      string     `gorm:"size:255;not null"`
	NameKey   string     `gorm:"size:255;not null;uniqueIndex:ux_equipment_name,priority:2"`
	Type      string     `gorm:"size:64;not null;default:''"`
	Serial    string     `gorm:"size:128;not null;default:''"`
	IPAddress string     `gorm:"size:45;not null;default:''"`
	LastSeen  *time.Time `gorm:"precision:6"`
	Status    string     `gorm:"size:16;not null"`
	CreatedAt time.Time  `gorm:"not null;precision:6"`
	UpdatedAt time.Time  `gorm:"not null;precision:6"`
	LockCount int64      `gorm:"not null;default:0"` // see writeLock

	// Agent facts: what an inventory agent (OCS, FusionInventory, GLPI
	// Agent) last reported of the machine, and when. Added together, for
	// the agent protocols; empty on equipment no agent reports.
	Manufacturer  string     `gorm:"size:128;not null;default:''"`
	Model         string     `gorm:"size:128;not null;default:''"`
	OSName        string     `gorm:"column:os_name;size:128;not null;default:''"`
	OSVersion     string     `gorm:"column:os_version;size:128;not null;default:''"`
	AgentDeviceID string     `gorm:"size:255;not null;default:''"`
	AgentKind     string     `gorm:"size:32;not null;default:''"`
	AgentTag      string     `gorm:"size:128;not null;default:''"`
	LastInventory *time.Time `gorm:"precision:6"`

	// SoftwareDigest is the digest of the computer's present software
	// (inventory.Digest), NULL until a push writes it. Only the inventory's
	// Apply writes it, with the installations it summarises: read-only to
	// every other write of the row.
	SoftwareDigest []byte `gorm:"->;size:32"`
}

func (equipmentRow) TableName() string { return "equipment" }

var equipmentModels = []any{&equipmentRow{}}

func toEquipmentRow(e client.Equipment) equipmentRow {
	row := equipmentRow{ID: e.ID(), CompanyID: e.CompanyID(), Name: e.Name(), NameKey: e.NameKey(), Type: e.Type(),
		Serial: e.Serial(), Status: string(e.Status()), CreatedAt: e.CreatedAt(), UpdatedAt: e.CreatedAt()}
	if id := e.SiteID(); id != "" {
		row.SiteID = &id
	}
	if ip := e.IPAddress(); ip.IsValid() {
		row.IPAddress = ip.String()
	}
	if seen := e.LastSeen(); !seen.IsZero() {
		row.LastSeen = &seen
	}
	f := e.Facts()
	row.Manufacturer, row.Model, row.OSName, row.OSVersion = f.Manufacturer, f.Model, f.OSName, f.OSVersion
	row.AgentDeviceID, row.AgentKind, row.AgentTag = f.DeviceID, f.Agent, f.Tag
	if at := e.LastInventory(); !at.IsZero() {
		row.LastInventory = &at
	}
	return row
}

func (r equipmentRow) toDomain() client.Equipment {
	rec := client.EquipmentRecord{ID: r.ID, CompanyID: r.CompanyID, Name: r.Name, NameKey: r.NameKey, Type: r.Type,
		Serial: r.Serial, Status: client.Status(r.Status), CreatedAt: r.CreatedAt}
	if r.SiteID != nil {
		rec.SiteID = *r.SiteID
	}
	if ip, err := netip.ParseAddr(r.IPAddress); err == nil {
		rec.IPAddress = ip
	}
	if r.LastSeen != nil {
		rec.LastSeen = *r.LastSeen
	}
	rec.Facts = client.Facts{Manufacturer: r.Manufacturer, Model: r.Model, OSName: r.OSName, OSVersion: r.OSVersion,
		DeviceID: r.AgentDeviceID, Agent: r.AgentKind, Tag: r.AgentTag}
	if r.LastInventory != nil {
		rec.LastInventory = *r.LastInventory
	}
	return client.RestoreEquipment(rec)
}

// EquipmentRepository implements ports.EquipmentRepository.
type EquipmentRepository struct {
	s     *Store
	clock ports.Clock // stamps updated_at
}

// NewEquipmentRepository builds the repository on a store.
func NewEquipmentRepository(s *Store, clock ports.Clock) *EquipmentRepository {
	return &EquipmentRepository{s: s, clock: clock}
}

var (
	_ ports.EquipmentRepository      = (*EquipmentRepository)(nil)
	_ ports.AgentEquipmentRepository = (*EquipmentRepository)(nil)
)

// SaveInventory writes what an agent's inventory sets: serial, facts, the
// time of the inventory, and the site a tag may have placed it on.
func (r *EquipmentRepository) SaveInventory(ctx context.Context, e client.Equipment) error {
	row := toEquipmentRow(e)
	err := r.s.conn(ctx).Model(&equipmentRow{}).Where("company_id = ? AND id = ?", row.CompanyID, row.ID).
		Updates(map[string]any{"site_id": row.SiteID, "serial": row.Serial, "manufacturer": row.Manufacturer, "model": row.Model,
			"os_name": row.OSName, "os_version": row.OSVersion, "agent_device_id": row.AgentDeviceID, "agent_kind": row.AgentKind,
			"agent_tag": row.AgentTag, "last_inventory": row.LastInventory, "updated_at": r.clock.Now().UTC()}).Error
	if err != nil {
		return fmt.Errorf("record agent inventory: %w", r.s.translate(err))
	}
	return nil
}

// SitesNamed compares names in Go, by the domain's rule: the backends'
// LOWER functions disagree beyond ASCII. Only the sites' ids, clients and
// names are read, and only for an unplaced computer whose agent has a tag.
func (r *EquipmentRepository) SitesNamed(ctx context.Context, companyID, name string) ([]client.Site, error) {
	var rows []siteRow
	err := r.s.conn(ctx).Model(&siteRow{}).Select("id, company_id, client_id, nom, status, created_at").
		Where("company_id = ?", companyID).Order("id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("find sites named by a tag: %w", r.s.translate(err))
	}
	var out []client.Site
	for _, row := range rows {
		if client.SameName(row.Nom, name) {
			out = append(out, row.toDomain())
		}
	}
	return out, nil
}

func (r *EquipmentRepository) CreateEquipment(ctx context.Context, e client.Equipment) error {
	row := toEquipmentRow(e)
	if err := r.s.conn(ctx).Create(&row).Error; err != nil {
		return r.writeError("insert equipment", e, err)
	}
	return nil
}

func (r *EquipmentRepository) SaveEquipment(ctx context.Context, e client.Equipment) error {
	row := toEquipmentRow(e)
	err := r.s.conn(ctx).Model(&equipmentRow{}).Where("company_id = ? AND id = ?", row.CompanyID, row.ID).
		Updates(map[string]any{"site_id": row.SiteID, "name": row.Name, "name_key": row.NameKey, "type": row.Type,
			"serial": row.Serial, "ip_address": row.IPAddress, "status": row.Status, "updated_at": r.clock.Now().UTC()}).Error
	if err != nil {
		return r.writeError("update equipment", e, err)
	}
	return nil
}

func (r *EquipmentRepository) writeError(what string, e client.Equipment, err error) error {
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return client.NameTaken(e.Name())
	}
	return fmt.Errorf("%s: %w", what, r.s.translate(err))
}

func (r *EquipmentRepository) LockEquipment(ctx context.Context, companyID, id string) (client.Equipment, error) {
	row, err := lockByID[equipmentRow](ctx, r.s, "equipment", companyID, id)
	if err != nil {
		return client.Equipment{}, err
	}
	if row == nil {
		return client.Equipment{}, client.EquipmentNotFound(id)
	}
	return row.toDomain(), nil
}

func (r *EquipmentRepository) ListEquipment(ctx context.Context, companyID string, q ports.EquipmentQuery) ([]client.Equipment, int, error) {
	filter := func(db *gorm.DB) *gorm.DB {
		db = db.Where("company_id = ?", companyID)
		switch {
		case q.Unassigned:
			db = db.Where("site_id IS NULL")
		case q.SiteID != "":
			db = db.Where("site_id = ?", q.SiteID)
		}
		if q.Status != nil {
			db = db.Where("status = ?", string(*q.Status))
		}
		return db
	}
	page := filter(r.s.conn(ctx).Model(&equipmentRow{})).Order("name_key, id")
	paged := q.Limit > 0 || q.Offset > 0
	if paged {
		page = page.Limit(pageLimit(q.Limit)).Offset(q.Offset)
	}
	var rows []equipmentRow
	if err := page.Find(&rows).Error; err != nil {
		return nil, 0, fmt.Errorf("list equipment: %w", r.s.translate(err))
	}
	total := len(rows)
	if paged {
		var n int64
		if err := filter(r.s.conn(ctx).Model(&equipmentRow{})).Count(&n).Error; err != nil {
			return nil, 0, fmt.Errorf("count equipment: %w", r.s.translate(err))
		}
		total = int(n)
	}
	out := make([]client.Equipment, len(rows))
	for i, row := range rows {
		out[i] = row.toDomain()
	}
	return out, total, nil
}
