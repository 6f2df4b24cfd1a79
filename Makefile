# dub — a video dubbing pipeline. `make help` lists the targets.
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Every Debian package the project needs to build, test, benchmark and run.
APT_PACKAGES := pkg-config libavformat-dev libavcodec-dev libswresample-dev libavutil-dev \
	libsndfile1-dev libsoxr-dev libcurl4-openssl-dev libespeak-ng-dev libssl-dev libpq-dev \
	ffmpeg sox espeak-ng postgresql time python3 chromium

# `make pg-up`: a local PostgreSQL for running dubd by hand (data in .pg/, port PGPORT).
PGPORT ?= 55432
PGBIN = $(shell ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
ASPG := $(shell [ "$$(id -u)" = 0 ] && echo "runuser -u postgres --")

# Release builds link the Swift runtime and Foundation into each binary: dubctl starts at 43.5 MB resident instead of
# 50 MB with them as shared libraries, and calls into the runtime directly. `swift test` and the debug build stay dynamic.
RELEASE_PRODUCTS := dubctl dubd dub-fake-providers dub-queue-bench

.PHONY: help setup build release test bench samples demo clean pg-up pg-down

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

setup: ## Install every system package (apt-get) and build
	$(SUDO) apt-get update
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y --no-install-recommends $(APT_PACKAGES)
	$(MAKE) build

build: ## Build dubctl and dubd (debug)
	$(SWIFT) build

test: ## Run the test suite (Swift Testing)
	$(SWIFT) build
	$(SWIFT) test

release: ## Optimised build (Swift runtime linked in) of dubctl, dubd, the fakes and the queue bench, in .build/release
	@# One product at a time: a plain `swift build` would also build the test support, which needs the shared Testing library.
	@for product in $(RELEASE_PRODUCTS); do $(SWIFT) build -c release --static-swift-stdlib --product $$product || exit 1; done

bench: release ## Release build; time dub against ffmpeg, sox, curl and pgbench in the same run; speaker and timing targets
	bash bench/run.sh

samples: ## Rebuild the sample clips in samples/ (espeak-ng, sox, ffmpeg)
	samples/make-samples.sh

clean: ## Remove build output
	rm -rf .build bench/out demo-out

pg-up: ## Start a local PostgreSQL for dubd (data in .pg/) and print its DUB_DATABASE_URL
	@[ -n "$(PGBIN)" ] || { echo "pg-up: PostgreSQL is not installed (make setup installs it)" >&2; exit 1; }
	@mkdir -p .pg
	@[ -z "$(ASPG)" ] || chown postgres .pg
	@[ -f .pg/data/PG_VERSION ] || $(ASPG) $(PGBIN)/initdb -D .pg/data -U postgres -A trust >/dev/null
	@$(ASPG) $(PGBIN)/pg_ctl -D .pg/data status >/dev/null 2>&1 || \
		$(ASPG) $(PGBIN)/pg_ctl -D .pg/data -l .pg/log -o "-p $(PGPORT) -k /tmp -c listen_addresses=127.0.0.1" -w start >/dev/null
	@$(PGBIN)/psql -q -h 127.0.0.1 -p $(PGPORT) -U postgres -tc "SELECT 1 FROM pg_database WHERE datname = 'dub'" postgres | grep -q 1 || \
		$(PGBIN)/createdb -h 127.0.0.1 -p $(PGPORT) -U postgres dub
	@echo "PostgreSQL is up. Run:  export DUB_DATABASE_URL=postgresql://postgres@127.0.0.1:$(PGPORT)/dub"

pg-down: ## Stop the local PostgreSQL started by pg-up (its data stays in .pg/)
	@$(ASPG) $(PGBIN)/pg_ctl -D .pg/data status >/dev/null 2>&1 || { echo "pg-down: not running"; exit 0; }; \
		$(ASPG) $(PGBIN)/pg_ctl -D .pg/data -m fast -w stop >/dev/null && echo "PostgreSQL stopped (data kept in .pg/)"

demo: ## Dub the English sample into Spanish from its Spanish subtitles with espeak-ng (offline)
	$(SWIFT) build --product dubctl
	mkdir -p demo-out
	.build/debug/dubctl dub samples/english.mp4 --to es --subtitles samples/english.es.srt --tts espeak \
		-o demo-out/english.es.mp4 --work demo-out/work --keep-original-audio
	@echo "demo: the dubbed video is demo-out/english.es.mp4 (subtitles beside it; per-line timing in demo-out/work/timing.json)"
