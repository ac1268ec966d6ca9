package gormstore_test

import (
	"testing"

	"github.com/parc-hq/parc/adapters/gormstore"
	"github.com/parc-hq/parc/test/contract"
	"github.com/parc-hq/parc/test/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestTenantRepository(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.Target) {
		contract.RunTenantRepository(t, func(t *testing.T) contract.TenantRepos {
			repo := gormstore.NewTenantRepository(db.Store)
			return contract.TenantRepos{Companies: repo, Keys: repo, Tx: db.Store}
		})
	})
}

func TestProjectRepository(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.Target) {
		contract.RunProjectRepository(t, func(t *testing.T) contract.ProjectRepos {
			return contract.ProjectRepos{
				Projects:  gormstore.NewProjectRepository(db.Store),
				Companies: gormstore.NewTenantRepository(db.Store),
				Tx:        db.Store,
			}
		})
	})
}

func TestDataSetRepository(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.Target) {
		contract.RunDataSetRepository(t, func(t *testing.T) contract.DataSetRepos {
			return contract.DataSetRepos{
				Rows: gormstore.NewDataSetRepository(db.Store),
				Projects: contract.ProjectRepos{
					Projects:  gormstore.NewProjectRepository(db.Store),
					Companies: gormstore.NewTenantRepository(db.Store),
					Tx:        db.Store,
				},
				Tx: db.Store,
			}
		})
	})
}
