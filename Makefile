# Makefile - ferry. One non-recursive Makefile for the whole tree.
#
#   make                 build the tools into build/bin
#   make check           build under AddressSanitizer + UBSan and run every test
#   make check-peers     the tests against real servers installed from npm (S3, n8n)
#   make test            run every test on the plain build
#   make demo            export the bundled samples, list, verify and import them
#   make bench           benchmarks: throughput and peak memory next to tar, zstd, jq
#   make install         PREFIX=/usr/local DESTDIR= (tools and man pages)
#   make deps            install missing Debian packages (run by check and demo)
#   make check-headers   compile every public header on its own
#   make valgrind        the unit tests and CLI tests under valgrind
#   make fuzz            build the fuzz targets with libFuzzer and run each for
#                        FUZZ_TIME seconds (FUZZ_TARGETS= picks some)
#   make hostile         the malicious-archive corpus with its time and memory
#                        limits enforced (plain build)
#   make crash           the kill -9 tests at their full run counts
#
# Honours CC, CFLAGS, LDFLAGS, PREFIX, DESTDIR and O (the build folder).

FERRY_VERSION = 0.1.0

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
CFLAGS ?= -O2 -g
PKG_CONFIG ?= pkg-config
O ?= build

PKGS = libarchive libzstd jansson libcurl libcrypto

ifeq ($(SANITIZE),1)
SAN_FLAGS = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
# gcc leaves these out of "undefined"; clang (make fuzz) has them in.
SAN_FLAGS += -fsanitize=float-cast-overflow -fno-sanitize-recover=float-cast-overflow
endif
# `make fuzz`: clang, coverage for libFuzzer, ASan + UBSan.
ifeq ($(SANITIZE),fuzz)
SAN_FLAGS = -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined \
	    -fno-omit-frame-pointer
endif

WARN = -Wall -Wextra -Wshadow -Wmissing-prototypes -Wstrict-prototypes -Wpointer-arith \
       -Wformat=2 -Wno-format-nonliteral -Wundef -Wvla
# Deferred (=), so a fresh machine can run `make deps` before pkg-config is asked.
DEP_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS))
DEP_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS)) -lpthread -lm
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -DFERRY_VERSION='"$(FERRY_VERSION)"' $(WARN) $(CFLAGS) \
	     $(SAN_FLAGS) $(DEP_CFLAGS) -Iformats -Iadapters -Itools -I$(O)/gen -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(SAN_FLAGS)

FORMATS_SRC = formats/error.c formats/buf.c formats/json.c formats/sha256.c \
	      formats/zstream.c formats/record.c formats/idset.c formats/names.c \
	      formats/schema.c formats/check.c formats/writer.c formats/reader.c \
	      formats/durable.c formats/vpool.c
FORMATS_SRC += formats/jsonw.c
FORMATS_SRC += formats/secrets.c formats/recscan.c formats/bghash.c
FORMATS_SRC += formats/diff.c
SCHEMAS = $(sort $(wildcard formats/schema/*.json))

# The adapters: add a new one's files here and a line to adapters/adapters.def.
ADAPTERS_SRC = adapters/registry.c adapters/pump.c adapters/dir.c adapters/http.c adapters/journal.c
ADAPTERS_SRC += adapters/wfutil.c adapters/n8n_map.c adapters/n8n.c
ADAPTERS_SRC += adapters/agentspec.c
ADAPTERS_SRC += adapters/sigv4.c
ADAPTERS_SRC += adapters/ledger.c adapters/models.c adapters/fidelity.c adapters/audit_json.c adapters/sunsets.c
ADAPTERS_SRC += adapters/retention.c adapters/repo.c adapters/repo_s3.c adapters/s3.c
ADAPTERS_SRC += adapters/jw.c adapters/recq.c adapters/jarray.c adapters/bundle.c adapters/tree.c
ADAPTERS_SRC += adapters/chatgpt.c adapters/chatgpt_map.c
ADAPTERS_SRC += adapters/claude.c adapters/claude_map.c
ADAPTERS_SRC += adapters/aws.c
ADAPTERS_SRC += adapters/agentcore.c
ADAPTERS_SRC += adapters/bedrock_flow.c
ADAPTERS_SRC += adapters/bedrock_agents.c
ADAPTERS_SRC += adapters/letta_af.c adapters/letta_read.c adapters/letta_sink.c adapters/letta_json.c
ADAPTERS_SRC += adapters/live.c adapters/openai_map.c adapters/conversations.c adapters/openai.c adapters/azure.c

TOOLS = ferry ferry-export ferry-import ferry-ls ferry-cat ferry-verify ferry-adapters
TOOLS += ferry-audit
TOOLS += ferry-backup ferry-forget ferry-diff
TOOLS += ferry-migrate
MAN7 = tools/ferry-openai.7 tools/ferry-azure.7
TOOL_COMMON_SRC = tools/tool.c
TOOL_COMMON_SRC += tools/plan.c

UNIT_SRC = $(sort $(wildcard tests/unit/test_*.c))

# Fuzz targets: tests/fuzz/fuzz_<target>.c (see tests/fuzz/fuzz.h). Every
# build links each with the plain replay driver, so they cannot rot.
FUZZ_SRC = $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_TARGETS ?= $(FUZZ_SRC:tests/fuzz/fuzz_%.c=%)
FUZZ_TIME ?= 60
FUZZ_REPLAY = $(FUZZ_SRC:tests/fuzz/fuzz_%.c=$(O)/tests/fuzz/%)
FUZZ_UTIL_OBJ = $(O)/obj/tests/fuzz/fuzz.o

FORMATS_OBJ = $(FORMATS_SRC:%.c=$(O)/obj/%.o) $(O)/obj/gen/schema_data.o
ADAPTERS_OBJ = $(ADAPTERS_SRC:%.c=$(O)/obj/%.o)
ADAPTERS_OBJ += $(O)/obj/gen/model_policy.o
TOOL_COMMON_OBJ = $(TOOL_COMMON_SRC:%.c=$(O)/obj/%.o)
LIB_FORMATS = $(O)/lib/libferry-formats.a
LIB_ADAPTERS = $(O)/lib/libferry-adapters.a
BINS = $(TOOLS:%=$(O)/bin/%)
UNIT_BIN = $(O)/tests/unit

.PHONY: all check test tests-build demo bench install deps check-headers valgrind clean
.PHONY: check-browser
.PHONY: check-peers
.PHONY: fuzz fuzz-build hostile crash
.DEFAULT_GOAL := all

all: $(BINS) $(FUZZ_REPLAY)

$(O)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(O)/obj/gen/%.o: $(O)/gen/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The schemas are compiled into the library (formats/embed.c).
$(O)/host/embed: formats/embed.c
	@mkdir -p $(@D)
	$(CC) -O1 -o $@ $<

$(O)/gen/schema_data.c: $(O)/host/embed $(SCHEMAS)
	@mkdir -p $(@D)
	$(O)/host/embed $@ $(SCHEMAS)

# The default model policy is compiled into the library (adapters/models.c).
$(O)/gen/model_policy.c: policy/models.json
	@mkdir -p $(@D)
	{ echo '/* Generated from policy/models.json by the Makefile. Do not edit. */'; \
	  echo '#include <stddef.h>'; \
	  echo 'extern const char fy_model_policy_default[];'; \
	  echo 'extern const size_t fy_model_policy_default_len;'; \
	  echo 'const char fy_model_policy_default[] = {'; \
	  od -An -v -tx1 $< | sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	  echo '0 };'; \
	  echo 'const size_t fy_model_policy_default_len = sizeof(fy_model_policy_default) - 1;'; } > $@

$(LIB_FORMATS): $(FORMATS_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && $(AR) rcs $@ $^

$(LIB_ADAPTERS): $(ADAPTERS_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && $(AR) rcs $@ $^

$(O)/bin/ferry: $(O)/obj/tools/ferry.o
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^

$(O)/bin/ferry-%: $(O)/obj/tools/ferry-%.o $(TOOL_COMMON_OBJ) $(LIB_ADAPTERS) $(LIB_FORMATS)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(DEP_LIBS)

# Tools that link helpers beyond tools/tool.c (before the libraries).
$(O)/bin/ferry-backup: $(O)/obj/tools/ferry-backup.o $(O)/obj/tools/repo-tool.o \
		      $(O)/obj/tools/diff-print.o $(TOOL_COMMON_OBJ) $(LIB_ADAPTERS) $(LIB_FORMATS)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(DEP_LIBS)

$(O)/bin/ferry-forget: $(O)/obj/tools/ferry-forget.o $(O)/obj/tools/repo-tool.o \
		      $(TOOL_COMMON_OBJ) $(LIB_ADAPTERS) $(LIB_FORMATS)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(DEP_LIBS)

$(O)/bin/ferry-diff: $(O)/obj/tools/ferry-diff.o $(O)/obj/tools/diff-print.o \
		    $(TOOL_COMMON_OBJ) $(LIB_ADAPTERS) $(LIB_FORMATS)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(DEP_LIBS)

# Unit tests: one file per module, one TEST() per behaviour; the list is
# generated from the sources, so adding a test needs no registration.
$(O)/gen/unit_list.h: $(UNIT_SRC)
	@mkdir -p $(@D)
	sed -n 's/^TEST(\([a-z0-9_]*\)).*/X(\1)/p' $(UNIT_SRC) > $@

$(O)/obj/tests/unit/unit_main.o: $(O)/gen/unit_list.h

$(UNIT_BIN): $(O)/obj/tests/unit/unit_main.o $(UNIT_SRC:%.c=$(O)/obj/%.o) $(LIB_ADAPTERS) $(LIB_FORMATS)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(DEP_LIBS)

# Test drivers: small programs the shell tests run.
# One line each, so branches adding drivers do not collide.
TEST_PROGS = $(O)/tests/http-probe
TEST_PROGS += $(O)/tests/journal-drive
TEST_PROGS += $(O)/tests/gen-neutral
TEST_PROGS += $(O)/tests/sigv4-suite
TEST_PROGS += $(O)/tests/aws-probe

$(O)/tests/gen-neutral: tests/bench/gen_neutral.c
	@mkdir -p $(@D)
	$(CC) -O2 -o $@ $<

$(O)/tests/journal-drive: $(O)/obj/tests/journal_drive.o $(LIB_ADAPTERS) $(LIB_FORMATS)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(DEP_LIBS)

$(O)/tests/http-probe: $(O)/obj/tests/http_probe.o $(LIB_ADAPTERS) $(LIB_FORMATS)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(DEP_LIBS)

$(O)/tests/sigv4-suite: $(O)/obj/tests/sigv4_suite.o $(LIB_ADAPTERS) $(LIB_FORMATS)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(DEP_LIBS)

$(O)/tests/aws-probe: $(O)/obj/tests/aws_probe.o $(LIB_ADAPTERS) $(LIB_FORMATS)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(DEP_LIBS)

tests-build: all $(UNIT_BIN) $(TEST_PROGS)

$(O)/tests/fuzz/%: $(O)/obj/tests/fuzz/fuzz_%.o $(O)/obj/tests/fuzz/replay.o $(FUZZ_UTIL_OBJ) \
		   $(LIB_ADAPTERS) $(LIB_FORMATS)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(DEP_LIBS)

# The same targets linked with libFuzzer (only under SANITIZE=fuzz, CC=clang).
$(O)/fuzzer/%: $(O)/obj/tests/fuzz/fuzz_%.o $(FUZZ_UTIL_OBJ) $(LIB_ADAPTERS) $(LIB_FORMATS)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(DEP_LIBS)

fuzz-build: $(FUZZ_TARGETS:%=$(O)/fuzzer/%)

# Keep the harness objects: they are intermediates of pattern rules.
.SECONDARY: $(FUZZ_SRC:%.c=$(O)/obj/%.o) $(O)/obj/tests/fuzz/replay.o $(FUZZ_UTIL_OBJ)

fuzz:
	@sh tools/deps.sh build test fuzz
	$(MAKE) O=build/fuzz CC=clang SANITIZE=fuzz CFLAGS='-O1 -g' fuzz-build
	sh tests/fuzz/run.sh build/fuzz $(FUZZ_TIME) $(FUZZ_TARGETS)

hostile: deps
	$(MAKE) tests-build
	FERRY_BUILD=$(O) FERRY_LIMITS=1 sh tests/run.sh tests/cli/t-hostile.sh

crash: deps
	$(MAKE) tests-build
	FERRY_BUILD=$(O) FERRY_KILL_RUNS=$${FERRY_KILL_RUNS:-250} sh tests/run.sh tests/cli/t-crash.sh

deps:
	@sh tools/deps.sh build test

# The README's test command: everything, under ASan + UBSan.
check: deps
	$(MAKE) O=build/asan SANITIZE=1 CFLAGS='-O1 -g' tests-build
	FERRY_BUILD=build/asan sh tests/run.sh

# The audit's HTML page in a real headless Chromium (installs Debian's
# chromium when missing; a screenshot lands in build/browser/).
check-browser: deps
	$(MAKE) all
	sh tools/deps.sh browser
	FERRY_BUILD=$(O) sh tests/run.sh tests/browser/t-html.sh

# Tests against real servers on loopback (tests/peers/): each installs its
# server from the npm registry into $(FERRY_PEERS) (default
# ~/.cache/ferry-peers, outside the tree) and picks free ports. They need
# the registry, so they are not part of `make check`; .ci/run runs both.
# Add a peer test by appending to PEER_TESTS.
PEER_TESTS = tests/peers/t-backup-s3.sh
# n8n 2.41.1 and a fake model (aimock): ~3 GB and ~6 minutes the first time,
# about 2 minutes after; a peer that cannot start fails the run, never skips.
PEER_TESTS += tests/peers/t-n8n-peer.sh

check-peers:
	@sh tools/deps.sh build test peers
	$(MAKE) O=build/asan SANITIZE=1 CFLAGS='-O1 -g' tests-build
	FERRY_BUILD=build/asan sh tests/run.sh $(PEER_TESTS)

test: tests-build
	FERRY_BUILD=$(O) sh tests/run.sh

valgrind: tests-build
	FERRY_BUILD=$(O) FERRY_VALGRIND=1 sh tests/run.sh

demo: deps
	$(MAKE) all
	sh tools/demo.sh $(O)/bin

bench: tests-build
	sh tests/bench/run.sh $(O)/bin

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)
	install -m 644 $(TOOLS:%=tools/%.1) $(DESTDIR)$(MANDIR)/man1
	install -d $(DESTDIR)$(MANDIR)/man7
	install -m 644 $(MAN7) $(DESTDIR)$(MANDIR)/man7

check-headers:
	@for h in formats/*.h adapters/*.h tools/*.h; do \
		echo "#include \"$$h\"" | $(CC) $(ALL_CFLAGS) -x c -fsyntax-only -I. - || exit 1; \
	done; echo "every header compiles on its own"

clean:
	rm -rf build

-include $(shell find $(O)/obj -name '*.d' 2>/dev/null)
