package gormstore

import "time"

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
}

func (equipmentRow) TableName() string { return "equipment" }

var equipmentModels = []any{&equipmentRow{}}
