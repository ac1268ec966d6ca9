package inventory

import (
	"net/netip"
	"time"

	"github.com/parc-hq/parc/domain"
)

// Read models: what the read side of the inventory answers.

// Filter narrows a listing of installations. Empty fields do not filter.
type Filter struct {
	ComputerKey    string // ComputerKey of a name
	ProgramKey     string // ProgramKey of a name
	Version        string
	ChangedSince   time.Time // zero: no bound
	IncludeRemoved bool
	Cursor         string // opaque, from the previous page; "" for the first
	Limit          int
}

// Listing limits.
const (
	DefaultPageSize = 500
	MaxPageSize     = 5000
)

// PageSize is the paging of the installation and history listings.
var PageSize = domain.PageSize{Default: DefaultPageSize, Max: MaxPageSize}

// InstallationView is an installation with its computer's details.
type InstallationView struct {
	ComputerName string
	IPAddress    netip.Addr // zero when unknown
	LastSeen     time.Time  // the computer's last push
	Installation
}

// InstallationPage is one page of a listing; NextCursor is "" on the last.
type InstallationPage struct {
	Items      []InstallationView
	NextCursor string
}

// VersionCount is how many computers run one version of a program.
type VersionCount struct {
	Version   string
	Computers int
}

// ProgramSummary is one program of the company with its versions, sorted.
type ProgramSummary struct {
	Program   string // one of the spellings seen
	Computers int
	Versions  []VersionCount
}

// HistoryPage is one page of a computer's history, oldest first.
type HistoryPage struct {
	ComputerName string
	Events       []Event
	NextCursor   string
}
