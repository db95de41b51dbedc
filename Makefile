# herd — see README.md
IMAGE ?= herd-node:dev
WORKER_IMAGE ?= herd-worker:dev
GO    ?= go
BIN   := bin

.PHONY: all build cli image worker-image run test production fuzz chaos bench vet clean

all: build

# bin/herd: the CLI and worker with the embedded default (`herd dev`,
# `herd up`): it links the Temporal server and its Web UI.
build:
	$(GO) build -tags embedded -o $(BIN)/herd ./cmd/herd

# bin/slim/herd: the same CLI and worker without the Temporal server, for
# laptops and production workers (static).
cli:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags='-s -w' -o $(BIN)/slim/herd ./cmd/herd

# The node image: a static herd-node binary in a FROM scratch image; nothing is pulled.
image:
	mkdir -p $(BIN)/image
	CGO_ENABLED=0 $(GO) build -o $(BIN)/image/herd-node ./cmd/herd-node
	cp deploy/node.Dockerfile $(BIN)/image/Dockerfile
	docker build -q -t $(IMAGE) $(BIN)/image

# The production worker image: the slim static herd in a FROM scratch image
# with the machine's CA bundle (for TLS to Temporal and cloud APIs); nothing
# is pulled.
worker-image: cli
	mkdir -p $(BIN)/worker-image
	cp $(BIN)/slim/herd $(BIN)/worker-image/herd
	cp /etc/ssl/certs/ca-certificates.crt $(BIN)/worker-image/
	cp deploy/worker.Dockerfile $(BIN)/worker-image/Dockerfile
	docker build -q -t $(WORKER_IMAGE) $(BIN)/worker-image

# Build the image, start the embedded default (Temporal + UI + worker) in the
# background, provision a 3-node demo cluster and print it.
run: image build
	$(BIN)/herd up --image $(IMAGE)

# The end-to-end tests (real Temporal server, engine and a browser) run
# after the others, not beside them: two cores shared with the Docker tests
# of other packages starve the Web UI.
test:
	$(GO) vet ./...
	$(GO) vet -tags 'production chaos' ./e2e
	$(GO) test -count=1 -timeout 30m $$($(GO) list ./... | grep -v '/e2e$$')
	$(GO) test -count=1 -timeout 30m ./e2e

# herd on a real Temporal cluster: PostgreSQL (Debian's package), the
# schema made by Temporal's SQL tool, two Temporal server processes and two
# slim herd workers; one server and one worker killed mid-way.
production:
	$(GO) test -tags production -count=1 -timeout 20m -v -run 'TestOnARealTemporalCluster' ./e2e

# The chaos tests: the worker process killed (-9) after every step of every
# operation, the Temporal server restarted mid-operation, a fault-injecting
# proxy in front of the Docker API. They print a table of what was killed
# where.
chaos:
	$(GO) test -tags chaos -count=1 -timeout 40m -v -run 'TestChaos' ./e2e

# A bounded run of each fuzz target (seed corpora in each package's
# testdata/fuzz); FUZZTIME per target.
FUZZTIME ?= 10s
FUZZ := FuzzAnswer:./clusterdns FuzzLoad:./contract FuzzParse:./blueprints FuzzRenderHost:./cloudinit
fuzz:
	@for t in $(FUZZ); do \
		echo "fuzz $${t%%:*} ($(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$${t%%:*}$$" -fuzztime $(FUZZTIME) $${t##*:} || exit 1; \
	done

# Go benchmarks of the hot paths, then clusters of SIZES nodes on the local
# engine against the 2014 way (bench/baseline.sh), clusters at once, and a
# 1,000-node provisioning on fake activities. Results: bench/results/.
SIZES ?= 3,10,30
RUNS  ?= 3
bench: image cli
	@command -v serf >/dev/null || { echo "the 2014-way baseline needs the stock serf CLI: apt-get install serf"; exit 1; }
	mkdir -p bench/results
	$(GO) test -run '^$$' -bench . -benchmem -count 5 ./clusterdns ./ambariemu | tee bench/results/go-bench.txt
	$(GO) run ./cmd/herd-bench -image $(IMAGE) -sizes $(SIZES) -runs $(RUNS)

clean:
	rm -rf $(BIN)
