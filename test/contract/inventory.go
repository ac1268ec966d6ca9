package contract

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
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

// pushPlan runs the push use case's storage steps: touch, read, merge, apply.
func pushPlan(ctx context.Context, r InventoryRepos, companyID string, records map[string][2]string, full bool, at time.Time) (inventory.Plan, error) {
	var plan inventory.Plan
	err := r.Tx.Within(ctx, func(ctx context.Context) error {
		var names []string
		seen := map[string]bool{}
		for _, cv := range records {
			if !seen[cv[0]] {
				seen[cv[0]] = true
				names = append(names, cv[0])
			}
		}
		cs := computers(names...)
		ids, err := r.Inventory.TouchComputers(ctx, companyID, cs, system.UUIDs{}, at)
		if err != nil {
			return err
		}
		var idList []string
		for _, id := range ids {
			idList = append(idList, id)
		}
		stored, err := r.Inventory.Installations(ctx, companyID, idList)
		if err != nil {
			return err
		}
		var desired []inventory.Desired
		for program, cv := range records {
			desired = append(desired, inventory.Desired{ComputerID: ids[inventory.ComputerKey(cv[0])], Program: inventory.NewProgramName(program), Version: cv[1]})
		}
		plan = inventory.Merge(stored, desired, inventory.Trim{Full: full}, at)
		return r.Inventory.Apply(ctx, companyID, plan)
	})
	return plan, err
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

		_, err = pushPlan(ctx, r, company, map[string][2]string{"Chrome": {"pc-accueil", "1"}}, false, t0.Add(2*time.Hour))
		require.NoError(t, err)
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
		_, err := pushPlan(ctx, r, company, map[string][2]string{"Chrome": {"PC-1", "119"}, "Zip": {"PC-1", "1"}}, false, t0)
		require.NoError(t, err)
		plan, err := pushPlan(ctx, r, company, map[string][2]string{"chrome": {"pc-1", "120"}}, true, t0.Add(time.Hour))
		require.NoError(t, err)
		assert.Len(t, plan.Updates, 1)
		assert.Len(t, plan.Removals, 1)
		plan, err = pushPlan(ctx, r, company, map[string][2]string{"CHROME": {"PC-1", "120"}}, true, t0.Add(2*time.Hour))
		require.NoError(t, err)
		assert.True(t, plan.Empty())
		assert.Equal(t, 1, plan.Unchanged)

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

	t.Run("large pushes span several statements", func(t *testing.T) {
		r := newRepos(t)
		company := newCompany(t, r)
		records := map[string][2]string{}
		for i := range 7000 {
			records[fmt.Sprintf("Program %04d", i)] = [2]string{fmt.Sprintf("PC-%d", i%3), "1"}
		}
		plan, err := pushPlan(ctx, r, company, records, false, t0)
		require.NoError(t, err)
		assert.Len(t, plan.Installs, 7000)
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
			_, err := pushPlan(ctx, r, company, map[string][2]string{p.program: {p.computer, "1"}}, false, p.at)
			require.NoError(t, err)
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
		_, err := pushPlan(ctx, r, a, map[string][2]string{"Chrome": {"PC-1", "1"}}, false, t0)
		require.NoError(t, err)
		_, err = pushPlan(ctx, r, b, map[string][2]string{"Zip": {"PC-1", "1"}}, true, t0)
		require.NoError(t, err)
		for company, program := range map[string]string{a: "Chrome", b: "Zip"} {
			page, err := r.Inventory.ListInstallations(ctx, company, inventory.Filter{IncludeRemoved: true, Limit: 10})
			require.NoError(t, err)
			require.Len(t, page.Items, 1)
			assert.Equal(t, program, page.Items[0].Program.Display())
			assert.False(t, page.Items[0].Removed)
		}
		_, err = r.Inventory.ComputerHistory(ctx, newCompany(t, r), "pc-1", "", 10)
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
				records := map[string][2]string{}
				for c := range 10 {
					if i%2 == 1 {
						c = 9 - c
					}
					for p := range 10 {
						records[fmt.Sprintf("P%d-%d", c, p)] = [2]string{fmt.Sprintf("PC-%d", c), fmt.Sprint(i)}
					}
				}
				_, errs[i] = pushPlan(ctx, r, company, records, false, time.Now().UTC().Truncate(time.Microsecond))
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
