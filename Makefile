# Parc: `make run` serves the API on the embedded SQLite database;
# `make test` runs every test, on PostgreSQL and MariaDB too where they answer.

GO            ?= go
STATICCHECK   ?= $(shell $(GO) env GOPATH)/bin/staticcheck
BENCH_FLAGS   ?= -benchtime=1x -count=1 -timeout=60m

.PHONY: run build migrate test test-race lint bench fmt galera-up galera-down

run:
	$(GO) run ./cmd/parc serve

build:
	CGO_ENABLED=0 $(GO) build -o bin/parc ./cmd/parc

migrate:
	$(GO) run ./cmd/parc migrate

# The probe prints, loudly, which backends will be skipped; with
# PARC_TEST_REQUIRE=postgres,mysql a missing server fails the run instead.
# The multi-node tests (test/multinode) also run on a Galera cluster when
# PARC_TEST_GALERA names its nodes (make galera-up); galera in
# PARC_TEST_REQUIRE makes a missing cluster a failure.
# Concurrency tests are subtests named "Concurrent …" under a backend
# subtest (TestX/postgres/Concurrent …); they run once more under -race.
test:
	@$(GO) run ./test/dbprobe
	$(GO) test -count=1 -race -run '//Concurrent' ./...
	$(GO) test -count=1 ./...

lint:
	$(GO) vet ./...
	@test -x $(STATICCHECK) || $(GO) install honnef.co/go/tools/cmd/staticcheck@latest
	$(STATICCHECK) ./...
	@test -z "$$(gofmt -l .)" || { gofmt -l .; echo "gofmt: the files above need formatting"; exit 1; }

# Benchmarks need PostgreSQL (and use MariaDB and SQLite where noted, and a
# Galera cluster for BenchmarkGalera*, skipped without PARC_TEST_GALERA); see test/bench.
bench:
	@$(GO) run ./test/dbprobe
	$(GO) test -run '^$$' -bench . $(BENCH_FLAGS) ./test/bench/...

fmt:
	gofmt -w .

# A 3-node MariaDB Galera cluster on 127.0.0.1:13306-13308 for the multi-node
# tests (needs mariadb-server, galera-4 and rsync); then
# export PARC_TEST_GALERA=$$(scripts/galera urls).
galera-up:
	scripts/galera start

galera-down:
	scripts/galera stop
