package client

import (
	"time"
)

// Site is a place of a client where equipment stands. Site names need not be
// unique.
type Site struct {
	id        string
	companyID string
	clientID  string
	nom       string
	status    Status
	createdAt time.Time
}

// NewSite validates a new, active site of owner, whose company it joins.
// Taking the client itself (not its id) makes the caller load it first, so a
// site is never created for a client of another company or that does not
// exist. nom follows the client's rules. An inactive owner is refused with an
// error matching domain.ErrConflict, after the validation problems if any.
func NewSite(id string, owner Client, nom string, now time.Time) (Site, error) {
	s := Site{id: id, companyID: owner.companyID, clientID: owner.id, status: StatusActive, createdAt: stamp(now)}
	if err := s.Rename(nom); err != nil {
		return Site{}, err
	}
	if !owner.Active() {
		return Site{}, inactive("client", owner.id)
	}
	return s, nil
}

// SiteRecord is a site as stored, for RestoreSite.
type SiteRecord struct {
	ID, CompanyID, ClientID string
	Nom                     string
	Status                  Status
	CreatedAt               time.Time
}

// RestoreSite rebuilds a stored site without validating it again.
func RestoreSite(r SiteRecord) Site {
	return Site{id: r.ID, companyID: r.CompanyID, clientID: r.ClientID, nom: r.Nom, status: r.Status, createdAt: r.CreatedAt.UTC()}
}

// Rename replaces the site's name, with the client's rules for nom.
func (s *Site) Rename(nom string) error {
	if err := CheckSiteName(nom); err != nil {
		return err
	}
	s.nom = Name(nom)
	return nil
}

// Deactivate marks the site inactive. Its equipment stays assigned to it but
// is no longer counted, and no equipment may move onto it. Idempotent.
func (s *Site) Deactivate() { s.status = StatusInactive }

func (s Site) ID() string           { return s.id }
func (s Site) CompanyID() string    { return s.companyID }
func (s Site) ClientID() string     { return s.clientID }
func (s Site) Nom() string          { return s.nom }
func (s Site) Status() Status       { return s.status }
func (s Site) Active() bool         { return s.status == StatusActive }
func (s Site) CreatedAt() time.Time { return s.createdAt }
