package client_test

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/parc-hq/parc/domain"
	"github.com/parc-hq/parc/domain/client"
)

func TestNormaliseName(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"PC-01", "pc-01"},
		{"  pc-01\t\n", "pc-01"},
		{"Poste  Compta", "poste  compta"},
		{"ÉCRAN", "écran"},
		{"", ""},
	} {
		if got := client.NormaliseName(tt.in); got != tt.want {
			t.Errorf("NormaliseName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseIP(t *testing.T) {
	const bad = "ip_address|ip_any_address|"
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{"192.168.1.10", nil},
		{"2001:db8::1", nil},
		{"::ffff:10.0.0.1", nil},
		{"", []string{bad}},
		{" 10.0.0.1", []string{bad}},
		{"10.0.0.256", []string{bad}},
		{"010.0.0.1", []string{bad}},
		{"fe80::1%eth0", []string{bad}},
		{"pc-01", []string{bad}},
	} {
		t.Run(tt.in, func(t *testing.T) {
			a, err := client.ParseIP("ip_address", tt.in)
			checkProblems(t, err, tt.want)
			if err == nil && a.String() != tt.in {
				t.Fatalf("ParseIP(%q) = %v", tt.in, a)
			}
		})
	}
}

func TestNewEquipment(t *testing.T) {
	tests := []struct {
		name string
		spec client.EquipmentSpec
		want []string
	}{
		{"name only", client.EquipmentSpec{Name: "PC-01"}, nil},
		{"everything", client.EquipmentSpec{Name: " PC-01 ", Type: " computer ", Serial: "SN 42", IPAddress: "10.0.0.7"}, nil},
		{"name of 255", client.EquipmentSpec{Name: strings.Repeat("é", 255)}, nil},
		{"every problem, in field order", client.EquipmentSpec{
			Name: " ", Type: strings.Repeat("t", 65), Serial: strings.Repeat("s", 129), IPAddress: "10.0.0",
		}, []string{
			"name|" + tooShort,
			"type|string_too_long|max_length=64",
			"serial|string_too_long|max_length=128",
			"ip_address|ip_any_address|",
		}},
		{"name too long", client.EquipmentSpec{Name: strings.Repeat("x", 256)},
			[]string{"name|string_too_long|max_length=255"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := client.NewEquipment("eq", "co", tt.spec, now)
			checkProblems(t, err, tt.want)
			if err != nil {
				return
			}
			name := strings.TrimSpace(tt.spec.Name)
			if e.ID() != "eq" || e.CompanyID() != "co" || e.SiteID() != "" || e.Name() != name ||
				e.NameKey() != client.NormaliseName(name) || e.Type() != strings.TrimSpace(tt.spec.Type) ||
				e.Serial() != tt.spec.Serial || !e.Active() || !e.LastSeen().IsZero() ||
				!e.CreatedAt().Equal(now.Truncate(time.Microsecond)) {
				t.Fatalf("unexpected equipment %+v", e)
			}
			if (tt.spec.IPAddress == "") == e.IPAddress().IsValid() {
				t.Fatalf("address %v for %q", e.IPAddress(), tt.spec.IPAddress)
			}
		})
	}
}

func ptr(s string) *string { return &s }

func TestEquipmentUpdate(t *testing.T) {
	base, err := client.NewEquipment("eq", "co", client.EquipmentSpec{
		Name: "PC-01", Type: "computer", Serial: "SN1", IPAddress: "10.0.0.1",
	}, now)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		ch    client.EquipmentChange
		check func(client.Equipment) bool
		want  []string
	}{
		{"nothing", client.EquipmentChange{}, func(e client.Equipment) bool { return e == base }, nil},
		{"rename changes the key", client.EquipmentChange{Name: ptr(" Poste-Compta ")}, func(e client.Equipment) bool {
			return e.Name() == "Poste-Compta" && e.NameKey() == "poste-compta" && e.Type() == "computer"
		}, nil},
		{"empty texts clear", client.EquipmentChange{Type: ptr(""), Serial: ptr(" "), IPAddress: ptr("")},
			func(e client.Equipment) bool {
				return e.Type() == "" && e.Serial() == "" && !e.IPAddress().IsValid() && e.Name() == "PC-01"
			}, nil},
		{"new address", client.EquipmentChange{IPAddress: ptr("2001:db8::2")}, func(e client.Equipment) bool {
			return e.IPAddress() == netip.MustParseAddr("2001:db8::2")
		}, nil},
		{"refused as a whole", client.EquipmentChange{Name: ptr("New"), IPAddress: ptr("nope")},
			func(e client.Equipment) bool { return e == base },
			[]string{"ip_address|ip_any_address|"}},
		{"empty name", client.EquipmentChange{Name: ptr("")}, func(e client.Equipment) bool { return e == base },
			[]string{"name|" + tooShort}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := base
			checkProblems(t, e.Update(tt.ch), tt.want)
			if !tt.check(e) {
				t.Fatalf("unexpected equipment %+v", e)
			}
		})
	}
}

func TestEquipmentMoveTo(t *testing.T) {
	owner, _ := client.New("cl", "co", "Acme", 1, now)
	site, _ := client.NewSite("st", owner, "Lyon", now)
	closed := site
	closed.Deactivate()
	foreign := client.RestoreSite(client.SiteRecord{ID: "st2", CompanyID: "other", ClientID: "cl2", Nom: "Nice", Status: client.StatusActive, CreatedAt: now})
	retired := owner
	retired.Deactivate()

	tests := []struct {
		name     string
		site     client.Site
		owner    client.Client
		kind     error
		text     string
		wantSite string
	}{
		{"active site of the company", site, owner, nil, "", "st"},
		{"site of another company", foreign, owner, domain.ErrNotFound, "site st2 not found", ""},
		{"inactive site", closed, owner, domain.ErrConflict, "site st is inactive", ""},
		{"site of an inactive client", site, retired, domain.ErrConflict, "client cl is inactive", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _ := client.NewEquipment("eq", "co", client.EquipmentSpec{Name: "PC-01"}, now)
			err := e.MoveTo(tt.site, tt.owner)
			if tt.kind == nil && err != nil || tt.kind != nil && (!errors.Is(err, tt.kind) || err.Error() != tt.text) {
				t.Fatalf("MoveTo: %v, want %v %q", err, tt.kind, tt.text)
			}
			if e.SiteID() != tt.wantSite {
				t.Fatalf("site %q, want %q", e.SiteID(), tt.wantSite)
			}
		})
	}

	e, _ := client.NewEquipment("eq", "co", client.EquipmentSpec{Name: "PC-01"}, now)
	e.Deactivate()
	if err := e.MoveTo(site, owner); err != nil || e.SiteID() != "st" {
		t.Fatalf("moving inactive equipment: %v", err)
	}
	e.Unassign()
	if e.SiteID() != "" || e.Active() {
		t.Fatalf("unexpected equipment %+v", e)
	}
}

func TestReportedComputerKeepsItsNameKey(t *testing.T) {
	pc, _ := client.NewEquipment("eq", "co", client.EquipmentSpec{Name: "PC-01", Type: client.ComputerType}, now)
	pc.MarkSeen(now, netip.Addr{})

	respelled := pc
	if err := respelled.Update(client.EquipmentChange{Name: ptr("pc-01 "), Serial: ptr("SN9")}); err != nil {
		t.Fatalf("a new spelling of the same name: %v", err)
	}
	if respelled.Name() != "pc-01" || respelled.NameKey() != "pc-01" || respelled.Serial() != "SN9" {
		t.Fatalf("unexpected equipment %+v", respelled)
	}

	renamed := pc
	err := renamed.Update(client.EquipmentChange{Name: ptr("Desk-3"), Serial: ptr("SN9")})
	if !errors.Is(err, domain.ErrConflict) || !strings.Contains(err.Error(), `reported by the software inventory as "PC-01"`) {
		t.Fatalf("renaming a reported computer: %v, want a conflict", err)
	}
	if renamed != pc {
		t.Fatal("a refused update changed the equipment")
	}

	never, _ := client.NewEquipment("eq2", "co", client.EquipmentSpec{Name: "Printer"}, now)
	if err := never.Update(client.EquipmentChange{Name: ptr("Printer 2")}); err != nil {
		t.Fatalf("equipment the push never reported is renamed freely: %v", err)
	}
}

func TestMarkSeen(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	a1, a2 := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	steps := []struct {
		name   string
		at     time.Time
		ip     netip.Addr
		wantAt time.Time
		wantIP netip.Addr
	}{
		{"first report", t0, a1, t0, a1},
		{"no address keeps the known one", t0.Add(time.Minute), netip.Addr{}, t0.Add(time.Minute), a1},
		{"new address", t0.Add(2 * time.Minute), a2, t0.Add(2 * time.Minute), a2},
		{"an older report changes nothing", t0, a1, t0.Add(2 * time.Minute), a2},
		{"same time, the last one wins", t0.Add(2 * time.Minute), a1, t0.Add(2 * time.Minute), a1},
	}
	e, _ := client.NewEquipment("eq", "co", client.EquipmentSpec{Name: "PC-01", Type: client.ComputerType}, now)
	e.Deactivate()
	for _, s := range steps {
		e.MarkSeen(s.at, s.ip)
		if !e.LastSeen().Equal(s.wantAt) || e.IPAddress() != s.wantIP {
			t.Fatalf("%s: lastSeen %v ip %v, want %v %v", s.name, e.LastSeen(), e.IPAddress(), s.wantAt, s.wantIP)
		}
	}
	if e.Active() {
		t.Fatal("a report reactivated the equipment")
	}
}

func TestRestoreEquipment(t *testing.T) {
	r := client.EquipmentRecord{
		ID: "eq", CompanyID: "co", SiteID: "st", Name: "PC-01", NameKey: "pc-01", Type: "computer", Serial: "SN",
		IPAddress: netip.MustParseAddr("10.0.0.1"), LastSeen: now, Status: client.StatusInactive, CreatedAt: now,
	}
	e := client.RestoreEquipment(r)
	if e.ID() != r.ID || e.CompanyID() != r.CompanyID || e.SiteID() != r.SiteID || e.Name() != r.Name ||
		e.NameKey() != r.NameKey || e.Type() != r.Type || e.Serial() != r.Serial || e.IPAddress() != r.IPAddress ||
		!e.LastSeen().Equal(now) || e.LastSeen().Location() != time.UTC || e.Status() != r.Status ||
		!e.CreatedAt().Equal(now) {
		t.Fatalf("unexpected equipment %+v", e)
	}
	if !client.RestoreEquipment(client.EquipmentRecord{}).LastSeen().IsZero() {
		t.Fatal("zero lastSeen not kept")
	}
}
