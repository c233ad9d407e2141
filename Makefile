# jsnode — see README.md.
GO      ?= go
TOOLS   := $(CURDIR)/.tools
BIN     := $(CURDIR)/bin
SEEDS   ?= 1-200
FUZZTIME ?= 20s

.PHONY: all build run test test-race sim fuzz bench lint clean mutants

all: build

build:
	$(GO) build -o $(BIN)/jsnode ./cmd/jsnode

# Start jsnode on its defaults (client port 4222, JetStream with its store
# under ./data), bound to loopback.
run: build
	$(BIN)/jsnode -a 127.0.0.1 -p 4222 -js -sd ./data

# Every test: unit, property, fuzz seed corpora, end-to-end over real TCP
# with nats.go, the determinism lint and a bounded simulator sweep.
test:
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 20m ./...
	$(GO) test -count=1 -timeout 10m ./sim -seeds=1-100

# The race detector over the packages that own goroutines.
test-race:
	$(GO) test -count=1 -race ./net/... ./clock/... ./disk/... ./cmd/...

# A larger simulator sweep: SEEDS=1-1000 make sim
sim:
	$(GO) test -count=1 -timeout 60m ./sim -seeds=$(SEEDS)

# The mutation suite: each planted bug of node/mutant (built with -tags
# mutants), swept until a check catches it; prints the table.
mutants:
	$(GO) test -count=1 -tags mutants -timeout 90m ./sim -run TestMutants -mutant-seeds=200 -v

# Bounded fuzzing of every parser (FUZZTIME each). Findings land in the
# package's testdata/fuzz/ and then run as ordinary tests.
FUZZ_TARGETS := ./node/proto:FuzzServerParser ./node/proto:FuzzClientParser \
	./node/proto:FuzzParseHeader ./node/conf:FuzzParse ./node/subject:FuzzIndexMatch \
	./node/server:FuzzClientConn ./node/raft:FuzzUnmarshal ./node/proto:FuzzRouteParser \
	./node/raftlog:FuzzOpen ./node/mapping:FuzzTransform ./node/server:FuzzMonitorRequests \
	./node/redact:FuzzRedactConnect ./node/jetstream:FuzzAPIRequest
fuzz:
	@set -e; for spec in $(FUZZ_TARGETS); do \
		pkg=$${spec%%:*}; name=$${spec##*:}; \
		echo "== fuzz $$pkg $$name ($(FUZZTIME))"; \
		$(GO) test -run='^$$' -fuzz="^$$name$$" -fuzztime=$(FUZZTIME) $$pkg; \
	done

# Compare jsnode with nats-server v2.15.2 using nats bench (CLI v0.5.0):
# BENCH_ROUNDS interleaved rounds per scenario, medians of both sides, the
# ratio and every round's pair (the machine is noisy: read the rounds).
BENCH_ROUNDS ?= 5
BENCH_ARGS ?=
bench: build
	GOBIN=$(TOOLS) $(GO) install github.com/nats-io/nats-server/v2@v2.15.2
	GOBIN=$(TOOLS) $(GO) install github.com/nats-io/natscli/nats@v0.5.0
	$(GO) run ./cmd/benchcmp -rounds $(BENCH_ROUNDS) $(BENCH_ARGS) -jsnode $(BIN)/jsnode -nats-server $(TOOLS)/nats-server -nats $(TOOLS)/nats

clean:
	rm -rf $(BIN)
