package app

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/parc-hq/parc/domain"
	"github.com/parc-hq/parc/domain/inventory"
	"github.com/parc-hq/parc/ports"
)

// InventoryService takes in the software inventory that a company's agents
// push, and answers questions about it.
type InventoryService struct {
	repo  ports.InventoryRepository
	tx    ports.Transactor
	clock ports.Clock
	ids   ports.IDGenerator
	log   *slog.Logger
}

// NewInventoryService builds the service.
func NewInventoryService(repo ports.InventoryRepository, tx ports.Transactor, clock ports.Clock, ids ports.IDGenerator, log *slog.Logger) *InventoryService {
	return &InventoryService{repo: repo, tx: tx, clock: clock, ids: ids, log: log}
}

// PushResult says what a push did.
type PushResult struct {
	Accepted int                 // valid records, duplicates included
	Problems []inventory.Problem // why the others were rejected (at most the validation's maximum)
	// ProblemCount counts the problems found, listed in Problems or not.
	ProblemCount int
	Rejected     int
	Installed    int
	Updated      int
	Removed      int
	Unchanged    int
	// Untrimmed counts, in full mode, the pushed computers left untrimmed
	// because a rejected record named them.
	Untrimmed int
}

// Push stores the valid records of raw for the company (see PushValidated).
func (s *InventoryService) Push(ctx context.Context, companyID string, raw []inventory.RawRecord, full bool) (PushResult, error) {
	return s.PushValidated(ctx, companyID, inventory.ValidateRecords(raw), full)
}

// PushValidated stores the valid records of a push, as v took them in, for
// the company in one transaction: on a storage error nothing is stored.
// With full, each pushed computer's programs that the push does not name
// are marked removed, except on a computer that a rejected record names
// (v.Incomplete): its list is partial. Rejected records are reported in the
// result, not as an error.
func (s *InventoryService) PushValidated(ctx context.Context, companyID string, v inventory.Validation, full bool) (PushResult, error) {
	res := PushResult{Accepted: v.Accepted, Problems: v.Problems, ProblemCount: v.ProblemCount, Rejected: v.Rejected}
	if v.Accepted == 0 {
		return res, nil
	}
	err := s.tx.Within(ctx, func(ctx context.Context) error {
		now := s.clock.Now()
		made := &madeIDs{IDGenerator: s.ids, ids: map[string]bool{}}
		ids, err := s.repo.TouchComputers(ctx, companyID, v.Computers, made, now)
		if err != nil {
			return err
		}
		// The events' time is read once the computers are locked (or, on a
		// cluster, in the attempt that won certification), so that a
		// history's order of time is the order its pushes committed in:
		// a push that waited for another dates its events after it.
		now = s.clock.Now()
		res.Installed, res.Updated, res.Removed, res.Unchanged, res.Untrimmed = 0, 0, 0, 0, 0
		// A computer's installations merge with its stored ones alone: the
		// push is merged and written a chunk of computers at a time, so
		// that it holds one chunk's installations decoded, whatever its size.
		for computers, installs := range v.Installs(pushChunk) {
			if err := s.writeChunk(ctx, companyID, computers, installs, ids, made.ids, v.Incomplete, full, now, &res); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return PushResult{}, fmt.Errorf("push inventory: %w", err)
	}
	s.log.DebugContext(ctx, "inventory pushed", "company", companyID, "computers", len(v.Computers),
		"installed", res.Installed, "updated", res.Updated, "removed", res.Removed, "unchanged", res.Unchanged, "rejected", res.Rejected)
	return res, nil
}

// madeIDs remembers the ids it hands out. TouchComputers gives a new
// computer an id of its generator (and a known one keeps its own), so a
// computer whose id is one of these was made by this transaction: it has
// no installations yet, and they need not be read.
type madeIDs struct {
	ports.IDGenerator
	ids map[string]bool
}

func (m *madeIDs) NewID() string {
	id := m.IDGenerator.NewID()
	m.ids[id] = true
	return id
}

// pushChunk is about how many installations of a push are merged and
// written together.
const pushChunk = 5000

// writeChunk merges and writes the installations of a chunk of a push's
// computers (ids: the equipment ids by computer key; made: those of
// computers made by this push), and counts them in res.
func (s *InventoryService) writeChunk(ctx context.Context, companyID string, computers []inventory.Computer, installs []inventory.Install,
	ids map[string]string, made, incomplete map[string]bool, full bool, now time.Time, res *PushResult) error {
	idList := make([]string, len(computers))
	trim := inventory.Trim{Full: full, Incomplete: map[string]bool{}}
	for i, c := range computers {
		idList[i] = ids[c.Name.Key()]
		if incomplete[c.Name.Key()] {
			trim.Incomplete[idList[i]] = true
		}
	}
	desired := make([]inventory.Desired, len(installs))
	for i, in := range installs {
		desired[i] = inventory.Desired{ComputerID: ids[in.Computer], Program: in.Program, Version: in.Version}
	}
	plan, err := writeInstallations(ctx, s.repo, companyID, idList, made, desired, trim, now)
	if err != nil {
		return err
	}
	if full {
		res.Untrimmed += len(trim.Incomplete)
	}
	res.Installed += len(plan.Installs) + len(plan.Reinstalls)
	res.Updated += len(plan.Updates)
	res.Removed += len(plan.Removals)
	res.Unchanged += plan.Unchanged
	return nil
}

// writeInstallations merges desired into the stored installations of the
// computers and writes what changed: the one write path of every push,
// whether from the JSON API or from an inventory agent. Call it inside the
// transaction that touched the computers (which holds their rows, and so
// their digests, until it ends).
//
// A computer whose stored digest equals the digest of what the push names
// for it is unchanged (see inventory.Digest): its installations are not
// read, nor are the digest and rows of a computer made by this transaction
// (made), which has none. The others are merged, and their new digests written with the
// plan.
func writeInstallations(ctx context.Context, repo ports.InventoryRepository, companyID string, computerIDs []string, made map[string]bool,
	desired []inventory.Desired, trim inventory.Trim, now time.Time) (inventory.Plan, error) {
	known, err := storedDigests(ctx, repo, companyID, computerIDs, made)
	if err != nil {
		return inventory.Plan{}, err
	}
	pushed, counts := inventory.PushDigests(computerIDs, desired)
	same := func(id string) bool { k, ok := known[id]; return ok && k == pushed[id] }
	unchanged := 0
	merged := make([]string, 0, len(computerIDs)) // the computers to merge
	read := make([]string, 0, len(computerIDs))   // those of them with rows to read
	for _, id := range computerIDs {
		switch {
		case same(id):
			unchanged += counts[id]
		case made[id]:
			merged = append(merged, id)
		default:
			merged = append(merged, id)
			read = append(read, id)
		}
	}
	if len(merged) == 0 {
		return inventory.Plan{Unchanged: unchanged}, nil
	}
	if len(merged) < len(computerIDs) {
		desired = slices.DeleteFunc(slices.Clone(desired), func(d inventory.Desired) bool { return same(d.ComputerID) })
	}
	var rows []inventory.Installation
	if len(read) > 0 {
		if rows, err = repo.Installations(ctx, companyID, read); err != nil {
			return inventory.Plan{}, err
		}
	}
	plan := inventory.Merge(rows, desired, trim, now)
	plan.Unchanged += unchanged
	for _, d := range inventory.StoredDigests(merged, rows, plan) {
		if k, ok := known[d.ComputerID]; !ok || k != d.Digest {
			plan.Digests = append(plan.Digests, d)
		}
	}
	if plan.Empty() {
		return plan, nil
	}
	return plan, repo.Apply(ctx, companyID, plan)
}

// storedDigests reads the software digests of the computers not made by
// this push (made): a new computer has none.
func storedDigests(ctx context.Context, repo ports.InventoryRepository, companyID string, computerIDs []string, made map[string]bool) (map[string]inventory.Digest, error) {
	existing := make([]string, 0, len(computerIDs))
	for _, id := range computerIDs {
		if !made[id] {
			existing = append(existing, id)
		}
	}
	if len(existing) == 0 {
		return map[string]inventory.Digest{}, nil
	}
	return repo.SoftwareDigests(ctx, companyID, existing)
}

// Installations lists the company's installations, one page at a time;
// f.Limit follows inventory.PageSize (0: the default).
func (s *InventoryService) Installations(ctx context.Context, companyID string, f inventory.Filter) (inventory.InstallationPage, error) {
	var err error
	if f.Limit, err = pageLimit(inventory.PageSize, f.Limit); err != nil {
		return inventory.InstallationPage{}, err
	}
	page, err := s.repo.ListInstallations(ctx, companyID, f)
	if err != nil {
		return inventory.InstallationPage{}, fmt.Errorf("list installations: %w", err)
	}
	return page, nil
}

// Programs summarises the company's programs by version; program "" for all.
func (s *InventoryService) Programs(ctx context.Context, companyID, program string) ([]inventory.ProgramSummary, error) {
	out, err := s.repo.Programs(ctx, companyID, inventory.ProgramKey(program))
	if err != nil {
		return nil, fmt.Errorf("summarise programs: %w", err)
	}
	return out, nil
}

// History answers one page of a computer's history, oldest first; limit
// follows inventory.PageSize (0: the default).
func (s *InventoryService) History(ctx context.Context, companyID, computerName, cursor string, limit int) (inventory.HistoryPage, error) {
	limit, err := pageLimit(inventory.PageSize, limit)
	if err != nil {
		return inventory.HistoryPage{}, err
	}
	if !inventory.SearchableText(computerName) {
		// No computer can bear such a name; PostgreSQL would refuse to look.
		return inventory.HistoryPage{}, domain.NotFound("computer history: computer %q", computerName)
	}
	page, err := s.repo.ComputerHistory(ctx, companyID, inventory.ComputerKey(computerName), cursor, limit)
	if err != nil {
		return inventory.HistoryPage{}, fmt.Errorf("computer history: %w", err)
	}
	return page, nil
}

// pageLimit applies an area's paging to a limit where 0 means "not given".
func pageLimit(paging domain.PageSize, n int) (int, error) {
	if n == 0 {
		return paging.Limit(nil, "limit")
	}
	return paging.Limit(&n, "limit")
}
