package contract

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parc-hq/parc/domain"
	"github.com/parc-hq/parc/domain/client"
	"github.com/parc-hq/parc/ports"
)

// ClientRepos are the ports the clients suite checks.
type ClientRepos struct {
	Clients   ports.ClientRepository
	Sites     ports.SiteRepository
	Equipment ports.EquipmentRepository
	Companies ports.CompanyRepository
	Tx        ports.Transactor
}

// clientFixture is a company of its own, for one subtest.
type clientFixture struct {
	t         testing.TB
	r         ClientRepos
	companyID string
	owners    map[string]client.Client // the client of each site made, by site id
}

func newClientFixture(t testing.TB, r ClientRepos) *clientFixture {
	t.Helper()
	c := NewCompany(t)
	require.NoError(t, r.Companies.CreateCompany(context.Background(), c))
	return &clientFixture{t: t, r: r, companyID: c.ID(), owners: map[string]client.Client{}}
}

func (f *clientFixture) client(nom string, code int64) client.Client {
	f.t.Helper()
	c, err := client.New(uuid.NewString(), f.companyID, nom, code, time.Now())
	require.NoError(f.t, err)
	require.NoError(f.t, f.r.Clients.CreateClient(context.Background(), c))
	return c
}

func (f *clientFixture) site(owner client.Client, nom string) client.Site {
	f.t.Helper()
	s, err := client.NewSite(uuid.NewString(), owner, nom, time.Now())
	require.NoError(f.t, err)
	require.NoError(f.t, f.r.Sites.CreateSite(context.Background(), s))
	f.owners[s.ID()] = owner
	return s
}

// equipment stores an equipment on site (nil: on none, as the inventory push creates computers).
func (f *clientFixture) equipment(site *client.Site, name string) client.Equipment {
	f.t.Helper()
	e, err := client.NewEquipment(uuid.NewString(), f.companyID, client.EquipmentSpec{Name: name, Type: client.ComputerType}, time.Now())
	require.NoError(f.t, err)
	if site != nil {
		require.NoError(f.t, e.MoveTo(*site, f.owners[site.ID()]))
	}
	require.NoError(f.t, f.r.Equipment.CreateEquipment(context.Background(), e))
	return e
}

// RunClientRepository checks clients, sites, equipment and their counts.
func RunClientRepository(t *testing.T, newRepos func(t *testing.T) ClientRepos) {
	ctx := context.Background()

	t.Run("client round trip and summary", func(t *testing.T) {
		f := newClientFixture(t, newRepos(t))
		c := f.client("Acme", 7)
		got, err := f.r.Clients.ClientSummary(ctx, f.companyID, c.ID())
		require.NoError(t, err)
		assert.Equal(t, client.Summary{Client: c}, got)
	})

	t.Run("a code is unique in a company, not across companies", func(t *testing.T) {
		r := newRepos(t)
		f, g := newClientFixture(t, r), newClientFixture(t, r)
		f.client("A", 1)
		dup, err := client.New(uuid.NewString(), f.companyID, "B", 1, time.Now())
		require.NoError(t, err)
		err = r.Clients.CreateClient(ctx, dup)
		assert.ErrorIs(t, err, domain.ErrConflict)
		assert.EqualError(t, err, "client code 1 already exists")
		g.client("A", 1)
	})

	t.Run("save under lock; a taken code is a conflict; other companies see nothing", func(t *testing.T) {
		r := newRepos(t)
		f := newClientFixture(t, r)
		a, b := f.client("A", 1), f.client("B", 2)
		require.NoError(t, r.Tx.Within(ctx, func(ctx context.Context) error {
			c, err := r.Clients.LockClient(ctx, f.companyID, a.ID())
			if err != nil {
				return err
			}
			if err := c.Update("A2", 3); err != nil {
				return err
			}
			c.Deactivate()
			return r.Clients.SaveClient(ctx, c)
		}))
		got, err := r.Clients.ClientSummary(ctx, f.companyID, a.ID())
		require.NoError(t, err)
		assert.Equal(t, "A2", got.Client.Nom())
		assert.EqualValues(t, 3, got.Client.Code())
		assert.Equal(t, client.StatusInactive, got.Client.Status())

		err = r.Tx.Within(ctx, func(ctx context.Context) error {
			c, err := r.Clients.LockClient(ctx, f.companyID, b.ID())
			if err != nil {
				return err
			}
			_ = c.Update("B", 3)
			return r.Clients.SaveClient(ctx, c)
		})
		assert.ErrorIs(t, err, domain.ErrConflict)

		other := newClientFixture(t, r)
		_, err = r.Clients.ClientSummary(ctx, other.companyID, a.ID())
		assert.ErrorIs(t, err, domain.ErrNotFound)
		_, err = r.Clients.ClientDetail(ctx, other.companyID, a.ID())
		assert.ErrorIs(t, err, domain.ErrNotFound)
		err = r.Tx.Within(ctx, func(ctx context.Context) error {
			_, err := r.Clients.LockClient(ctx, other.companyID, a.ID())
			return err
		})
		assert.ErrorIs(t, err, domain.ErrNotFound)
	})

	t.Run("locks outside a transaction are refused", func(t *testing.T) {
		r := newRepos(t)
		f := newClientFixture(t, r)
		c := f.client("A", 1)
		_, err := r.Clients.LockClient(ctx, f.companyID, c.ID())
		assert.Error(t, err)
		_, err = r.Sites.LockSite(ctx, f.companyID, uuid.NewString())
		assert.Error(t, err)
		_, err = r.Equipment.LockEquipment(ctx, f.companyID, uuid.NewString())
		assert.Error(t, err)
	})

	t.Run("counts: active sites, active equipment on active sites", func(t *testing.T) {
		r := newRepos(t)
		f := newClientFixture(t, r)
		a, b, empty := f.client("A", 1), f.client("B", 2), f.client("Empty", 3)
		lyon, paris, closed := f.site(a, "Lyon"), f.site(a, "Paris"), f.site(a, "Closed")
		nice := f.site(b, "Nice")
		f.equipment(&lyon, "pc-1")
		f.equipment(&lyon, "pc-2")
		f.equipment(&paris, "pc-3")
		f.equipment(&closed, "pc-4")
		off := f.equipment(&nice, "pc-5")
		f.equipment(nil, "unassigned")
		require.NoError(t, r.Tx.Within(ctx, func(ctx context.Context) error {
			s, err := r.Sites.LockSite(ctx, f.companyID, closed.ID())
			if err != nil {
				return err
			}
			s.Deactivate()
			if err := r.Sites.SaveSite(ctx, s); err != nil {
				return err
			}
			e, err := r.Equipment.LockEquipment(ctx, f.companyID, off.ID())
			if err != nil {
				return err
			}
			e.Deactivate()
			return r.Equipment.SaveEquipment(ctx, e)
		}))

		list, total, err := r.Clients.ClientSummaries(ctx, f.companyID, ports.ClientQuery{})
		require.NoError(t, err)
		assert.Equal(t, 3, total)
		require.Len(t, list, 3)
		assert.Equal(t, []client.Summary{{Client: a, Sites: 2, Equipements: 3}, {Client: b, Sites: 1}, {Client: empty}}, list)

		d, err := r.Clients.ClientDetail(ctx, f.companyID, a.ID())
		require.NoError(t, err)
		assert.Equal(t, client.Detail{Client: a, Sites: []client.SiteSummary{{Site: lyon, Equipements: 2}, {Site: paris, Equipements: 1}}}, d)

		sites, err := r.Sites.SitesOfClient(ctx, f.companyID, a.ID())
		require.NoError(t, err)
		require.Len(t, sites, 3, "every status")
		assert.Equal(t, "Closed", sites[0].Site.Nom())
		assert.Equal(t, client.StatusInactive, sites[0].Site.Status())
		assert.Equal(t, 1, sites[0].Equipements, "its active equipment, still assigned")
	})

	t.Run("pages in code order with the total; status filter", func(t *testing.T) {
		r := newRepos(t)
		f := newClientFixture(t, r)
		var all []client.Client
		for _, code := range []int64{5, 3, 9, 1, 7} {
			all = append(all, f.client(fmt.Sprint("C", code), code))
		}
		inactive := client.StatusInactive
		require.NoError(t, r.Tx.Within(ctx, func(ctx context.Context) error {
			c, err := r.Clients.LockClient(ctx, f.companyID, all[2].ID())
			if err != nil {
				return err
			}
			c.Deactivate()
			return r.Clients.SaveClient(ctx, c)
		}))
		codes := func(q ports.ClientQuery) ([]int64, int) {
			list, total, err := r.Clients.ClientSummaries(ctx, f.companyID, q)
			require.NoError(t, err)
			var out []int64
			for _, s := range list {
				out = append(out, s.Client.Code())
			}
			return out, total
		}
		got, total := codes(ports.ClientQuery{Limit: 2, Offset: 1})
		assert.Equal(t, []int64{3, 5}, got)
		assert.Equal(t, 5, total)
		got, total = codes(ports.ClientQuery{Offset: 3})
		assert.Equal(t, []int64{7, 9}, got)
		assert.Equal(t, 5, total)
		got, total = codes(ports.ClientQuery{Status: &inactive})
		assert.Equal(t, []int64{9}, got)
		assert.Equal(t, 1, total)
		got, total = codes(ports.ClientQuery{Offset: 10})
		assert.Empty(t, got)
		assert.Equal(t, 5, total)
	})

	t.Run("equipment: round trip, case-insensitive names, listing filters", func(t *testing.T) {
		r := newRepos(t)
		f := newClientFixture(t, r)
		owner := f.client("A", 1)
		site := f.site(owner, "Lyon")
		seen := time.Now().UTC().Truncate(time.Microsecond)
		e, err := client.NewEquipment(uuid.NewString(), f.companyID, client.EquipmentSpec{Name: "PC-01", Type: "computer", Serial: "SN", IPAddress: "2001:db8::1"}, time.Now())
		require.NoError(t, err)
		e.MarkSeen(seen, netip.Addr{})
		require.NoError(t, r.Equipment.CreateEquipment(ctx, e))
		onSite := f.equipment(&site, "Printer")

		dup, err := client.NewEquipment(uuid.NewString(), f.companyID, client.EquipmentSpec{Name: " pc-01"}, time.Now())
		require.NoError(t, err)
		err = r.Equipment.CreateEquipment(ctx, dup)
		assert.ErrorIs(t, err, domain.ErrConflict)
		assert.EqualError(t, err, `equipment name "pc-01" already exists`)
		newClientFixture(t, r).equipment(nil, "PC-01")

		list, total, err := r.Equipment.ListEquipment(ctx, f.companyID, ports.EquipmentQuery{Unassigned: true})
		require.NoError(t, err)
		assert.Equal(t, []client.Equipment{e}, list)
		assert.Equal(t, 1, total)
		list, _, err = r.Equipment.ListEquipment(ctx, f.companyID, ports.EquipmentQuery{SiteID: site.ID()})
		require.NoError(t, err)
		assert.Equal(t, []client.Equipment{onSite}, list)
		list, total, err = r.Equipment.ListEquipment(ctx, f.companyID, ports.EquipmentQuery{Limit: 1})
		require.NoError(t, err)
		assert.Equal(t, []client.Equipment{e}, list, "by name key")
		assert.Equal(t, 2, total)

		require.NoError(t, r.Tx.Within(ctx, func(ctx context.Context) error {
			got, err := r.Equipment.LockEquipment(ctx, f.companyID, e.ID())
			if err != nil {
				return err
			}
			assert.Equal(t, e, got)
			if err := got.MoveTo(site, owner); err != nil {
				return err
			}
			return r.Equipment.SaveEquipment(ctx, got)
		}))
		list, _, err = r.Equipment.ListEquipment(ctx, f.companyID, ports.EquipmentQuery{SiteID: site.ID()})
		require.NoError(t, err)
		require.Len(t, list, 2)
		assert.Equal(t, seen, list[0].LastSeen(), "saving keeps the push's last_seen")
		s, err := r.Sites.SiteSummary(ctx, f.companyID, site.ID())
		require.NoError(t, err)
		assert.Equal(t, 2, s.Equipements)
	})

	t.Run("Concurrent code clashes leave one client", func(t *testing.T) {
		r := newRepos(t)
		f := newClientFixture(t, r)
		code := rand.Int64N(1 << 40)
		errs := make(chan error, 6)
		for i := range 6 {
			go func() {
				c, err := client.New(uuid.NewString(), f.companyID, fmt.Sprint("N", i), code, time.Now())
				if err == nil {
					err = r.Clients.CreateClient(ctx, c)
				}
				errs <- err
			}()
		}
		ok := 0
		for range 6 {
			err := <-errs
			if err == nil {
				ok++
				continue
			}
			assert.True(t, errors.Is(err, domain.ErrConflict), "%v", err)
		}
		assert.Equal(t, 1, ok)
	})
}
