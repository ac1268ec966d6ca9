package contract

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parc-hq/parc/adapters/system"
	"github.com/parc-hq/parc/domain"
	"github.com/parc-hq/parc/domain/account"
	"github.com/parc-hq/parc/domain/project"
	"github.com/parc-hq/parc/ports"
)

// AccountRepos are the ports the account suite checks.
type AccountRepos struct {
	Accounts  ports.AccountRepository
	Projects  ports.ProjectRepository
	Companies ports.CompanyRepository
	Tx        ports.Transactor
}

func (r AccountRepos) projectRepos() ProjectRepos {
	return ProjectRepos{Projects: r.Projects, Companies: r.Companies, Tx: r.Tx}
}

func newAccount(t testing.TB, p project.Project, company, login string, status account.Status) account.Account {
	t.Helper()
	a, err := account.New(uuid.NewString(), account.Spec{ProjectID: p.ID(), CompanyID: company, Login: login,
		Email: "x@example.com", Name: "N " + login, Status: string(status)}, system.Clock{}.Now())
	require.NoError(t, err)
	return a
}

// RunAccountRepository checks the storage of accounts and that the project
// lock makes "count the active accounts, then insert" one step for
// concurrent callers (the use case's licence rule relies on it).
func RunAccountRepository(t *testing.T, newRepos func(t *testing.T) AccountRepos) {
	ctx := context.Background()

	t.Run("insert, find by login key in any company, count active", func(t *testing.T) {
		r := newRepos(t)
		p := NewProject(t, r.projectRepos(), 10, 2)
		m := p.Members()
		a := newAccount(t, p, m[0], "JDoe", account.StatusActive)
		b := newAccount(t, p, m[1], "bob", account.StatusDisabled)
		c := newAccount(t, p, m[0], "carol", account.StatusActive)
		require.NoError(t, r.Accounts.InsertAccounts(ctx, []account.Account{a, b, c}))

		got, err := r.Accounts.AccountsByLoginKeys(ctx, p.ID(), []string{"jdoe", "bob", "nobody"})
		require.NoError(t, err)
		assert.ElementsMatch(t, []account.Account{a, b}, got)
		n, err := r.Accounts.CountActive(ctx, p.ID())
		require.NoError(t, err)
		assert.Equal(t, 2, n)
	})

	t.Run("a login key is unique per project, not across projects", func(t *testing.T) {
		r := newRepos(t)
		p := NewProject(t, r.projectRepos(), 1, 2)
		q := NewProject(t, r.projectRepos(), 1, 1)
		require.NoError(t, r.Accounts.InsertAccounts(ctx, []account.Account{newAccount(t, p, p.Members()[0], "Same", account.StatusActive)}))
		err := r.Accounts.InsertAccounts(ctx, []account.Account{newAccount(t, p, p.Members()[1], "SAME", account.StatusDisabled)})
		assert.ErrorIs(t, err, domain.ErrConflict)
		assert.NoError(t, r.Accounts.InsertAccounts(ctx, []account.Account{newAccount(t, q, q.Members()[0], "same", account.StatusActive)}))
	})

	t.Run("status updates keep every other field", func(t *testing.T) {
		r := newRepos(t)
		p := NewProject(t, r.projectRepos(), 10, 1)
		a := newAccount(t, p, p.Members()[0], "a", account.StatusActive)
		b := newAccount(t, p, p.Members()[0], "b", account.StatusDisabled)
		require.NoError(t, r.Accounts.InsertAccounts(ctx, []account.Account{a, b}))
		later := a.CreatedAt().Add(time.Second)
		a2, b2 := a.WithStatus(account.StatusLocked, later), b.WithStatus(account.StatusActive, later)
		require.NoError(t, r.Accounts.UpdateAccountStatuses(ctx, []account.Account{a2, b2}))
		got, err := r.Accounts.AccountsByLoginKeys(ctx, p.ID(), []string{"a", "b"})
		require.NoError(t, err)
		assert.ElementsMatch(t, []account.Account{a2, b2}, got)
	})

	t.Run("list filters by company and status, pages by login", func(t *testing.T) {
		r := newRepos(t)
		p := NewProject(t, r.projectRepos(), 10, 2)
		m := p.Members()
		var mine []account.Account
		for i := range 5 {
			status := account.StatusActive
			if i%2 == 1 {
				status = account.StatusDisabled
			}
			mine = append(mine, newAccount(t, p, m[0], fmt.Sprintf("user%d", i), status))
		}
		require.NoError(t, r.Accounts.InsertAccounts(ctx, append(mine, newAccount(t, p, m[1], "other", account.StatusActive))))

		page, total, err := r.Accounts.ListAccounts(ctx, p.ID(), ports.AccountFilter{CompanyID: m[0], Limit: 2, Offset: 2})
		require.NoError(t, err)
		assert.Equal(t, 5, total)
		assert.Equal(t, mine[2:4], page)

		active := account.StatusActive
		page, total, err = r.Accounts.ListAccounts(ctx, p.ID(), ports.AccountFilter{CompanyID: m[0], Status: &active, Limit: 10})
		require.NoError(t, err)
		assert.Equal(t, 3, total)
		assert.Equal(t, []account.Account{mine[0], mine[2], mine[4]}, page)

		_, total, err = r.Accounts.ListAccounts(ctx, p.ID(), ports.AccountFilter{Limit: 10})
		require.NoError(t, err)
		assert.Equal(t, 6, total, "no company filter: the whole project")
	})

	t.Run("count active accounts per company among a list, in one query", func(t *testing.T) {
		r := newRepos(t)
		p := NewProject(t, r.projectRepos(), 10, 3)
		q := NewProject(t, r.projectRepos(), 10, 1)
		m := p.Members()
		require.NoError(t, r.Accounts.InsertAccounts(ctx, []account.Account{
			newAccount(t, p, m[0], "a", account.StatusActive), newAccount(t, p, m[0], "b", account.StatusActive),
			newAccount(t, p, m[0], "c", account.StatusDisabled), newAccount(t, p, m[1], "d", account.StatusLocked),
			newAccount(t, p, m[2], "e", account.StatusActive), newAccount(t, q, q.Members()[0], "f", account.StatusActive)}))
		got, err := r.Accounts.CountActiveByCompany(ctx, p.ID(), []string{m[0], m[1], q.Members()[0]})
		require.NoError(t, err)
		assert.Equal(t, map[string]int{m[0]: 2}, got, "only active accounts of the listed companies in this project")
		got, err = r.Accounts.CountActiveByCompany(ctx, p.ID(), nil)
		require.NoError(t, err)
		assert.Empty(t, got)
	})

	t.Run("Concurrent holders of the project lock count and insert one at a time", func(t *testing.T) {
		r := newRepos(t)
		const callers, licenses = 20, 7
		p := NewProject(t, r.projectRepos(), licenses, 1)
		company := p.Members()[0]
		// Each caller, under the project's lock, counts the active accounts
		// and inserts an active one only while a licence is left: the
		// lock must make the count and the insert one step.
		// Each caller's account, in both statuses, built before the race.
		candidates := make([]map[account.Status]account.Account, callers)
		for i := range callers {
			login := fmt.Sprintf("racer-%02d", i)
			candidates[i] = map[account.Status]account.Account{
				account.StatusActive:   newAccount(t, p, company, login, account.StatusActive),
				account.StatusDisabled: newAccount(t, p, company, login, account.StatusDisabled),
			}
		}
		activated := make([]bool, callers)
		errs := make([]error, callers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range callers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = r.Tx.Within(ctx, func(ctx context.Context) error {
					locked, err := r.Projects.LockProject(ctx, p.Code())
					if err != nil {
						return err
					}
					n, err := r.Accounts.CountActive(ctx, locked.ID())
					if err != nil {
						return err
					}
					status := account.StatusDisabled
					if n < locked.Licenses() {
						status = account.StatusActive
					}
					activated[i] = status == account.StatusActive
					return r.Accounts.InsertAccounts(ctx, []account.Account{candidates[i][status]})
				})
			}()
		}
		close(start)
		wg.Wait()
		count := 0
		for i, err := range errs {
			require.NoError(t, err, "caller %d", i)
			if activated[i] {
				count++
			}
		}
		assert.Equal(t, licenses, count, "exactly the licences were handed out")
		n, err := r.Accounts.CountActive(ctx, p.ID())
		require.NoError(t, err)
		assert.Equal(t, licenses, n, "active == licences")
		_, total, err := r.Accounts.ListAccounts(ctx, p.ID(), ports.AccountFilter{Limit: 1})
		require.NoError(t, err)
		assert.Equal(t, callers, total)
	})
}
