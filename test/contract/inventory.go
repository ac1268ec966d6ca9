package contract

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parc-hq/parc/adapters/system"
	"github.com/parc-hq/parc/domain"
	"github.com/parc-hq/parc/domain/client"
	"github.com/parc-hq/parc/domain/inventory"
	"github.com/parc-hq/parc/ports"
)

// InventoryRepos are the ports the inventory suite checks, and the
// equipment port through which the clients area changes a computer.
type InventoryRepos struct {
	Inventory ports.InventoryRepository
	Companies ports.CompanyRepository
	Equipment ports.EquipmentRepository
	Tx        ports.Transactor
}

// equipment reads an equipment of company, and stores what change makes of
// it when change is not nil.
func (r InventoryRepos) equipment(t *testing.T, companyID, id string, change func(*client.Equipment)) client.Equipment {
	t.Helper()
	var e client.Equipment
	require.NoError(t, r.Tx.Within(context.Background(), func(ctx context.Context) error {
		var err error
		if e, err = r.Equipment.LockEquipment(ctx, companyID, id); err != nil || change == nil {
			return err
		}
		change(&e)
		return r.Equipment.SaveEquipment(ctx, e)
	}))
	return e
}

func computers(names ...string) []inventory.Computer {
	out := make([]inventory.Computer, len(names))
	for i, n := range names {
		out[i] = inventory.Computer{Name: inventory.NewComputerName(n)}
	}
	return out
}

// touch makes the named computers equipment of companyID, seen at at, in a
// transaction of their own, and answers their ids by computer key.
func (r InventoryRepos) touch(t *testing.T, companyID string, at time.Time, names ...string) map[string]string {
	t.Helper()
	ids, err := r.Inventory.TouchComputers(context.Background(), companyID, computers(names...), system.UUIDs{}, at)
	require.NoError(t, err)
	return ids
}

// apply writes plan for companyID in a transaction of its own.
func (r InventoryRepos) apply(t *testing.T, companyID string, plan inventory.Plan) {
	t.Helper()
	require.NoError(t, r.Tx.Within(context.Background(), func(ctx context.Context) error {
		return r.Inventory.Apply(ctx, companyID, plan)
	}))
}

// stored reads the installations of the given computers, sorted by
// computer and program key.
func (r InventoryRepos) stored(t *testing.T, companyID string, computerIDs ...string) []inventory.Installation {
	t.Helper()
	out, err := r.Inventory.Installations(context.Background(), companyID, computerIDs)
	require.NoError(t, err)
	slices.SortFunc(out, func(a, b inventory.Installation) int {
		return cmp.Or(cmp.Compare(a.ComputerID, b.ComputerID), cmp.Compare(a.Program.Key(), b.Program.Key()))
	})
	return out
}

// install adds to p the installation of program at version on computerID
// at at, with its history event.
func install(p *inventory.Plan, computerID, program, version string, at time.Time) {
	name := inventory.NewProgramName(program)
	p.Installs = append(p.Installs, inventory.Installation{ComputerID: computerID, Program: name, Version: version, InstalledAt: at, ChangedAt: at})
	p.Events = append(p.Events, inventory.Event{ComputerID: computerID, Program: name, Kind: inventory.EventInstalled, ToVersion: version, At: at})
}

// installOrUpdate touches the named computers and, with what the
// repository then reads of them, writes programs P<c>-0 to P<c>-9 of each
// computer PC-<c> at version: an install where it has none, an update
// otherwise. Inside a transaction the read must see every push that
// committed before the touch returned, or two installs of one program
// collide.
func installOrUpdate(ctx context.Context, r InventoryRepos, companyID string, names []string, version string) error {
	at := time.Now().UTC().Truncate(time.Microsecond)
	ids, err := r.Inventory.TouchComputers(ctx, companyID, computers(names...), system.UUIDs{}, at)
	if err != nil {
		return err
	}
	idList := make([]string, 0, len(names))
	for _, n := range names {
		idList = append(idList, ids[inventory.ComputerKey(n)])
	}
	stored, err := r.Inventory.Installations(ctx, companyID, idList)
	if err != nil {
		return err
	}
	current := map[[2]string]inventory.Installation{}
	for _, s := range stored {
		current[[2]string{s.ComputerID, s.Program.Key()}] = s
	}
	var plan inventory.Plan
	for _, n := range names {
		id := ids[inventory.ComputerKey(n)]
		for p := range 10 {
			program := fmt.Sprintf("P%s-%d", strings.TrimPrefix(n, "PC-"), p)
			s, known := current[[2]string{id, inventory.ProgramKey(program)}]
			if !known {
				install(&plan, id, program, version, at)
				continue
			}
			from := s.Version
			s.Version, s.ChangedAt = version, at
			plan.Updates = append(plan.Updates, s)
			plan.Events = append(plan.Events, inventory.Event{ComputerID: id, Program: s.Program, Kind: inventory.EventUpdated, FromVersion: from, ToVersion: version, At: at})
		}
	}
	return r.Inventory.Apply(ctx, companyID, plan)
}

// RunInventoryRepository checks the storage of the software inventory.
func RunInventoryRepository(t *testing.T, newRepos func(t *testing.T) InventoryRepos) {
	ctx := context.Background()
	newCompany := func(t *testing.T, r InventoryRepos) string {
		c := NewCompany(t)
		require.NoError(t, r.Companies.CreateCompany(ctx, c))
		return c.ID()
	}
	t0 := time.Now().UTC().Truncate(time.Microsecond)

	t.Run("computers become equipment once, keep their spelling, never go back in time", func(t *testing.T) {
		r := newRepos(t)
		company := newCompany(t, r)
		first := []inventory.Computer{{Name: inventory.NewComputerName("PC-Accueil"), IP: netip.MustParseAddr("10.0.0.1")}}
		ids, err := r.Inventory.TouchComputers(ctx, company, first, system.UUIDs{}, t0)
		require.NoError(t, err)
		id := ids["pc-accueil"]
		require.NotEmpty(t, id)

		again := []inventory.Computer{{Name: inventory.NewComputerName(" pc-ACCUEIL ")}}
		ids2, err := r.Inventory.TouchComputers(ctx, company, again, system.UUIDs{}, t0.Add(time.Hour))
		require.NoError(t, err)
		assert.Equal(t, id, ids2["pc-accueil"])

		older := []inventory.Computer{{Name: inventory.NewComputerName("PC-ACCUEIL"), IP: netip.MustParseAddr("10.9.9.9")}}
		_, err = r.Inventory.TouchComputers(ctx, company, older, system.UUIDs{}, t0.Add(time.Minute))
		require.NoError(t, err)

		r.touch(t, company, t0.Add(2*time.Hour), "pc-accueil")
		var plan inventory.Plan
		install(&plan, id, "Chrome", "1", t0.Add(2*time.Hour))
		r.apply(t, company, plan)
		page, err := r.Inventory.ListInstallations(ctx, company, inventory.Filter{Limit: 10})
		require.NoError(t, err)
		require.Len(t, page.Items, 1)
		v := page.Items[0]
		assert.Equal(t, "PC-Accueil", v.ComputerName)
		assert.Equal(t, netip.MustParseAddr("10.0.0.1"), v.IPAddress, "an older report does not replace the address; a report without one keeps it")
		assert.Equal(t, t0.Add(2*time.Hour), v.LastSeen)
	})

	t.Run("a pushed computer is seen by the rule of Equipment.MarkSeen", func(t *testing.T) {
		// The push applies the rule in SQL to many computers at once; this
		// pins that SQL to the domain's rule, case by case: a change of one
		// fails here until the other follows.
		r := newRepos(t)
		company := newCompany(t, r)
		known, pushed := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
		n := 0
		for _, stored := range []struct {
			seen bool
			ip   netip.Addr
		}{{false, netip.Addr{}}, {false, known}, {true, netip.Addr{}}, {true, known}} {
			for _, delta := range []time.Duration{-time.Second, 0, time.Second} {
				for _, ip := range []netip.Addr{{}, pushed} {
					n++
					name := fmt.Sprintf("SEEN-%02d", n)
					spec := client.EquipmentSpec{Name: name, Type: "printer"}
					if stored.ip.IsValid() {
						spec.IPAddress = stored.ip.String()
					}
					e, err := client.NewEquipment(system.UUIDs{}.NewID(), company, spec, t0)
					require.NoError(t, err)
					if stored.seen {
						e.MarkSeen(t0, netip.Addr{})
					}
					require.NoError(t, r.Equipment.CreateEquipment(ctx, e))

					want := e
					want.MarkSeen(t0.Add(delta), ip)
					_, err = r.Inventory.TouchComputers(ctx, company, []inventory.Computer{{Name: inventory.NewComputerName(name), IP: ip}}, system.UUIDs{}, t0.Add(delta))
					require.NoError(t, err)
					got := r.equipment(t, company, e.ID(), nil)
					what := fmt.Sprintf("stored seen=%v ip=%v, pushed %v later from %v", stored.seen, stored.ip, delta, ip)
					assert.True(t, want.LastSeen().Equal(got.LastSeen()), "%s: last seen %v, the rule says %v", what, got.LastSeen(), want.LastSeen())
					assert.Equal(t, want.IPAddress(), got.IPAddress(), "%s: address", what)
					assert.Equal(t, want.Status(), got.Status(), what)
					assert.Equal(t, "printer", got.Type(), "%s: a known equipment keeps its type", what)
				}
			}
		}
	})

	t.Run("Concurrent touches of the same computers in opposite orders", func(t *testing.T) {
		r := newRepos(t)
		company := newCompany(t, r)
		var names []string
		for i := range 40 {
			names = append(names, fmt.Sprintf("PC-%02d", i))
		}
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cs := computers(names...)
				if i%2 == 1 {
					slices.Reverse(cs) // the repository sorts, not the caller
				}
				errs[i] = r.Tx.Within(ctx, func(ctx context.Context) error {
					ids, err := r.Inventory.TouchComputers(ctx, company, cs, system.UUIDs{}, time.Now().UTC().Truncate(time.Microsecond))
					if err == nil && len(ids) != len(names) {
						err = fmt.Errorf("%d ids for %d computers", len(ids), len(names))
					}
					return err
				})
			}()
		}
		wg.Wait()
		for _, err := range errs {
			assert.NoError(t, err)
		}
	})

	t.Run("a deactivated equipment stays inactive but is refreshed", func(t *testing.T) {
		r := newRepos(t)
		company := newCompany(t, r)
		ids, err := r.Inventory.TouchComputers(ctx, company, computers("PC-1"), system.UUIDs{}, t0)
		require.NoError(t, err)
		r.equipment(t, company, ids["pc-1"], (*client.Equipment).Deactivate)
		ids2, err := r.Inventory.TouchComputers(ctx, company, computers("PC-1"), system.UUIDs{}, t0.Add(time.Hour))
		require.NoError(t, err)
		assert.Equal(t, ids["pc-1"], ids2["pc-1"])
		assert.Equal(t, "inactive", string(r.equipment(t, company, ids["pc-1"], nil).Status()))
	})

	t.Run("apply writes installs, updates, removals; history carries them", func(t *testing.T) {
		r := newRepos(t)
		company := newCompany(t, r)
		id := r.touch(t, company, t0, "PC-1")["pc-1"]
		var first inventory.Plan
		install(&first, id, "Chrome", "119", t0)
		install(&first, id, "Zip", "1", t0)
		r.apply(t, company, first)
		stored := r.stored(t, company, id)
		assert.Equal(t, first.Installs, stored, "the installations read back are the ones written")

		at := t0.Add(time.Hour)
		r.touch(t, company, at, "pc-1")
		chrome, zip := stored[0], stored[1]
		chrome.Version, chrome.ChangedAt = "120", at
		zip.Removed, zip.ChangedAt = true, at
		r.apply(t, company, inventory.Plan{Updates: []inventory.Installation{chrome}, Removals: []inventory.Installation{zip},
			Events: []inventory.Event{
				{ComputerID: id, Program: chrome.Program, Kind: inventory.EventUpdated, FromVersion: "119", ToVersion: "120", At: at},
				{ComputerID: id, Program: zip.Program, Kind: inventory.EventRemoved, FromVersion: "1", At: at},
			}})
		assert.Equal(t, []inventory.Installation{chrome, zip}, r.stored(t, company, id), "an update and a removal are read back as written; a removed row is kept")
		assert.Empty(t, r.stored(t, company, r.touch(t, company, at, "PC-2")["pc-2"]), "only the installations of the computers asked for")

		all, err := r.Inventory.ListInstallations(ctx, company, inventory.Filter{IncludeRemoved: true, Limit: 10})
		require.NoError(t, err)
		require.Len(t, all.Items, 2)
		assert.Equal(t, "Chrome", all.Items[0].Program.Display())
		assert.Equal(t, "120", all.Items[0].Version)
		assert.Equal(t, t0, all.Items[0].InstalledAt)
		assert.Equal(t, t0.Add(time.Hour), all.Items[0].ChangedAt)
		assert.True(t, all.Items[1].Removed)

		h, err := r.Inventory.ComputerHistory(ctx, company, "pc-1", "", 10)
		require.NoError(t, err)
		var got []string
		for _, e := range h.Events {
			got = append(got, fmt.Sprintf("%s %s %s>%s", e.Kind, e.Program.Display(), e.FromVersion, e.ToVersion))
		}
		assert.Equal(t, []string{"installed Chrome >119", "installed Zip >1", "updated Chrome 119>120", "removed Zip 1>"}, got)
	})

	t.Run("apply stores the digests of the computers' software, read back per computer and company", func(t *testing.T) {
		r := newRepos(t)
		company := newCompany(t, r)
		ids := r.touch(t, company, t0, "PC-1", "PC-2")
		digests, err := r.Inventory.SoftwareDigests(ctx, company, []string{ids["pc-1"], ids["pc-2"]})
		require.NoError(t, err)
		assert.Empty(t, digests, "a computer whose digest was never written has none")

		var plan inventory.Plan
		install(&plan, ids["pc-1"], "Zip", "1", t0)
		d1, _ := inventory.PushDigests([]string{ids["pc-1"]}, []inventory.Desired{{ComputerID: ids["pc-1"], Program: inventory.NewProgramName("Zip"), Version: "1"}})
		plan.Digests = []inventory.ComputerDigest{{ComputerID: ids["pc-1"], Digest: d1[ids["pc-1"]]}}
		r.apply(t, company, plan)
		digests, err = r.Inventory.SoftwareDigests(ctx, company, []string{ids["pc-1"], ids["pc-2"]})
		require.NoError(t, err)
		assert.Equal(t, map[string]inventory.Digest{ids["pc-1"]: d1[ids["pc-1"]]}, digests)

		r.touch(t, company, t0.Add(time.Minute), "PC-1")
		r.equipment(t, company, ids["pc-1"], func(*client.Equipment) {})
		digests, err = r.Inventory.SoftwareDigests(ctx, company, []string{ids["pc-1"]})
		require.NoError(t, err)
		assert.Len(t, digests, 1, "a touch, and a save of the equipment, keep the digest")

		other := newCompany(t, r)
		digests, err = r.Inventory.SoftwareDigests(ctx, other, []string{ids["pc-1"]})
		require.NoError(t, err)
		assert.Empty(t, digests, "another company sees no digest of these computers")
	})

	t.Run("large pushes span several statements", func(t *testing.T) {
		r := newRepos(t)
		company := newCompany(t, r)
		ids := r.touch(t, company, t0, "PC-0", "PC-1", "PC-2")
		var plan inventory.Plan
		for i := range 7000 {
			install(&plan, ids[fmt.Sprintf("pc-%d", i%3)], fmt.Sprintf("Program %04d", i), "1", t0)
		}
		r.apply(t, company, plan)
		assert.Len(t, r.stored(t, company, ids["pc-0"], ids["pc-1"], ids["pc-2"]), 7000)
		n := 0
		f := inventory.Filter{Limit: inventory.MaxPageSize}
		for {
			page, err := r.Inventory.ListInstallations(ctx, company, f)
			require.NoError(t, err)
			n += len(page.Items)
			if page.NextCursor == "" {
				break
			}
			f.Cursor = page.NextCursor
		}
		assert.Equal(t, 7000, n)
		sum, err := r.Inventory.Programs(ctx, company, "program 0042")
		require.NoError(t, err)
		require.Len(t, sum, 1)
		assert.Equal(t, 1, sum[0].Computers)
	})

	t.Run("the summary shows a program's earliest installed spelling", func(t *testing.T) {
		r := newRepos(t)
		company := newCompany(t, r)
		for _, p := range []struct {
			program, computer string
			at                time.Time
		}{{"Google Chrome", "PC-2", t0.Add(time.Hour)}, {"google chrome", "PC-1", t0}, {"GOOGLE CHROME", "PC-3", t0.Add(2 * time.Hour)}, {"Zip", "PC-0", t0}} {
			var plan inventory.Plan
			install(&plan, r.touch(t, company, p.at, p.computer)[inventory.ComputerKey(p.computer)], p.program, "1", p.at)
			r.apply(t, company, plan)
		}
		sum, err := r.Inventory.Programs(ctx, company, "")
		require.NoError(t, err)
		require.Len(t, sum, 2)
		assert.Equal(t, "google chrome", sum[0].Program)
		assert.Equal(t, 3, sum[0].Computers)
		assert.Equal(t, "Zip", sum[1].Program)
		one, err := r.Inventory.Programs(ctx, company, "google chrome")
		require.NoError(t, err)
		require.Len(t, one, 1)
		assert.Equal(t, "google chrome", one[0].Program)
	})

	t.Run("companies see only their own computers", func(t *testing.T) {
		r := newRepos(t)
		a, b := newCompany(t, r), newCompany(t, r)
		for company, program := range map[string]string{a: "Chrome", b: "Zip"} {
			var plan inventory.Plan
			install(&plan, r.touch(t, company, t0, "PC-1")["pc-1"], program, "1", t0)
			r.apply(t, company, plan)
		}
		for company, program := range map[string]string{a: "Chrome", b: "Zip"} {
			page, err := r.Inventory.ListInstallations(ctx, company, inventory.Filter{IncludeRemoved: true, Limit: 10})
			require.NoError(t, err)
			require.Len(t, page.Items, 1)
			assert.Equal(t, program, page.Items[0].Program.Display())
			assert.False(t, page.Items[0].Removed)
		}
		_, err := r.Inventory.ComputerHistory(ctx, newCompany(t, r), "pc-1", "", 10)
		assert.True(t, errors.Is(err, domain.ErrNotFound), "%v", err)
	})

	t.Run("Concurrent pushes of the same computers in opposite orders", func(t *testing.T) {
		r := newRepos(t)
		company := newCompany(t, r)
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var names []string
				for c := range 10 {
					if i%2 == 1 {
						c = 9 - c
					}
					names = append(names, fmt.Sprintf("PC-%d", c))
				}
				errs[i] = r.Tx.Within(ctx, func(ctx context.Context) error {
					return installOrUpdate(ctx, r, company, names, fmt.Sprint(i))
				})
			}()
		}
		wg.Wait()
		for _, err := range errs {
			assert.NoError(t, err)
		}
		page, err := r.Inventory.ListInstallations(ctx, company, inventory.Filter{Limit: 1000})
		require.NoError(t, err)
		assert.Len(t, page.Items, 100)
	})
}
