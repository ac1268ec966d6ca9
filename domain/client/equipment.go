package client

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/parc-hq/parc/domain"
)

// Limits of the equipment texts, in characters (the sizes of their columns).
const (
	MaxNameLen   = 255
	MaxTypeLen   = 64
	MaxSerialLen = 128
)

// ComputerType is the type of the equipment that the software-inventory push
// creates for a computer it has not heard of before.
const ComputerType = "computer"

// NormaliseName is the key equipment names are matched by: surrounding
// spaces trimmed, lower-cased. The company's equipment have distinct keys, so
// the inventory push finds a computer by its name however the agent spells
// it. Both areas must use this function: the stored key is its result.
func NormaliseName(name string) string {
	return strings.ToLower(strings.TrimSpace(name))
}

// ParseIP validates an IPv4 or IPv6 address as pydantic's IPvAnyAddress does
// (no surrounding spaces, no leading zeros in IPv4). Unlike it, an IPv6 zone
// ("fe80::1%eth0") is refused: it names an interface of the sender and is
// meaningless once stored. The error is TypeIPAnyAddress at path {field}.
func ParseIP(field, s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, invalid(TypeIPAnyAddress, nil, field)
	}
	return a, nil
}

// Equipment is a device of the company: on a site of one of its clients, or
// on none (a computer that arrived through the inventory push and that nobody
// has placed yet). Its name key is unique in the company, among active and
// inactive equipment alike; the repository enforces it and reports a clash as
// NameTaken.
type Equipment struct {
	id        string
	companyID string
	siteID    string // "" when unassigned
	name      string // display spelling
	nameKey   string // NormaliseName(name)
	typ       string
	serial    string
	ip        netip.Addr // zero when unknown
	lastSeen  time.Time  // zero when the inventory push never reported it
	status    Status
	createdAt time.Time
	// What an inventory agent last reported (facts.Serial unused: serial
	// holds it), and when.
	facts         Facts
	lastInventory time.Time
}

// EquipmentSpec is what a caller says about a new equipment. Texts are
// trimmed; an empty optional text means "none".
type EquipmentSpec struct {
	Name      string // required, 1 to MaxNameLen characters
	Type      string // free text ("computer", "printer", ...), up to MaxTypeLen
	Serial    string // up to MaxSerialLen
	IPAddress string // "" or an address ParseIP accepts
}

// NewEquipment validates a new, active, unassigned equipment; place it with
// MoveTo. Problems are reported at "name", "type", "serial", "ip_address".
func NewEquipment(id, companyID string, spec EquipmentSpec, now time.Time) (Equipment, error) {
	e := Equipment{id: id, companyID: companyID, status: StatusActive, createdAt: stamp(now)}
	err := e.Update(EquipmentChange{Name: &spec.Name, Type: &spec.Type, Serial: &spec.Serial, IPAddress: &spec.IPAddress})
	if err != nil {
		return Equipment{}, err
	}
	return e, nil
}

// EquipmentChange is a partial update: nil fields stay as they are; an empty
// optional text clears it (Type, Serial, IPAddress). Renaming changes the
// name key too, so it may clash (NameTaken). A computer the inventory push
// reports (one with a LastSeen) is found by its name key at every push, so
// only the spelling of its name may change (see Update).
type EquipmentChange struct {
	Name      *string
	Type      *string
	Serial    *string
	IPAddress *string
}

// Update applies ch with NewEquipment's rules, all or nothing. The site is
// changed by MoveTo and Unassign, which need the site itself.
func (e *Equipment) Update(ch EquipmentChange) error {
	if err := CheckEquipment(ch); err != nil {
		return err
	}
	next := *e
	if ch.Name != nil {
		next.name = Name(*ch.Name)
		next.nameKey = NormaliseName(next.name)
	}
	if ch.Type != nil {
		next.typ = Name(*ch.Type)
	}
	if ch.Serial != nil {
		next.serial = Name(*ch.Serial)
	}
	if ch.IPAddress != nil {
		next.ip = netip.Addr{}
		if *ch.IPAddress != "" {
			next.ip, _ = ParseIP("ip_address", *ch.IPAddress) // checked above
		}
	}
	if !e.lastSeen.IsZero() && next.nameKey != e.nameKey {
		// Renaming it here would make the agent's next push create the
		// computer again under its old name, splitting its software and
		// history in two. A computer renamed on the machine itself
		// arrives under its new name with its agent's next push.
		return domain.Conflict("equipment %s is reported by the software inventory as %q: its name is the agent's, only its spelling may change here", e.id, e.name)
	}
	*e = next
	return nil
}

// CheckEquipment reports every problem of the fields ch sets, with
// NewEquipment's rules (a nil field is not checked), at "name", "type",
// "serial" and "ip_address".
func CheckEquipment(ch EquipmentChange) error {
	v := &domain.ValidationError{}
	if ch.Name != nil {
		domain.Text(v, *ch.Name, true, MaxNameLen, "name")
	}
	if ch.Type != nil {
		domain.Text(v, *ch.Type, false, MaxTypeLen, "type")
	}
	if ch.Serial != nil {
		domain.Text(v, *ch.Serial, false, MaxSerialLen, "serial")
	}
	if ch.IPAddress != nil && *ch.IPAddress != "" {
		_, err := ParseIP("ip_address", *ch.IPAddress)
		v.Collect(err)
	}
	return v.OrNil()
}

// MoveTo places the equipment on site, whose client is owner (the caller
// loads both). A site of another company is SiteNotFound (domain.ErrNotFound);
// an inactive site, or a site of an inactive client, is refused with an error
// matching domain.ErrConflict, as a new site of an inactive client is.
// Moving an inactive equipment is allowed.
func (e *Equipment) MoveTo(site Site, owner Client) error {
	if site.companyID != e.companyID {
		return SiteNotFound(site.id)
	}
	if owner.id != site.clientID {
		return fmt.Errorf("move equipment %s: site %s belongs to client %s, not %s", e.id, site.id, site.clientID, owner.id)
	}
	if !site.Active() {
		return inactive("site", site.id)
	}
	if !owner.Active() {
		return inactive("client", owner.id)
	}
	e.siteID = site.id
	return nil
}

// Unassign takes the equipment off its site, if any.
func (e *Equipment) Unassign() { e.siteID = "" }

// MarkSeen records that the inventory push reported the equipment at time at,
// from address ip (the zero Addr when the report gave none: the known address
// stays). A report older than the last one changes nothing, so that pushes
// handled out of order never move lastSeen back nor restore an old address.
// The status is untouched: a deactivated computer that reports again stays
// inactive. This is the rule of the push: the repository applies it to all
// the computers of a push at once (ports.InventoryRepository.TouchComputers).
func (e *Equipment) MarkSeen(at time.Time, ip netip.Addr) {
	at = stamp(at)
	if at.Before(e.lastSeen) {
		return
	}
	e.lastSeen = at
	if ip.IsValid() {
		e.ip = ip.WithZone("")
	}
}

// Deactivate marks the equipment inactive; it keeps its site and its name
// key. Idempotent.
func (e *Equipment) Deactivate() { e.status = StatusInactive }

// EquipmentRecord is an equipment as stored, for RestoreEquipment.
type EquipmentRecord struct {
	ID, CompanyID string
	SiteID        string // "" when unassigned
	Name, NameKey string
	Type, Serial  string
	IPAddress     netip.Addr // zero when unknown
	LastSeen      time.Time  // zero when never reported
	Status        Status
	CreatedAt     time.Time
	Facts         Facts     // Serial is ignored: the field above holds it
	LastInventory time.Time // zero when no agent sent one
}

// RestoreEquipment rebuilds a stored equipment without validating it again.
func RestoreEquipment(r EquipmentRecord) Equipment {
	e := Equipment{
		id: r.ID, companyID: r.CompanyID, siteID: r.SiteID, name: r.Name, nameKey: r.NameKey,
		typ: r.Type, serial: r.Serial, ip: r.IPAddress, status: r.Status, createdAt: r.CreatedAt.UTC(),
	}
	if !r.LastSeen.IsZero() {
		e.lastSeen = r.LastSeen.UTC()
	}
	e.facts = r.Facts
	if !r.LastInventory.IsZero() {
		e.lastInventory = r.LastInventory.UTC()
	}
	return e
}

func (e Equipment) ID() string        { return e.id }
func (e Equipment) CompanyID() string { return e.companyID }

// SiteID is "" when the equipment is on no site.
func (e Equipment) SiteID() string      { return e.siteID }
func (e Equipment) Name() string        { return e.name }
func (e Equipment) NameKey() string     { return e.nameKey }
func (e Equipment) Type() string        { return e.typ }
func (e Equipment) Serial() string      { return e.serial }
func (e Equipment) Status() Status      { return e.status }
func (e Equipment) Active() bool        { return e.status == StatusActive }
func (e Equipment) LastSeen() time.Time { return e.lastSeen }

// IPAddress is the zero netip.Addr (IsValid false) when unknown.
func (e Equipment) IPAddress() netip.Addr { return e.ip }
func (e Equipment) CreatedAt() time.Time  { return e.createdAt }
