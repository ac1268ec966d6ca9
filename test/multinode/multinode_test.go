// Package multinode runs several Parc instances — each a real Gin engine on
// the real adapters with its own connection pool — against one database, and
// checks that every guarantee holds across them: on one SQLite file, one
// PostgreSQL or MariaDB server (several pools), and on a MariaDB Galera
// cluster with each instance on its own node (PARC_TEST_GALERA). Every race
// spreads its callers over the instances.
package multinode

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/parc-hq/parc/test/apitest"
	"github.com/parc-hq/parc/test/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// instances is how many Parc instances share the database: one per node
// of a 3-node cluster.
const instances = 3

// parc is a deployment: several instances on one database.
type parc struct {
	nodes   []*apitest.API
	targets []*dbtest.Target
}

// node is instance i, round the deployment.
func (p parc) node(i int) *apitest.API { return p.nodes[i%len(p.nodes)] }

func eachDeployment(t *testing.T, fn func(t *testing.T, p parc)) {
	dbtest.EachCluster(t, instances, func(t *testing.T, targets []*dbtest.Target) {
		p := parc{}
		for _, target := range targets {
			p.nodes = append(p.nodes, apitest.New(t, target))
		}
		p.targets = targets
		fn(t, p)
	})
}

// answer is what an instance answered to a call made from a racing
// goroutine (no require there: it may not stop the test).
type answer struct {
	Status int
	Body   []byte
}

// send calls an instance from a racing goroutine.
func send(api *apitest.API, method, path, key string, body any) answer {
	var raw []byte
	if body != nil {
		raw, _ = json.Marshal(body)
	}
	req := httptest.NewRequest(method, path, bytes.NewReader(raw))
	req.Header.Set("Authorization", key)
	if raw != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	api.Handler.ServeHTTP(rec, req)
	return answer{Status: rec.Code, Body: rec.Body.Bytes()}
}

// race runs n callers at once, caller i through instance i, and returns
// their answers in caller order.
func race(p parc, n int, call func(i int, api *apitest.API) answer) []answer {
	out := make([]answer, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out[i] = call(i, p.node(i))
		}()
	}
	close(start)
	wg.Wait()
	return out
}

// notOK counts the answers other than 200, logging the first.
func notOK(t *testing.T, answers []answer, what string) int {
	t.Helper()
	n := 0
	for i, a := range answers {
		if a.Status != http.StatusOK {
			if n == 0 {
				t.Logf("%s %d: %d %s", what, i, a.Status, a.Body)
			}
			n++
		}
	}
	return n
}

// newProject creates a project of the companies (the first owns it).
func newProject(t *testing.T, api *apitest.API, prefix string, licenses int, companies ...apitest.Company) string {
	t.Helper()
	code := prefix + "-" + uuid.NewString()[:8]
	var codes []string
	for _, c := range companies {
		codes = append(codes, c.Code)
	}
	resp := api.Admin(t, http.MethodPost, "/admin/projects", map[string]any{"code": code, "licenses": licenses, "companies": codes, "owner": codes[0]})
	require.Equal(t, http.StatusCreated, resp.Status, "%s", resp.Body)
	return code
}

// countAborts reports, on a Galera deployment, how many transactions the
// cluster aborted while fn ran (failed certifications and transactions
// aborted by a replicated write, over all nodes): each was run again by
// Parc. It shows that a race did make the nodes conflict.
func (p parc) countAborts(t *testing.T, fn func()) {
	t.Helper()
	if p.targets[0].Backend != "galera" {
		fn()
		return
	}
	before := p.aborts(t)
	fn()
	t.Logf("galera: %d transactions aborted by the cluster and run again", p.aborts(t)-before)
}

func (p parc) aborts(t *testing.T) int64 {
	t.Helper()
	var sum int64
	seen := map[string]bool{}
	for _, target := range p.targets {
		if seen[target.URL] {
			continue
		}
		seen[target.URL] = true
		var rows []struct {
			Name  string `gorm:"column:Variable_name"`
			Value int64  `gorm:"column:Value"`
		}
		err := target.DB.Raw("SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_local_cert_failures', 'wsrep_local_bf_aborts')").Scan(&rows).Error
		require.NoError(t, err)
		for _, r := range rows {
			sum += r.Value
		}
	}
	return sum
}
