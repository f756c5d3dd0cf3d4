# caravan — build, run, test, bench, fuzz.
#
#   make          build build/caravan (release, -O2)
#   make run      install what is missing, build, create var/caravan.db with
#                 demo data if it does not exist, serve http://127.0.0.1:8080
#   make test     unit, API and two-node (e2e) tests under AddressSanitizer + UBSan
#   make test-crash  kill -9 the server while clients lodge; nothing lost
#   make bench    every benchmark (bench-http, bench-scoresheet, bench-risk, bench-intake, bench-exchange)
#   make check    format check, banned calls, cppcheck
#   make fuzz     run the fuzz targets for a short while (clang + libFuzzer)

VERSION   := 0.1.0
CC        ?= cc
PKGS      := libmicrohttpd gnutls jansson sqlite3 libsodium cairo libqrencode libcurl zlib
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS  := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
TEST_LIBS := $(shell pkg-config --libs criterion 2>/dev/null)

WARN      := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-missing-field-initializers
CPPFLAGS  := -D_GNU_SOURCE -DCARAVAN_VERSION='"$(VERSION)"' -Isrc -Ibuild/gen $(PKG_CFLAGS)
CFLAGS    := -O2 -g $(WARN)
LDLIBS    := $(PKG_LIBS) -lpthread -lm
DEMO_USERS := admin aeo.officer risk.analyst border.officer pga.officer trader partner.uz auditor origin.officer
SAN       := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer

SRC       := $(filter-out src/main.c,$(wildcard src/*/*.c))
EMBED     := $(sort $(wildcard src/store/migrations/*.sql) $(wildcard web/*) docs/openapi.yaml)
GEN       := build/gen/embedded.c

OBJ       := $(patsubst src/%.c,build/obj/%.o,$(SRC)) build/obj/gen/embedded.o
ASAN_OBJ  := $(patsubst src/%.c,build/asan/obj/%.o,$(SRC)) build/asan/obj/gen/embedded.o
TEST_SRC  := $(wildcard tests/unit/*.c) $(wildcard tests/api/*.c) $(wildcard tests/e2e/*.c) \
	$(wildcard tests/support/*.c)
TEST_OBJ  := $(patsubst tests/%.c,build/asan/tests/%.o,$(TEST_SRC))

.PHONY: all run test test-crash bench bench-http bench-scoresheet bench-risk bench-intake bench-exchange fuzz format check clean deps demo-db
.DEFAULT_GOAL := all

all: build/caravan

deps:
	@scripts/install-deps

$(GEN): $(EMBED) scripts/embed
	@mkdir -p $(dir $@)
	scripts/embed $(EMBED) > $@.tmp && mv $@.tmp $@

build/obj/gen/embedded.o: $(GEN)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -O2 -c $< -o $@

build/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

build/libcaravan.a: $(OBJ)
	ar rcs $@ $^

build/caravan: build/obj/main.o build/libcaravan.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# The sanitizer build: same sources, separate objects.
build/asan/obj/gen/embedded.o: $(GEN)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -O1 $(SAN) -c $< -o $@

build/asan/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	@echo "  CC asan $<"
	@$(CC) $(CPPFLAGS) -O1 -g $(WARN) $(SAN) -MMD -MP -c $< -o $@

build/asan/libcaravan.a: $(ASAN_OBJ)
	ar rcs $@ $^

build/asan/caravan: build/asan/obj/main.o build/asan/libcaravan.a
	$(CC) $(SAN) -o $@ $^ $(LDLIBS)

build/asan/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	@echo "  CC test $<"
	@$(CC) $(CPPFLAGS) -Itests -O1 -g $(WARN) $(SAN) -MMD -MP -c $< -o $@

build/asan/caravan-tests: $(TEST_OBJ) build/asan/libcaravan.a
	$(CC) $(SAN) -o $@ $^ $(LDLIBS) $(TEST_LIBS)

# A template database (schema, reference data, demo) that API tests copy.
build/asan/template.db: build/asan/caravan $(wildcard data/*/*) $(wildcard data/*.json)
	rm -f $@ $@-wal $@-shm build/asan/template.key
	CARAVAN_LOG_LEVEL=warn build/asan/caravan init --db sqlite:$@ >/dev/null
	CARAVAN_LOG_LEVEL=warn build/asan/caravan demo --db sqlite:$@ >/dev/null
	for u in $(DEMO_USERS); do \
		echo "$$u $$(CARAVAN_LOG_LEVEL=warn build/asan/caravan user token $$u --db sqlite:$@ 2>/dev/null)"; \
	done > $@.tokens

TEST_ENV := CARAVAN_BIN=$(CURDIR)/build/asan/caravan CARAVAN_TEMPLATE_DB=$(CURDIR)/build/asan/template.db \
	CARAVAN_DATA_DIR=$(CURDIR)/data CARAVAN_OPENAPI=$(CURDIR)/docs/openapi.yaml \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=1 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp

test: deps build/asan/caravan build/asan/caravan-tests build/asan/template.db
	$(TEST_ENV) build/asan/caravan-tests --jobs 2

# kill -9 the server while clients lodge (tests/api/test_crash.c; make test runs it too).
test-crash: deps build/asan/caravan build/asan/caravan-tests build/asan/template.db
	$(TEST_ENV) build/asan/caravan-tests --filter 'crash/*'

run: deps build/caravan
	@mkdir -p var
	@if [ ! -f var/caravan.db ]; then \
		build/caravan init && build/caravan demo; \
	else \
		build/caravan migrate && build/caravan demo --accounts; \
	fi
	build/caravan serve

bench: bench-http bench-scoresheet bench-risk bench-intake bench-exchange

bench-http: deps build/caravan
	bench/http/run

build/bench/scoresheet-gen: bench/scoresheet/gen.c build/libcaravan.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< build/libcaravan.a $(LDLIBS)

bench-scoresheet: deps build/caravan build/bench/scoresheet-gen
	bench/scoresheet/run

# bench-risk: the selectivity engine against CLIPS and json-rules-engine (the
# latter's npm packages are installed by bench/risk/run with npm ci).
build/bench/risk-gen: bench/risk/gen.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< -lm

build/bench/risk-caravan: bench/risk/run_caravan.c build/libcaravan.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< build/libcaravan.a $(LDLIBS)

build/bench/risk-clips: bench/peers/clips/run_clips.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -g -std=gnu11 -Wall -Wextra -isystem /usr/include/clips -o $@ $< /usr/lib/libclips.a -lm

bench-risk: deps build/bench/risk-gen build/bench/risk-caravan build/bench/risk-clips
	bench/risk/run

# bench-exchange: credentials signed and verified per second against raw
# libsodium Ed25519 on the same bytes.
build/bench/exchange-sign: bench/exchange/sign.c build/libcaravan.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< build/libcaravan.a $(LDLIBS)

bench-exchange: deps build/caravan build/bench/exchange-sign
	bench/exchange/run

# bench-intake: declarations lodged per second through the single window (wrk).
bench-intake: deps build/caravan
	bench/intake/run

fuzz:
	$(MAKE) -C tests/fuzz run

FORMAT_SRC := $(wildcard src/*.c src/*/*.c src/*/*.h tests/*/*.c tests/*/*.h)

format:
	clang-format -i $(FORMAT_SRC)

# cppcheck: every warning, plus the style checks that find real mistakes.
# variableScope is off: declaring at the top of a function is the house
# style. A false positive is suppressed where it occurs, with
# `// cppcheck-suppress <id>` and a comment saying why.
CPPCHECK := cppcheck --quiet --error-exitcode=1 --std=c11 --inline-suppr \
	--enable=warning,style,performance,portability --suppress=variableScope \
	--suppress=missingIncludeSystem -D_GNU_SOURCE -DCARAVAN_VERSION='"$(VERSION)"' -Isrc

check:
	scripts/check-banned
	clang-format --dry-run --Werror $(FORMAT_SRC)
	$(CPPCHECK) src

clean:
	rm -rf build

-include $(OBJ:.o=.d) $(ASAN_OBJ:.o=.d) $(TEST_OBJ:.o=.d) build/obj/main.d build/asan/obj/main.d
