package client

import (
	"strings"
	"testing"
	"time"
)

func TestFit(t *testing.T) {
	for _, c := range []struct {
		in   string
		max  int
		want string
	}{
		{" a\tb\x00c ", 10, "abc"},
		{"\xff x", 10, "\uFFFD x"},
		{strings.Repeat("é", 10), 4, strings.Repeat("é", 4)},
		{"ab  cd", 3, "ab"},
	} {
		if got := Fit(c.in, c.max); got != c.want {
			t.Errorf("Fit(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
}

func TestRecordInventory(t *testing.T) {
	now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	e, err := NewEquipment("e1", "c1", EquipmentSpec{Name: "PC-01", Serial: "typed"}, now)
	if err != nil {
		t.Fatal(err)
	}
	e.RecordInventory(Facts{Manufacturer: "ACME", OSName: "Debian", Agent: AgentOCS, Tag: "Lyon"}, now)
	if e.Serial() != "typed" || e.Facts().Manufacturer != "ACME" || !e.LastInventory().Equal(now) {
		t.Fatalf("an empty serial keeps the stored one: %+v", e.Facts())
	}
	e.RecordInventory(Facts{Serial: "SN-9", Model: strings.Repeat("m", 300)}, now.Add(time.Hour))
	if e.Serial() != "SN-9" || len(e.Facts().Model) != MaxFactLen || e.Facts().Tag != "" {
		t.Fatalf("a newer report replaces the facts: %+v", e.Facts())
	}
	e.RecordInventory(Facts{Serial: "old"}, now)
	if e.Serial() != "SN-9" || !e.LastInventory().Equal(now.Add(time.Hour)) {
		t.Fatal("an older report changed the equipment")
	}
}

func TestSiteByTag(t *testing.T) {
	now := time.Now()
	owner, _ := New("cl", "c1", "Client", 1, now)
	a, _ := NewSite("s1", owner, "Lyon", now)
	b, _ := NewSite("s2", owner, "lyon ", now)
	if s, ok := SiteByTag([]Site{a}); !ok || s.ID() != "s1" {
		t.Fatal("one active site is chosen")
	}
	if _, ok := SiteByTag([]Site{a, b}); ok {
		t.Fatal("two active sites of that name leave the choice to a person")
	}
	b.Deactivate()
	if s, ok := SiteByTag([]Site{a, b}); !ok || s.ID() != "s1" {
		t.Fatal("an inactive site does not count")
	}
	if !SameName(" LYON", "lyon ") || SameName("Lyon", "Lyon 2") {
		t.Fatal("SameName")
	}
}
