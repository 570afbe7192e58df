# Tidings: the two commands a new user needs are `make run` and `make test`.
#   make deps     install the Debian packages the build and tests need (sudo when not root)
#   make build    release build (.build/release/tidingsd, tidingsctl)
#   make run      deps + build + run tidingsd in the foreground on the bundled demo source
#   make test     deps + build + the whole test suite + systemd unit checks
#   make install  PREFIX=/usr/local DESTDIR=  binaries, unit, sysusers, default config, data
#   make eval     the evaluation runner against ../shared/eval, when it exists

SHELL       := /bin/bash
PREFIX      ?= /usr/local
DESTDIR     ?=
SWIFT       ?= swift
SWIFT_FLAGS ?=
# Release binaries carry the Swift runtime and Foundation inside them: they run on machines
# without the toolchain, and start in about two-thirds of the time (no dynamic Swift libraries
# to load and bind), which the offline commands feel.
RELEASE_FLAGS ?= -c release --static-swift-stdlib
DEV_CONFIG  := etc/tidings/tidingsd.dev.toml

# Debian 12 packages: C libraries and their headers, the sqlite3 shell for users and tests,
# systemd-analyze for the unit checks, util-linux's setpriv for the permission tests.
DEB_PACKAGES := libcurl4-openssl-dev libsqlite3-dev libxml2-dev zlib1g-dev pkg-config sqlite3 systemd util-linux

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps build build-debug run test test-unit check-systemd check-install install uninstall eval bench clean

all: build

deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	else echo "Debian packages: all present"; fi
	@command -v $(SWIFT) >/dev/null || { echo "swift is not on PATH: install the Swift 6 toolchain first (see README)"; exit 1; }

build: deps
	$(SWIFT) build $(RELEASE_FLAGS) $(SWIFT_FLAGS)

# The import check fails the build when a target imports another of ours without declaring it.
build-debug: deps
	$(SWIFT) build --build-tests --explicit-target-dependency-import-check error $(SWIFT_FLAGS)

run: build
	@mkdir -p var
	@echo "tidingsd: running in the foreground with $(DEV_CONFIG); state is in ./var/. Stop with Ctrl-C."
	@echo "In another terminal, try:"
	@echo "  export TIDINGS_SOCKET=$$PWD/var/tidingsd.sock"
	@echo "  .build/release/tidingsctl status"
	@echo "  .build/release/tidingsctl sources"
	@echo "  .build/release/tidingsctl search kuril"
	@echo "  .build/release/tidingsctl show 1"
	@echo "  .build/release/tidingsctl tail"
	@echo "  .build/release/tidingsctl plugins"
	@echo "  sqlite3 var/tidings.db 'SELECT canonical, kind, country FROM entities'"
	@echo "  sqlite3 var/tidings.db 'SELECT id, published_at, title FROM documents'"
	@echo
	exec .build/release/tidingsd run --config $(DEV_CONFIG)

test: build-debug
	$(SWIFT) test --skip-build $(SWIFT_FLAGS)
	$(MAKE) --no-print-directory check-systemd
	$(MAKE) --no-print-directory check-install

# Unit tests only (no daemon processes), for a quick loop.
test-unit: build-debug
	$(SWIFT) test --skip-build --skip EndToEndTests $(SWIFT_FLAGS)

check-systemd: deps
	scripts/check-systemd.sh "$$($(SWIFT) build --show-bin-path $(SWIFT_FLAGS))/tidingsd"

check-install: build
	scripts/check-install.sh

install: build
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/systemd/system $(DESTDIR)$(PREFIX)/lib/sysusers.d \
	  $(DESTDIR)$(PREFIX)/share/tidings/demo $(DESTDIR)$(PREFIX)/share/doc/tidings $(DESTDIR)/etc/tidings
	install -m 0755 .build/release/tidingsd .build/release/tidingsctl $(DESTDIR)$(PREFIX)/bin/
	sed 's|^ExecStart=/usr/local/bin/|ExecStart=$(PREFIX)/bin/|' systemd/tidingsd.service \
	  > $(DESTDIR)$(PREFIX)/lib/systemd/system/tidingsd.service
	install -m 0644 systemd/tidings.sysusers $(DESTDIR)$(PREFIX)/lib/sysusers.d/tidings.conf
	install -m 0644 share/demo/* $(DESTDIR)$(PREFIX)/share/tidings/demo/
	@# Plugin data (looked for in PREFIX/share/tidings/plugins/NAME) and the exec-plugin example.
	for dir in plugins/*/data; do name=$$(basename $$(dirname $$dir)); \
	  install -d $(DESTDIR)$(PREFIX)/share/tidings/plugins/$$name; \
	  install -m 0644 $$dir/* $(DESTDIR)$(PREFIX)/share/tidings/plugins/$$name/; done
	install -d $(DESTDIR)$(PREFIX)/share/tidings/plugins/examples/keywords
	install -m 0755 plugins/examples/keywords/keywords.py $(DESTDIR)$(PREFIX)/share/tidings/plugins/examples/keywords/
	install -m 0644 plugins/examples/keywords/README.md $(DESTDIR)$(PREFIX)/share/tidings/plugins/examples/keywords/
	install -m 0644 docs/PLUGIN-PROTOCOL.md $(DESTDIR)$(PREFIX)/share/doc/tidings/
	install -m 0644 README.md NOTICE $(DESTDIR)$(PREFIX)/share/doc/tidings/
	@# Never overwrite a config the admin may have edited.
	@if [ -e $(DESTDIR)/etc/tidings/tidingsd.toml ]; then \
	  echo "keeping existing $(DESTDIR)/etc/tidings/tidingsd.toml"; \
	else install -m 0644 etc/tidings/tidingsd.toml $(DESTDIR)/etc/tidings/tidingsd.toml; fi
	@echo "installed under $(DESTDIR)$(PREFIX); next: systemd-sysusers && systemctl daemon-reload && systemctl enable --now tidingsd"

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/tidingsd $(DESTDIR)$(PREFIX)/bin/tidingsctl \
	  $(DESTDIR)$(PREFIX)/lib/systemd/system/tidingsd.service $(DESTDIR)$(PREFIX)/lib/sysusers.d/tidings.conf
	rm -rf $(DESTDIR)$(PREFIX)/share/tidings $(DESTDIR)$(PREFIX)/share/doc/tidings
	@echo "kept /etc/tidings and /var/lib/tidings (your config and data)"

# Benchmarks, release build, side by side with the peers where they exist (their venv:
# ../shared/peers/setup.sh). nginx and wrk come from Debian and are installed when missing.
#   scripts/bench.py       feeds parsed/s, articles extracted/s, tone snippets/s against the peers
#   scripts/bench_polls.py conditional polls/s against nginx at 1,000, 10,000 and 100,000 sources,
#                          daemon CPU per poll, peak RSS, OPML import time; wrk's 304/s ceiling
#   scripts/bench_e2e.py   feed of teasers → pages → plugins → SQLite, docs/s against the peer pipeline
BENCH_PACKAGES := nginx wrk
bench: build
	@missing=""; for p in $(BENCH_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; fi
	python3 scripts/bench.py --tidingsd .build/release/tidingsd --only feeds,articles,tone
	python3 scripts/bench_polls.py --tidingsd .build/release/tidingsd
	python3 scripts/bench_e2e.py --tidingsd .build/release/tidingsd

eval: build
	@if [ -d ../shared/eval ]; then python3 ../shared/eval/run_all.py --tidingsd .build/release/tidingsd; \
	else echo "no ../shared/eval here: the evaluation data is not part of a user's clone"; fi

clean:
	rm -rf .build var
