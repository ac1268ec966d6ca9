package app_test

import (
	"cmp"
	"context"
	"errors"
	"net/netip"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/parc-hq/parc/app"
	"github.com/parc-hq/parc/domain"
	"github.com/parc-hq/parc/domain/client"
	"github.com/parc-hq/parc/domain/inventory"
	"github.com/parc-hq/parc/ports"
)

// fakeInventory is an in-memory InventoryRepository whose computers are the
// equipment of a fakeClients, as the port says; it also answers the
// agents' AgentEquipmentRepository from the same equipment and sites.
type fakeInventory struct {
	equipment *fakeClients
	installs  map[[2]string]inventory.Installation // by equipment id and program key
	events    []inventory.Event
	digests   map[string]inventory.Digest // by equipment id
	reads     int                         // computers whose installations were read
}

var (
	_ ports.InventoryRepository      = (*fakeInventory)(nil)
	_ ports.AgentEquipmentRepository = (*fakeInventory)(nil)
)

func newFakeInventory(equipment *fakeClients) *fakeInventory {
	return &fakeInventory{equipment: equipment, installs: map[[2]string]inventory.Installation{}, digests: map[string]inventory.Digest{}}
}

func (f *fakeInventory) TouchComputers(_ context.Context, companyID string, computers []inventory.Computer, ids ports.IDGenerator, at time.Time) (map[string]string, error) {
	out := make(map[string]string, len(computers))
	for _, c := range computers {
		e, known := f.byName(companyID, c.Name.Key())
		if !known {
			var err error
			e, err = client.NewEquipment(ids.NewID(), companyID, client.EquipmentSpec{Name: c.Name.Display(), Type: client.ComputerType}, at)
			if err != nil {
				return nil, err
			}
		}
		e.MarkSeen(at, c.IP)
		f.equipment.equipment[e.ID()] = e
		out[c.Name.Key()] = e.ID()
	}
	return out, nil
}

func (f *fakeInventory) byName(companyID, key string) (client.Equipment, bool) {
	for _, e := range f.equipment.equipment {
		if e.CompanyID() == companyID && e.NameKey() == key {
			return e, true
		}
	}
	return client.Equipment{}, false
}

func (f *fakeInventory) Installations(_ context.Context, _ string, computerIDs []string) ([]inventory.Installation, error) {
	f.reads += len(computerIDs)
	var out []inventory.Installation
	for k, i := range f.installs {
		if slices.Contains(computerIDs, k[0]) {
			out = append(out, i)
		}
	}
	return out, nil
}

func (f *fakeInventory) SoftwareDigests(_ context.Context, _ string, computerIDs []string) (map[string]inventory.Digest, error) {
	out := map[string]inventory.Digest{}
	for _, id := range computerIDs {
		if d, ok := f.digests[id]; ok {
			out[id] = d
		}
	}
	return out, nil
}

func (f *fakeInventory) Apply(_ context.Context, _ string, plan inventory.Plan) error {
	for _, i := range plan.Writes() {
		f.installs[[2]string{i.ComputerID, i.Program.Key()}] = i
	}
	f.events = append(f.events, plan.Events...)
	for _, d := range plan.Digests {
		f.digests[d.ComputerID] = d.Digest
	}
	return nil
}

// installed lists the installations of an equipment, removed ones
// included, by program key.
func (f *fakeInventory) installed(computerID string) []inventory.Installation {
	var out []inventory.Installation
	for k, i := range f.installs {
		if k[0] == computerID {
			out = append(out, i)
		}
	}
	slices.SortFunc(out, func(a, b inventory.Installation) int { return cmp.Compare(a.Program.Key(), b.Program.Key()) })
	return out
}

func (f *fakeInventory) ListInstallations(context.Context, string, inventory.Filter) (inventory.InstallationPage, error) {
	return inventory.InstallationPage{}, nil
}

func (f *fakeInventory) Programs(context.Context, string, string) ([]inventory.ProgramSummary, error) {
	return nil, nil
}

func (f *fakeInventory) ComputerHistory(_ context.Context, _, computerKey, _ string, _ int) (inventory.HistoryPage, error) {
	return inventory.HistoryPage{}, domain.NotFound("computer %s", computerKey)
}

func (f *fakeInventory) SaveInventory(_ context.Context, e client.Equipment) error {
	f.equipment.equipment[e.ID()] = e
	return nil
}

func (f *fakeInventory) SitesNamed(_ context.Context, companyID, name string) ([]client.Site, error) {
	var out []client.Site
	for _, s := range f.equipment.sites {
		if s.CompanyID() == companyID && client.SameName(s.Nom(), name) {
			out = append(out, s)
		}
	}
	return out, nil
}

// state lists an equipment's installations as "program version", with
// "(removed)" after a removed one.
func state(f *fakeInventory, computerID string) []string {
	var out []string
	for _, i := range f.installed(computerID) {
		s := i.Program.Display() + " " + i.Version
		if i.Removed {
			s += " (removed)"
		}
		out = append(out, s)
	}
	return out
}

func record(computer, program, version string) inventory.RawRecord {
	return inventory.RawRecord{ComputerName: computer, Program: program, Version: version}
}

func TestPushFullModeRemovesWhatWasNotSentExceptOnAPartialComputer(t *testing.T) {
	ctx := context.Background()
	repo := newFakeInventory(newFakeClients())
	svc := app.NewInventoryService(repo, &fakeTx{}, fakeClock{now}, &fakeIDs{}, quiet)

	first := []inventory.RawRecord{record("PC-1", "Chrome", "119"), record("PC-1", "Zip", "1"),
		record("PC-2", "Chrome", "119"), record("PC-2", "Zip", "1")}
	res, err := svc.Push(ctx, "co-1", first, false)
	if err != nil || res.Installed != 4 {
		t.Fatalf("first push: %v %+v", err, res)
	}
	pc1, _ := repo.byName("co-1", "pc-1")
	pc2, _ := repo.byName("co-1", "pc-2")

	// Full mode: PC-1 no longer lists Zip; a rejected record names PC-2,
	// whose list is therefore partial and keeps Zip.
	second := []inventory.RawRecord{record("pc-1", "chrome", "120"), record("PC-2", "Chrome", "119"), record("PC-2", "", "2")}
	res, err = svc.Push(ctx, "co-1", second, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) != 1 || res.Problems[0].Index != 2 || res.Problems[0].Field != "program" {
		t.Errorf("problems: %+v", res.Problems)
	}
	res.Problems = nil
	if want := (app.PushResult{Accepted: 2, ProblemCount: 1, Rejected: 1, Updated: 1, Removed: 1, Unchanged: 1, Untrimmed: 1}); !reflect.DeepEqual(res, want) {
		t.Fatalf("second push: %+v, want %+v", res, want)
	}
	if got := state(repo, pc1.ID()); !slices.Equal(got, []string{"Chrome 120", "Zip 1 (removed)"}) {
		t.Errorf("PC-1: %q", got)
	}
	if got := state(repo, pc2.ID()); !slices.Equal(got, []string{"Chrome 119", "Zip 1"}) {
		t.Errorf("PC-2, named by a rejected record, is not trimmed: %q", got)
	}

	// Without full mode nothing is removed.
	if res, err = svc.Push(ctx, "co-1", []inventory.RawRecord{record("PC-2", "Chrome", "119")}, false); err != nil || res.Removed != 0 || res.Untrimmed != 0 {
		t.Fatalf("a partial push removed: %v %+v", err, res)
	}
}

// A computer whose pushed list is the stored one (same programs, same
// versions) is unchanged without its installations being read: the digest
// says so. Any other list is read and merged, in full mode or not.
func TestPushReadsOnlyTheComputersWhoseSoftwareChanged(t *testing.T) {
	ctx := context.Background()
	repo := newFakeInventory(newFakeClients())
	svc := app.NewInventoryService(repo, &fakeTx{}, fakeClock{now}, &fakeIDs{}, quiet)
	list := []inventory.RawRecord{record("PC-1", "Chrome", "119"), record("PC-1", "Zip", "1"), record("PC-2", "Chrome", "119")}
	if res, err := svc.Push(ctx, "co-1", list, true); err != nil || res.Installed != 3 || repo.reads != 0 {
		t.Fatalf("first push: %v %+v; %d computers read, want none (both are new)", err, res, repo.reads)
	}
	again := []inventory.RawRecord{record("pc-1", "ZIP", "1"), record("PC-1", "Chrome", "119"), record("PC-2", "Chrome", "119")}
	if res, err := svc.Push(ctx, "co-1", again, true); err != nil || res.Unchanged != 3 || res.Installed+res.Updated+res.Removed != 0 || repo.reads != 0 {
		t.Fatalf("unchanged push: %v %+v; %d computers read", err, res, repo.reads)
	}
	// PC-1 drops Zip: in full mode a removal, found by reading PC-1 alone.
	dropped := []inventory.RawRecord{record("PC-1", "Chrome", "119"), record("PC-2", "Chrome", "119")}
	if res, err := svc.Push(ctx, "co-1", dropped, true); err != nil || res.Removed != 1 || res.Unchanged != 2 || repo.reads != 1 {
		t.Fatalf("full push without Zip: %v %+v; %d computers read", err, res, repo.reads)
	}
	// Zip back: its list differs from the stored digest again, and it is
	// installed again.
	if res, err := svc.Push(ctx, "co-1", list[:2], false); err != nil || res.Installed != 1 || res.Unchanged != 1 || repo.reads != 2 {
		t.Fatalf("Zip again: %v %+v; %d computers read", err, res, repo.reads)
	}
	if res, err := svc.Push(ctx, "co-1", list[:2], false); err != nil || res.Unchanged != 2 || repo.reads != 2 {
		t.Fatalf("the same again: %v %+v; %d computers read", err, res, repo.reads)
	}
}

func TestPushStoresNothingWhenNoRecordIsValid(t *testing.T) {
	repo := newFakeInventory(newFakeClients())
	svc := app.NewInventoryService(repo, &fakeTx{}, fakeClock{now}, &fakeIDs{}, quiet)
	res, err := svc.Push(context.Background(), "co-1", []inventory.RawRecord{record("PC-1", "", "1"), {NotObject: true}}, true)
	if err != nil || res.Rejected != 2 || res.Accepted != 0 || len(res.Problems) == 0 {
		t.Fatalf("%v %+v", err, res)
	}
	if len(repo.equipment.equipment) != 0 || len(repo.installs) != 0 {
		t.Fatalf("a push without valid records stored something: %d equipment, %d installations", len(repo.equipment.equipment), len(repo.installs))
	}
}

func TestHistoryOfANameNoComputerCanBearIsNotFound(t *testing.T) {
	svc := app.NewInventoryService(newFakeInventory(newFakeClients()), &fakeTx{}, fakeClock{now}, &fakeIDs{}, quiet)
	if _, err := svc.History(context.Background(), "co-1", "PC\x00", "", 0); !errorMessageIs(err, `computer history: computer "PC\x00"`) {
		t.Fatalf("%v", err)
	}
}

func newAgentService(repo *fakeClients, inv *fakeInventory, clock ports.Clock) *app.AgentService {
	return app.NewAgentService(inv, repo, inv, repo, repo, &fakeTx{}, clock, &fakeIDs{}, quiet)
}

func TestAgentInventoryIsAFullSnapshot(t *testing.T) {
	ctx := context.Background()
	repo := newFakeClients()
	inv := newFakeInventory(repo)
	report := inventory.Report{Computer: "PC-1", IP: netip.MustParseAddr("10.0.0.7"),
		Software: []inventory.Software{{Name: "libc6", Version: "2.36", Arch: "amd64"}, {Name: "vim", Version: "9.0"}},
		Facts:    client.Facts{Serial: "SN-1", Agent: client.AgentGLPI}}
	res, err := newAgentService(repo, inv, fakeClock{now}).Inventory(ctx, "co-1", report)
	if err != nil || res.Installed != 2 {
		t.Fatalf("first inventory: %v %+v", err, res)
	}
	pc := repo.equipment[res.EquipmentID]
	if pc.Serial() != "SN-1" || !pc.LastInventory().Equal(now) || pc.IPAddress() != report.IP {
		t.Errorf("the facts are kept on the equipment: serial %q, inventory %v, address %v", pc.Serial(), pc.LastInventory(), pc.IPAddress())
	}

	// The next report no longer lists vim: it is removed, with no full flag to give.
	report.Software = report.Software[:1]
	later := fakeClock{now.Add(time.Hour)}
	res, err = newAgentService(repo, inv, later).Inventory(ctx, "co-1", report)
	if err != nil || res.Removed != 1 || res.Unchanged != 1 {
		t.Fatalf("second inventory: %v %+v", err, res)
	}
	if got := state(inv, res.EquipmentID); !slices.Equal(got, []string{"libc6:amd64 2.36", "vim 9.0 (removed)"}) {
		t.Errorf("after the snapshot: %q", got)
	}

	// A report listing no software removes nothing.
	report.Software = nil
	if res, err = newAgentService(repo, inv, later).Inventory(ctx, "co-1", report); err != nil || res.Removed != 0 {
		t.Fatalf("an empty list removed: %v %+v", err, res)
	}

	// A report naming no computer is refused before anything is stored.
	if _, err := newAgentService(repo, inv, later).Inventory(ctx, "co-1", inventory.Report{Computer: " "}); !errors.Is(err, domain.ErrInvalid) || len(repo.equipment) != 1 {
		t.Fatalf("a nameless report: %v, %d equipment", err, len(repo.equipment))
	}
}

func TestAgentTagPlacesAComputerOnTheOneActiveSiteOfThatName(t *testing.T) {
	ctx := context.Background()
	repo := newFakeClients()
	inv := newFakeInventory(repo)
	owner, err := client.New("cl-1", "co-1", "Acme", 1, now)
	if err != nil {
		t.Fatal(err)
	}
	repo.clients[owner.ID()] = owner
	for _, s := range []struct{ id, name string }{{"s-1", "Lyon"}, {"s-2", "Paris"}, {"s-3", "Paris"}} {
		site, err := client.NewSite(s.id, owner, s.name, now)
		if err != nil {
			t.Fatal(err)
		}
		repo.sites[site.ID()] = site
	}
	svc := newAgentService(repo, inv, fakeClock{now})
	for _, tt := range []struct {
		computer, tag, site string
	}{
		{"PC-1", " lyon ", "s-1"}, // the same name as a site, as equipment names compare
		{"PC-2", "Paris", ""},     // two active sites of that name: a person chooses
		{"PC-3", "Nice", ""},      // no such site
		{"PC-4", "", ""},
	} {
		res, err := svc.Inventory(ctx, "co-1", inventory.Report{Computer: tt.computer, Facts: client.Facts{Tag: tt.tag}})
		if err != nil || res.Placed != (tt.site != "") || repo.equipment[res.EquipmentID].SiteID() != tt.site {
			t.Errorf("%s tagged %q: %v %+v, site %q", tt.computer, tt.tag, err, res, repo.equipment[res.EquipmentID].SiteID())
		}
	}
	// Another company's site of that name places nothing.
	res, err := svc.Inventory(ctx, "co-2", inventory.Report{Computer: "PC-1", Facts: client.Facts{Tag: "Lyon"}})
	if err != nil || res.Placed {
		t.Errorf("another company's site: %v %+v", err, res)
	}
}
