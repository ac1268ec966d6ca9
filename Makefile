# Parc: `make run` serves the API on the embedded SQLite database;
# `make test` runs every test, on PostgreSQL and MariaDB too where they answer.

GO            ?= go
BENCH_FLAGS   ?= -benchtime=1x -count=1 -timeout=60m
# The version stamped into release binaries; `parc version` shows it.
VERSION       ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
REVISION      ?= $(shell git rev-parse HEAD 2>/dev/null)
# run, migrate, build, release and image build alike (pure Go, no cgo, the
# same flags), so that they share the build cache; tests keep cgo for -race.
# Debug information is stripped by flag, not by a tool.
PURE          = CGO_ENABLED=0
BUILD_FLAGS   = -trimpath -buildvcs=auto -ldflags='-s -w -X github.com/parc-hq/parc/internal/buildinfo.version=$(VERSION) -X github.com/parc-hq/parc/internal/buildinfo.revision=$(REVISION)'
PLATFORMS     ?= linux/amd64 linux/arm64 darwin/arm64 windows/amd64
REDOCLY       = tools/redocly/node_modules/.bin/redocly

.PHONY: run build release image migrate test test-race lint lint-openapi swagger-ui bench fmt galera-up galera-down

run:
	$(PURE) $(GO) run $(BUILD_FLAGS) ./cmd/parc serve

build:
	$(PURE) $(GO) build $(BUILD_FLAGS) -o bin/parc ./cmd/parc

# Static binaries for each platform, in dist/release/, with their SHA-256 sums.
release:
	@rm -rf dist/release && mkdir -p dist/release
	@for p in $(PLATFORMS); do \
	  os=$${p%/*}; arch=$${p#*/}; ext=; [ $$os = windows ] && ext=.exe; \
	  out=dist/release/parc-$(VERSION)-$$os-$$arch$$ext; echo "$$out"; \
	  $(PURE) GOOS=$$os GOARCH=$$arch $(GO) build $(BUILD_FLAGS) -o $$out ./cmd/parc || exit 1; \
	done
	cd dist/release && sha256sum parc-* > SHA256SUMS

# A container image tarball (docker load / podman load), built without a
# Docker daemon by tools/image; test/image checks it.
IMAGE_ARCH    ?= amd64
image:
	@mkdir -p dist/image
	$(PURE) GOOS=linux GOARCH=$(IMAGE_ARCH) $(GO) build $(BUILD_FLAGS) -o dist/image/parc ./cmd/parc
	$(GO) run ./tools/image -binary dist/image/parc -arch $(IMAGE_ARCH) -version $(VERSION) -o dist/image/parc.tar

migrate:
	$(PURE) $(GO) run $(BUILD_FLAGS) ./cmd/parc migrate

# The probe prints, loudly, which backends will be skipped; with
# PARC_TEST_REQUIRE=postgres,mysql a missing server fails the run instead.
# The multi-node tests (test/multinode) also run on a Galera cluster when
# PARC_TEST_GALERA names its nodes (make galera-up); galera in
# PARC_TEST_REQUIRE makes a missing cluster a failure.
# Concurrency tests are subtests named "Concurrent …" under a backend
# subtest (TestX/postgres/Concurrent …); they run once more under -race,
# which needs cgo (the only build that does).
test:
	@$(GO) run ./test/dbprobe
	CGO_ENABLED=1 $(GO) test -count=1 -race -run '//Concurrent' ./...
	$(GO) test -count=1 ./...

lint: lint-openapi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	@test -z "$$(gofmt -l .)" || { gofmt -l .; echo "gofmt: the files above need formatting"; exit 1; }
	# No function of the program (tests and test/ aside) over cognitive complexity 30.
	$(GO) tool gocognit -test=false -over 30 -ignore '^test/|_test\.go$$' .

# Refresh the embedded Swagger UI from the swagger-ui-dist version pinned in
# tools/redocly/package.json (then set swaggerui.Version to match).
SWAGGER_UI_FILES = swagger-ui-bundle.js swagger-ui-standalone-preset.js swagger-ui.css index.css favicon-16x16.png favicon-32x32.png LICENSE NOTICE
swagger-ui:
	npm ci --prefix tools/redocly --no-audit --no-fund --silent
	cd tools/redocly/node_modules/swagger-ui-dist && cp $(SWAGGER_UI_FILES) $(CURDIR)/adapters/http/swaggerui/dist/

# The OpenAPI document against Redocly's recommended rules (version pinned in
# tools/redocly/package.json); 0 errors and 0 warnings expected.
lint-openapi:
	@test -x $(REDOCLY) || npm ci --prefix tools/redocly --no-audit --no-fund --silent
	$(GO) run ./cmd/parc openapi > tools/redocly/openapi.json
	cd tools/redocly && ./node_modules/.bin/redocly lint openapi.json --max-problems 100

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

# Hostile and clumsy clients against a real `parc serve` (SQLite unless
# ATTACK_FLAGS='-db postgres://…'): peak memory per request, 20 concurrent
# 32 MiB bodies, a slow body, guessing rates, prefix timing, Selects past
# the request budget. See test/attack.
.PHONY: attack
attack:
	$(GO) run ./test/attack $(ATTACK_FLAGS)
