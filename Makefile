# Parc: `make run` serves the API on the embedded SQLite database;
# `make test` runs every test, on PostgreSQL and MariaDB too where they answer.

GO            ?= go
STATICCHECK   ?= $(shell $(GO) env GOPATH)/bin/staticcheck
BENCH_FLAGS   ?= -benchtime=1x -count=1 -timeout=60m

.PHONY: run build migrate test test-race lint bench fmt

run:
	$(GO) run ./cmd/parc serve

build:
	CGO_ENABLED=0 $(GO) build -o bin/parc ./cmd/parc

migrate:
	$(GO) run ./cmd/parc migrate

# The probe prints, loudly, which backends will be skipped; with
# PARC_TEST_REQUIRE=postgres,mysql a missing server fails the run instead.
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

# Benchmarks need PostgreSQL (and use MariaDB and SQLite where noted); see test/bench.
bench:
	@$(GO) run ./test/dbprobe
	$(GO) test -run '^$$' -bench . $(BENCH_FLAGS) ./test/bench/...

fmt:
	gofmt -w .

# Hostile and clumsy clients against a real `parc serve` (SQLite unless
# ATTACK_FLAGS='-db postgres://…'): peak memory per request, 20 concurrent
# 32 MiB bodies, a slow body, guessing rates, prefix timing. See test/attack.
.PHONY: attack
attack:
	$(GO) run ./test/attack $(ATTACK_FLAGS)
