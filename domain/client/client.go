// Package client holds a company's clients, their sites and the equipment on
// those sites (seed 001): the entities, their rules, and the read model of the
// client listings with their counts.
//
// Everything belongs to one company (companyID, the tenant's id). Nothing is
// ever erased: Deactivate marks a client, site or equipment inactive and it
// stays stored, listed with its status, and holding its unique code or name.
// Deactivation does not cascade; the counts of the read model skip inactive
// things instead (see Summary).
//
// Validation problems are *domain.ValidationError whose problems carry a
// type and the values of the rule (see TypeStringTooShort, …), at paths
// named after the JSON fields of the contract ("nom", "code", "name",
// "ip_address", ...); adapters word them. CheckClient, CheckSiteName and
// CheckEquipment run the rules on an input alone, so that an adapter can
// report them with its decoding problems before anything is looked up.
// Constructors and update methods report every problem of their input at
// once, and leave the receiver unchanged when there is any.
package client

import (
	"strings"
	"time"

	"github.com/parc-hq/parc/domain"
)

// Status says whether a client, site or equipment is in use. Inactive ones
// are kept (with their history and links) but no longer counted.
type Status string

const (
	StatusActive   Status = "active"
	StatusInactive Status = "inactive"
)

// ParseStatus accepts exactly the two status words; otherwise the error is
// TypeEnum at path {"status"}.
func ParseStatus(s string) (Status, error) {
	switch Status(s) {
	case StatusActive, StatusInactive:
		return Status(s), nil
	}
	return "", invalid(TypeEnum, map[string]any{"expected": []string{string(StatusActive), string(StatusInactive)}}, "status")
}

// MaxNomLen bounds the name (`nom`) of a client or a site, in characters.
const MaxNomLen = domain.MaxNameLen

// PageSize is the paging of the client and equipment listings: without a
// limit they answer every row.
var PageSize = domain.PageSize{Max: 1000}

// Client is a customer of the company. Its code is the company's own integer
// reference for it, unique among all the company's clients (active or not);
// the repository enforces that and reports a clash as CodeTaken.
type Client struct {
	id        string
	companyID string
	nom       string
	code      int64
	status    Status
	createdAt time.Time
}

// New validates a new, active client. nom is trimmed and must keep 1 to
// MaxNomLen characters; code must be 0 or more (the seed's example is 0).
// id is trusted (minted by the ID port); createdAt is now in UTC, cut to
// microseconds so that it reads back from every database exactly as created.
func New(id, companyID, nom string, code int64, now time.Time) (Client, error) {
	c := Client{id: id, companyID: companyID, status: StatusActive, createdAt: stamp(now)}
	if err := c.Update(nom, code); err != nil {
		return Client{}, err
	}
	return c, nil
}

// Record is a client as stored, for Restore: named fields, so that two ids
// cannot be swapped silently.
type Record struct {
	ID, CompanyID string
	Nom           string
	Code          int64
	Status        Status
	CreatedAt     time.Time
}

// Restore rebuilds a stored client without validating it again.
func Restore(r Record) Client {
	return Client{id: r.ID, companyID: r.CompanyID, nom: r.Nom, code: r.Code, status: r.Status, createdAt: r.CreatedAt.UTC()}
}

// Update replaces the name and the code (PUT /clients/update sends both), with
// New's rules. An inactive client may be updated too; it stays inactive.
func (c *Client) Update(nom string, code int64) error {
	if err := CheckClient(ClientInput{Nom: &nom, Code: &code}); err != nil {
		return err
	}
	c.nom, c.code = Name(nom), code
	return nil
}

// ClientInput is a client as a caller describes it; a nil field is one
// that did not arrive and is not checked.
type ClientInput struct {
	Nom  *string
	Code *int64
}

// CheckClient reports every problem of in at once, with New's rules: a nom
// of 1 to MaxNomLen characters once trimmed, a code of 0 or more.
func CheckClient(in ClientInput) error {
	v := &domain.ValidationError{}
	if in.Nom != nil {
		domain.Name(v, *in.Nom, "nom")
	}
	if in.Code != nil && *in.Code < 0 {
		v.Problems = append(v.Problems, problem(TypeGreaterThanEqual, map[string]any{"ge": int64(0)}, "code"))
	}
	return v.OrNil()
}

// CheckSiteName reports the problems of a site's name: a client's rules
// for nom.
func CheckSiteName(nom string) error {
	v := &domain.ValidationError{}
	domain.Name(v, nom, "nom")
	return v.OrNil()
}

// Deactivate marks the client inactive (DELETE /clients/{client_id}). Doing it
// twice is harmless.
func (c *Client) Deactivate() { c.status = StatusInactive }

func (c Client) ID() string           { return c.id }
func (c Client) CompanyID() string    { return c.companyID }
func (c Client) Nom() string          { return c.nom }
func (c Client) Code() int64          { return c.code }
func (c Client) Status() Status       { return c.status }
func (c Client) Active() bool         { return c.status == StatusActive }
func (c Client) CreatedAt() time.Time { return c.createdAt }

// Name is the form every name and text of this area is kept in: surrounding
// white space trimmed.
func Name(s string) string { return strings.TrimSpace(s) }

// stamp is the form of every time this package keeps: UTC, microseconds
// (the precision of the timestamp columns on every backend).
func stamp(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
