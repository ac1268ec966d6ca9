package app_test

import (
	"context"
	"errors"
	"testing"

	"github.com/parc-hq/parc/app"
	"github.com/parc-hq/parc/domain"
	"github.com/parc-hq/parc/domain/client"
	"github.com/parc-hq/parc/ports"
)

// fakeClients is an in-memory ClientRepository, SiteRepository and
// EquipmentRepository, scoped by company as the ports say.
type fakeClients struct {
	clients   map[string]client.Client
	sites     map[string]client.Site
	equipment map[string]client.Equipment
}

var (
	_ ports.ClientRepository    = (*fakeClients)(nil)
	_ ports.SiteRepository      = (*fakeClients)(nil)
	_ ports.EquipmentRepository = (*fakeClients)(nil)
)

func newFakeClients() *fakeClients {
	return &fakeClients{clients: map[string]client.Client{}, sites: map[string]client.Site{}, equipment: map[string]client.Equipment{}}
}

func (f *fakeClients) CreateClient(_ context.Context, c client.Client) error {
	for _, o := range f.clients {
		if o.CompanyID() == c.CompanyID() && o.Code() == c.Code() {
			return client.CodeTaken(c.Code())
		}
	}
	f.clients[c.ID()] = c
	return nil
}

func (f *fakeClients) SaveClient(_ context.Context, c client.Client) error {
	f.clients[c.ID()] = c
	return nil
}

func (f *fakeClients) LockClient(_ context.Context, companyID, id string) (client.Client, error) {
	if c, ok := f.clients[id]; ok && c.CompanyID() == companyID {
		return c, nil
	}
	return client.Client{}, client.ClientNotFound(id)
}

func (f *fakeClients) ClientSummaries(_ context.Context, companyID string, _ ports.ClientQuery) ([]client.Summary, int, error) {
	var out []client.Summary
	for _, c := range f.clients {
		if c.CompanyID() == companyID {
			out = append(out, client.Summary{Client: c})
		}
	}
	return out, len(out), nil
}

func (f *fakeClients) ClientSummary(ctx context.Context, companyID, id string) (client.Summary, error) {
	c, err := f.LockClient(ctx, companyID, id)
	return client.Summary{Client: c}, err
}

func (f *fakeClients) ClientDetail(ctx context.Context, companyID, id string) (client.Detail, error) {
	c, err := f.LockClient(ctx, companyID, id)
	return client.Detail{Client: c}, err
}

func (f *fakeClients) CreateSite(_ context.Context, s client.Site) error {
	f.sites[s.ID()] = s
	return nil
}

func (f *fakeClients) SaveSite(_ context.Context, s client.Site) error {
	f.sites[s.ID()] = s
	return nil
}

func (f *fakeClients) LockSite(_ context.Context, companyID, id string) (client.Site, error) {
	if s, ok := f.sites[id]; ok && s.CompanyID() == companyID {
		return s, nil
	}
	return client.Site{}, client.SiteNotFound(id)
}

func (f *fakeClients) SiteSummary(ctx context.Context, companyID, id string) (client.SiteSummary, error) {
	s, err := f.LockSite(ctx, companyID, id)
	return client.SiteSummary{Site: s}, err
}

func (f *fakeClients) SitesOfClient(_ context.Context, companyID, clientID string) ([]client.SiteSummary, error) {
	var out []client.SiteSummary
	for _, s := range f.sites {
		if s.CompanyID() == companyID && s.ClientID() == clientID {
			out = append(out, client.SiteSummary{Site: s})
		}
	}
	return out, nil
}

func (f *fakeClients) CreateEquipment(_ context.Context, e client.Equipment) error {
	for _, o := range f.equipment {
		if o.CompanyID() == e.CompanyID() && o.NameKey() == e.NameKey() {
			return client.NameTaken(e.Name())
		}
	}
	f.equipment[e.ID()] = e
	return nil
}

func (f *fakeClients) SaveEquipment(_ context.Context, e client.Equipment) error {
	f.equipment[e.ID()] = e
	return nil
}

func (f *fakeClients) LockEquipment(_ context.Context, companyID, id string) (client.Equipment, error) {
	if e, ok := f.equipment[id]; ok && e.CompanyID() == companyID {
		return e, nil
	}
	return client.Equipment{}, client.EquipmentNotFound(id)
}

func (f *fakeClients) ListEquipment(_ context.Context, companyID string, q ports.EquipmentQuery) ([]client.Equipment, int, error) {
	var out []client.Equipment
	for _, e := range f.equipment {
		if e.CompanyID() == companyID && (q.SiteID == "" || e.SiteID() == q.SiteID) {
			out = append(out, e)
		}
	}
	return out, len(out), nil
}

func newClientService(repo *fakeClients) *app.ClientService {
	return app.NewClientService(repo, repo, repo, &fakeTx{}, fakeClock{now}, &fakeIDs{}, quiet)
}

func TestClientServiceKeepsTheAreaRules(t *testing.T) {
	ctx := context.Background()
	repo := newFakeClients()
	svc := newClientService(repo)

	acme, err := svc.Register(ctx, "co-1", " Acme ", 7)
	if err != nil || acme.Client.Nom() != "Acme" {
		t.Fatalf("register: %v %+v", err, acme)
	}
	if _, err := svc.Register(ctx, "co-1", "Other", 7); !errors.Is(err, domain.ErrConflict) || !errorMessageIs(err, "client code 7 already exists") {
		t.Fatalf("a taken code: %v", err)
	}
	if _, err := svc.Register(ctx, "co-1", " ", -1); !errors.Is(err, domain.ErrInvalid) || len(repo.clients) != 1 {
		t.Fatalf("an invalid client was stored or not refused: %v", err)
	}

	site, err := svc.CreateSite(ctx, "co-1", acme.Client.ID(), "Lyon")
	if err != nil {
		t.Fatal(err)
	}
	pc, err := svc.CreateEquipment(ctx, "co-1", site.Site.ID(), client.EquipmentSpec{Name: "PC-01"})
	if err != nil || pc.SiteID() != site.Site.ID() {
		t.Fatalf("equipment: %v %+v", err, pc)
	}
	// Another company sees none of it.
	if _, err := svc.CreateEquipment(ctx, "co-2", site.Site.ID(), client.EquipmentSpec{Name: "PC-02"}); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("another company's site: %v", err)
	}

	// An inactive client takes no new site, and its sites no equipment.
	if err := svc.Deactivate(ctx, "co-1", acme.Client.ID()); err != nil {
		t.Fatal(err)
	}
	want := "client " + acme.Client.ID() + " is inactive"
	if _, err := svc.CreateSite(ctx, "co-1", acme.Client.ID(), "Nice"); !errors.Is(err, domain.ErrConflict) || !errorMessageIs(err, want) {
		t.Fatalf("site of an inactive client: %v", err)
	}
	if _, err := svc.CreateEquipment(ctx, "co-1", site.Site.ID(), client.EquipmentSpec{Name: "PC-03"}); !errorMessageIs(err, want) {
		t.Fatalf("equipment on a site of an inactive client: %v", err)
	}
	// Taking equipment off its site is always allowed.
	none := ""
	moved, err := svc.UpdateEquipment(ctx, "co-1", pc.ID(), app.EquipmentUpdate{SiteID: &none})
	if err != nil || moved.SiteID() != "" {
		t.Fatalf("unassign: %v %+v", err, moved)
	}
}
