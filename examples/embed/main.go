// Command embed shows Parc used as a library: a Go program opens a database,
// migrates it and drives the use cases directly, with no HTTP in between.
package main

import (
	"context"
	"fmt"
	"log"
	"log/slog"

	"github.com/parc-hq/parc/adapters/database"
	"github.com/parc-hq/parc/adapters/gormstore"
	"github.com/parc-hq/parc/adapters/system"
	"github.com/parc-hq/parc/app"
	"github.com/parc-hq/parc/domain/inventory"
)

func main() {
	ctx := context.Background()
	logger := slog.Default()

	db, err := database.Open(database.Config{URL: "sqlite:embedded.db"}, logger)
	if err != nil {
		log.Fatal(err)
	}
	defer database.Close(db) // on SQLite, also stops the checkpoints beside the writers
	store := gormstore.New(db)
	if err := store.Migrate(ctx, system.Clock{}); err != nil {
		log.Fatal(err)
	}

	repo := gormstore.NewTenantRepository(store)
	tenants := app.NewTenantService(repo, repo, store, system.Clock{}, system.UUIDs{}, logger)

	company, key, err := tenants.CreateCompany(ctx, "ACME", "Acme IT")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("created", company.Code(), "with key prefix", key.Key.Prefix())

	same, err := tenants.Authenticate(ctx, key.Secret)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("the key belongs to", same.Name())

	software := app.NewInventoryService(gormstore.NewInventoryRepository(store), store, system.Clock{}, system.UUIDs{}, logger)
	pushed, err := software.Push(ctx, company.ID(), []inventory.RawRecord{
		{ComputerName: "PC-01", IPAddress: "10.0.0.5", Program: "Chrome", Version: "120"},
	}, false)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(pushed.Accepted, "record stored,", pushed.Rejected, "rejected")

	programs, err := software.Programs(ctx, company.ID(), "")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("programs installed:", len(programs))
}
