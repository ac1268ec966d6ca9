package gormstore_test

import (
	"testing"

	"github.com/parc-hq/parc/adapters/gormstore"
	"github.com/parc-hq/parc/adapters/system"
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

func TestInventoryRepository(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.Target) {
		contract.RunInventoryRepository(t, func(t *testing.T) contract.InventoryRepos {
			return contract.InventoryRepos{
				Inventory: gormstore.NewInventoryRepository(db.Store),
				Companies: gormstore.NewTenantRepository(db.Store),
				Equipment: gormstore.NewEquipmentRepository(db.Store, system.Clock{}),
				Tx:        db.Store,
			}
		})
	})
}

func TestClientRepository(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.Target) {
		contract.RunClientRepository(t, func(t *testing.T) contract.ClientRepos {
			clients := gormstore.NewClientRepository(db.Store, system.Clock{})
			return contract.ClientRepos{Clients: clients, Sites: clients, Equipment: gormstore.NewEquipmentRepository(db.Store, system.Clock{}),
				Companies: gormstore.NewTenantRepository(db.Store), Tx: db.Store}
		})
	})
}

func TestAccountRepository(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.Target) {
		contract.RunAccountRepository(t, func(t *testing.T) contract.AccountRepos {
			tenants := gormstore.NewTenantRepository(db.Store)
			return contract.AccountRepos{
				Accounts:  gormstore.NewAccountRepository(db.Store),
				Projects:  gormstore.NewProjectRepository(db.Store),
				Companies: tenants,
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
