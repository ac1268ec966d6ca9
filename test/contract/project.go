package contract

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parc-hq/parc/domain"
	"github.com/parc-hq/parc/domain/project"
	"github.com/parc-hq/parc/ports"
)

// ProjectRepos are the ports the project suite checks.
type ProjectRepos struct {
	Projects  ports.ProjectRepository
	Companies ports.CompanyRepository
	Tx        ports.Transactor
}

// NewProject stores a project whose members are new companies; the first is the owner.
func NewProject(t testing.TB, r ProjectRepos, licenses, members int) project.Project {
	t.Helper()
	ctx := context.Background()
	var ids []string
	for range members {
		c := NewCompany(t)
		require.NoError(t, r.Companies.CreateCompany(ctx, c))
		ids = append(ids, c.ID())
	}
	p, err := project.New(uuid.NewString(), project.Spec{Code: "P-" + uuid.NewString()[:8], Licenses: licenses, Members: ids, Owner: ids[0]},
		time.Now().UTC().Truncate(time.Microsecond))
	require.NoError(t, err)
	require.NoError(t, r.Projects.CreateProject(ctx, p))
	return p
}

// RunProjectRepository checks projects, their members and the project lock.
func RunProjectRepository(t *testing.T, newRepos func(t *testing.T) ProjectRepos) {
	ctx := context.Background()

	t.Run("round trip with members and owner", func(t *testing.T) {
		r := newRepos(t)
		p := NewProject(t, r, 5, 3)
		got, err := r.Projects.ProjectByCode(ctx, p.Code())
		require.NoError(t, err)
		assert.Equal(t, p, got)
		list, err := r.Projects.ListProjects(ctx)
		require.NoError(t, err)
		assert.Contains(t, list, p)
	})

	t.Run("duplicate code is a conflict; unknown code not found", func(t *testing.T) {
		r := newRepos(t)
		p := NewProject(t, r, 1, 1)
		dup, err := project.New(uuid.NewString(), project.Spec{Code: p.Code().String(), Members: p.Members()}, time.Now())
		require.NoError(t, err)
		assert.ErrorIs(t, r.Projects.CreateProject(ctx, dup), domain.ErrConflict)
		_, err = r.Projects.ProjectByCode(ctx, project.RestoreCode("NOPE-"+uuid.NewString()[:8]))
		assert.ErrorIs(t, err, domain.ErrNotFound)
	})

	t.Run("update replaces members and licences", func(t *testing.T) {
		r := newRepos(t)
		p := NewProject(t, r, 2, 2)
		nine, none := 9, ""
		updated, err := p.Apply(project.Change{Licenses: &nine, Members: p.Members()[:1], Owner: &none})
		require.NoError(t, err)
		require.NoError(t, r.Projects.UpdateProject(ctx, updated))
		got, err := r.Projects.ProjectByCode(ctx, p.Code())
		require.NoError(t, err)
		assert.Equal(t, updated, got)
	})

	t.Run("lock outside a transaction is refused", func(t *testing.T) {
		r := newRepos(t)
		p := NewProject(t, r, 1, 1)
		_, err := r.Projects.LockProject(ctx, p.Code())
		assert.Error(t, err)
	})

	t.Run("Concurrent read-modify-write under the lock loses no update", func(t *testing.T) {
		r := newRepos(t)
		p := NewProject(t, r, 0, 1)
		const workers, rounds = 8, 5
		var wg sync.WaitGroup
		errs := make(chan error, workers*rounds)
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range rounds {
					errs <- r.Tx.Within(ctx, func(ctx context.Context) error {
						cur, err := r.Projects.LockProject(ctx, p.Code())
						if err != nil {
							return err
						}
						n := cur.Licenses() + 1
						next, err := cur.Apply(project.Change{Licenses: &n})
						if err != nil {
							return err
						}
						return r.Projects.UpdateProject(ctx, next)
					})
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		got, err := r.Projects.ProjectByCode(ctx, p.Code())
		require.NoError(t, err)
		assert.Equal(t, workers*rounds, got.Licenses())
	})
}
