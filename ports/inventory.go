package ports

import (
	"context"
	"time"

	"github.com/parc-hq/parc/domain/inventory"
)

// InventoryRepository stores the software inventory of a company's
// computers. Every method is scoped to companyID.
type InventoryRepository interface {
	// TouchComputers makes each computer (distinct keys, in any order) an
	// equipment of the company: a new one (id from ids, type
	// client.ComputerType, active, no site) or a known one (by name key)
	// seen at at by the rule of client.Equipment.MarkSeen: last_seen and
	// the address (when the push gave one) never move back to an older
	// report, and the status stays. It answers the equipment ids by
	// computer key. Inside a transaction it holds the rows of those
	// computers until the end, locked in key order whatever the order
	// given, so pushes of the same computer serialise without deadlocks.
	TouchComputers(ctx context.Context, companyID string, computers []inventory.Computer, ids IDGenerator, at time.Time) (map[string]string, error)
	// Installations of the given equipment, removed ones included.
	Installations(ctx context.Context, companyID string, computerIDs []string) ([]inventory.Installation, error)
	// SoftwareDigests answers the stored digests of the given equipment's
	// present software (see inventory.Digest), as Apply last wrote them; an
	// equipment whose digest was never written is left out.
	SoftwareDigests(ctx context.Context, companyID string, computerIDs []string) (map[string]inventory.Digest, error)
	// Apply writes a plan's rows, history events and digests.
	Apply(ctx context.Context, companyID string, plan inventory.Plan) error

	ListInstallations(ctx context.Context, companyID string, f inventory.Filter) (inventory.InstallationPage, error)
	// Programs summarises present installations by program and version;
	// programKey "" for all programs.
	Programs(ctx context.Context, companyID, programKey string) ([]inventory.ProgramSummary, error)
	// ComputerHistory answers one page of a computer's events; an unknown
	// computer is domain.ErrNotFound.
	ComputerHistory(ctx context.Context, companyID, computerKey, cursor string, limit int) (inventory.HistoryPage, error)
}
