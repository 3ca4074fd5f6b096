# SPDX-License-Identifier: GPL-2.0
# dmabufstat: BPF programs, their skeletons, the tools and the test runner.
# `make V=1` shows the commands.

# STATIC=1 builds beside the normal build, in .output/static; SANITIZE=1
# (ASan and UBSan) in .output/sanitize.
OUTPUT := $(if $(filter 1,$(STATIC)),.output/static,$(if $(filter 1,$(SANITIZE)),.output/sanitize,.output))
CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= gcc
ARCH ?= $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

CFLAGS ?= -g -O2
CFLAGS += -Wall -Wextra -Werror -D_GNU_SOURCE -I$(OUTPUT) -I$(OUTPUT)/skel -Ibpf
CFLAGS += $(CPPFLAGS)
LDLIBS := -lbpf -lelf -lz -lpthread

# make STATIC=1: fully static dmabufstat and dmabuf-top (libbpf, libelf,
# zlib, ncursesw and glibc linked in) to copy onto a board.
ifeq ($(STATIC),1)
TOOL_LDFLAGS := -static
endif

# make SANITIZE=1: the library, the tools and test_progs with ASan and
# UBSan, stopping at the first report; `make check SANITIZE=1` runs the
# host suite with them.
ifeq ($(SANITIZE),1)
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
CFLAGS += $(SAN_FLAGS)
LDFLAGS += $(SAN_FLAGS)
endif

# Set DEPS=0 where packages come from elsewhere (a Debian package build).
DEPS ?= 1

# clang -target bpf does not search the host's system include paths; give
# it the ones the host compiler uses so asm/ headers resolve.
CLANG_BPF_SYS_INCLUDES ?= $(shell $(CLANG) -v -E - </dev/null 2>&1 | \
	sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')
BPF_CFLAGS := -g -O2 -Wall -Werror -target bpf -D__TARGET_ARCH_$(ARCH) \
	-I. -Ibpf $(CLANG_BPF_SYS_INCLUDES)

BPF_SRCS := $(wildcard bpf/*.bpf.c selftests/progs/*.bpf.c bench/*.bpf.c)
SKELS := $(patsubst %.bpf.c,$(OUTPUT)/skel/%.skel.h,$(notdir $(BPF_SRCS)))

TEST_SRCS := $(filter-out selftests/dmabuf-workload.c selftests/dmabuf-lifecycle.c,$(wildcard selftests/*.c)) \
	$(wildcard selftests/prog_tests/*.c)
TEST_OBJS := $(patsubst %.c,$(OUTPUT)/%.o,$(TEST_SRCS))
WORKLOAD_OBJS := $(OUTPUT)/selftests/dmabuf-workload.o $(OUTPUT)/selftests/bufsrc.o

# libdmabufstat: src/libdmabufstat.h is its one public header, src/lib/ its
# sources (one file per buffer or process source in src/lib/sources/); built
# static and shared from the same position-independent objects.
LIB_SRCS := $(wildcard src/lib/*.c src/lib/sources/*.c)
LIB_OBJS := $(patsubst %.c,$(OUTPUT)/%.o,$(LIB_SRCS))
LIB_A := $(if $(LIB_SRCS),$(OUTPUT)/libdmabufstat.a)
LIB_SO := $(if $(LIB_SRCS),$(OUTPUT)/libdmabufstat.so)
LIB_LDLIBS := $(LDLIBS) $(if $(LIB_SRCS),-ljson-c)

# The tools, above the library: src/report/ (the views, the column and row
# model, the table/JSON/CSV writers: both tools' output), src/common/
# (messages, option words, error advice: both tools' command lines), then
# src/cli/ (dmabufstat) and src/top/ (dmabuf-top).
REPORT_SRCS := $(wildcard src/report/*.c)
REPORT_OBJS := $(patsubst %.c,$(OUTPUT)/%.o,$(REPORT_SRCS))
COMMON_SRCS := $(wildcard src/common/*.c)
COMMON_OBJS := $(patsubst %.c,$(OUTPUT)/%.o,$(COMMON_SRCS))
CLI_SRCS := $(wildcard src/cli/*.c)
CLI_OBJS := $(patsubst %.c,$(OUTPUT)/%.o,$(CLI_SRCS))
TOP_SRCS := $(wildcard src/top/*.c)
TOP_OBJS := $(patsubst %.c,$(OUTPUT)/%.o,$(TOP_SRCS))
TOOL_HDRS := src/libdmabufstat.h $(wildcard src/report/*.h src/common/*.h)
TOOL_INCS := -Isrc -Isrc/report -Isrc/common

BINS := $(OUTPUT)/bin/test_progs $(OUTPUT)/bin/dmabuf-workload \
	$(OUTPUT)/bin/dmabuf-lifecycle \
	$(if $(CLI_SRCS),$(OUTPUT)/bin/dmabufstat) \
	$(if $(TOP_SRCS),$(OUTPUT)/bin/dmabuf-top) $(OUTPUT)/bin/dmabuf-bench

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.PHONY: all
all: $(LIB_A) $(LIB_SO) $(BINS)

# Every build first makes sure the Debian packages are there (quiet and
# quick when they are).
.PHONY: deps
deps:
ifeq ($(DEPS),1)
	$(Q)tools/install-deps
endif

$(OUTPUT)/bpf $(OUTPUT)/skel $(OUTPUT)/bin $(OUTPUT)/selftests $(OUTPUT)/selftests/prog_tests $(OUTPUT)/src/lib $(OUTPUT)/src/top $(OUTPUT)/src/common $(OUTPUT)/src/report $(OUTPUT)/src/cli:
	$(Q)mkdir -p $@

# BPF objects and their skeletons (libbpf-bootstrap's shape).
$(OUTPUT)/bpf/%.bpf.o: bpf/%.bpf.c vmlinux.h $(wildcard bpf/*.h) | $(OUTPUT)/bpf deps
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/bpf/%.bpf.o: selftests/progs/%.bpf.c vmlinux.h $(wildcard bpf/*.h selftests/progs/*.h) | $(OUTPUT)/bpf deps
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/bpf/%.bpf.o: bench/%.bpf.c vmlinux.h | $(OUTPUT)/bpf deps
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/skel/%.skel.h: $(OUTPUT)/bpf/%.bpf.o | $(OUTPUT)/skel
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

# The test list is discovered at build time from `void test_NAME(void)`.
$(OUTPUT)/selftests/tests.h: $(wildcard selftests/prog_tests/*.c) | $(OUTPUT)/selftests
	$(call msg,GEN,$@)
	$(Q)grep -h '^void test_[a-z0-9_]*(void)' $(sort $^) | \
		sed 's/^void \(test_[a-z0-9_]*\)(void).*/DEFINE_TEST(\1)/' > $@

$(OUTPUT)/selftests/%.o: selftests/%.c $(wildcard selftests/*.h selftests/progs/*.h bpf/*.h src/report/*.h) $(OUTPUT)/selftests/tests.h $(SKELS) | $(OUTPUT)/selftests/prog_tests deps
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Iselftests -I$(OUTPUT)/selftests -Isrc -Isrc/lib -c $< -o $@

$(OUTPUT)/bin/test_progs: $(TEST_OBJS) $(REPORT_OBJS) $(LIB_A) | $(OUTPUT)/bin
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LIB_LDLIBS) -o $@

$(LIB_OBJS): $(OUTPUT)/src/lib/%.o: src/lib/%.c $(wildcard src/lib/*.h src/lib/sources/*.h) src/libdmabufstat.h $(SKELS) | $(OUTPUT)/src/lib deps
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -fPIC -fvisibility=hidden -Isrc -Isrc/lib -c $< -o $@

$(OUTPUT)/libdmabufstat.a: $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(OUTPUT)/libdmabufstat.so: $(LIB_OBJS)
	$(call msg,LIB,$@)
	$(Q)$(CC) $(LDFLAGS) -shared -Wl,-soname,libdmabufstat.so.$(VERSION_MAJOR) $^ $(LIB_LDLIBS) -o $@

$(REPORT_OBJS): $(OUTPUT)/src/report/%.o: src/report/%.c $(TOOL_HDRS) | $(OUTPUT)/src/report deps
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(TOOL_INCS) -c $< -o $@

$(COMMON_OBJS): $(OUTPUT)/src/common/%.o: src/common/%.c $(TOOL_HDRS) | $(OUTPUT)/src/common deps
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(TOOL_INCS) -c $< -o $@

$(CLI_OBJS): $(OUTPUT)/src/cli/%.o: src/cli/%.c $(TOOL_HDRS) $(wildcard src/cli/*.h) bpf/dmabufstat.h | $(OUTPUT)/src/cli deps
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(TOOL_INCS) -Isrc/cli -Ibpf -c $< -o $@

$(OUTPUT)/bin/dmabufstat: $(CLI_OBJS) $(COMMON_OBJS) $(REPORT_OBJS) $(LIB_A) | $(OUTPUT)/bin
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $(TOOL_LDFLAGS) $^ $(LDLIBS) -lm -o $@

$(TOP_OBJS): $(OUTPUT)/src/top/%.o: src/top/%.c $(TOOL_HDRS) $(wildcard src/top/*.h) | $(OUTPUT)/src/top deps
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(TOOL_INCS) -Isrc/top -c $< -o $@

$(OUTPUT)/bin/dmabuf-top: $(TOP_OBJS) $(COMMON_OBJS) $(REPORT_OBJS) $(LIB_A) | $(OUTPUT)/bin
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $(TOOL_LDFLAGS) $^ $(LDLIBS) -lm -lncursesw -ltinfo -o $@

$(OUTPUT)/bin/dmabuf-workload: $(WORKLOAD_OBJS) | $(OUTPUT)/bin
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $(TOOL_LDFLAGS) $^ $(LDLIBS) -o $@

# dmabuf-lifecycle: buffers handed on, orphaned and kept by an import,
# for the tracking tests.
$(OUTPUT)/bin/dmabuf-lifecycle: $(OUTPUT)/selftests/dmabuf-lifecycle.o $(OUTPUT)/selftests/bufsrc.o | $(OUTPUT)/bin
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $(TOOL_LDFLAGS) $^ $(LDLIBS) -o $@

# dmabuf-bench: the timing half of `make bench` (bench/run), run in the guest.
BENCH_OBJS := $(patsubst %.c,$(OUTPUT)/%.o,$(filter-out %.bpf.c,$(wildcard bench/*.c)))
$(BENCH_OBJS): $(OUTPUT)/bench/%.o: bench/%.c bench/bench.h src/libdmabufstat.h $(SKELS) | deps
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) -Isrc -c $< -o $@

$(OUTPUT)/bin/dmabuf-bench: $(BENCH_OBJS) $(LIB_A) | $(OUTPUT)/bin
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LIB_LDLIBS) -o $@

# Readers, allocation and memory in the guest (README "Benchmarks").
.PHONY: bench
bench: all
	$(Q)bench/run $(BENCH_ARGS)

# Tests: host unit and BPF load tests, the fuzz corpora, then the guest
# suite on the patched (and, where tests need it, the unpatched) kernel;
# one summary line. With SANITIZE=1: the host suite alone, sanitized.
.PHONY: check
check: all
ifeq ($(SANITIZE),1)
	$(Q)CHECK_SUITES=host TEST_PROGS=$(OUTPUT)/bin/test_progs tools/check
else
	$(Q)tools/check
endif

.PHONY: sanitize-check
sanitize-check:
	$(Q)$(MAKE) --no-print-directory SANITIZE=1 check

# libFuzzer targets, one per parser of kernel text (fuzz/NAME.c), each
# linked with the parsers alone. `make fuzz` runs each for FUZZ_SECONDS
# from its corpus (fuzz/corpus/NAME/, where new inputs are not written:
# see tools/fuzz); `make check` replays the corpora.
FUZZ_CC ?= clang
FUZZ_OUT := .output/fuzz
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -Wall -Wextra -Werror -D_GNU_SOURCE \
	-Isrc -Isrc/lib -Ifuzz
FUZZ_LIB_SRCS := src/lib/parse.c src/lib/collect.c src/lib/readfile.c
FUZZ_BINS := $(patsubst fuzz/%.c,$(FUZZ_OUT)/%,$(wildcard fuzz/*.c))

$(FUZZ_OUT)/%: fuzz/%.c fuzz/fuzz.h $(FUZZ_LIB_SRCS) $(wildcard src/lib/*.h) src/libdmabufstat.h | deps
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $< $(FUZZ_LIB_SRCS) -o $@

# The record decoder and the error and log calls it makes (log.c routes
# libbpf's output, so libbpf is linked, uninstrumented).
FUZZ_RECORDS_SRCS := src/lib/sources/records.c src/lib/error.c src/lib/log.c
$(FUZZ_OUT)/records: fuzz/records.c fuzz/fuzz.h $(FUZZ_LIB_SRCS) $(FUZZ_RECORDS_SRCS) $(wildcard src/lib/*.h src/lib/sources/*.h bpf/*.h) src/libdmabufstat.h | deps
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -Ibpf $< $(FUZZ_LIB_SRCS) $(FUZZ_RECORDS_SRCS) -lbpf -lelf -lz -o $@

# A saved snapshot's JSON (dmabufstat diff FILE), with the JSON writer the
# tools print through for its printed half.
FUZZ_SNAPLOAD_SRCS := src/report/snapload.c src/report/jsonw.c \
	src/report/text.c src/report/utf8.c
$(FUZZ_OUT)/snapload: fuzz/snapload.c fuzz/fuzz.h $(FUZZ_SNAPLOAD_SRCS) $(wildcard src/report/*.h) | deps
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -Isrc/report $< $(FUZZ_SNAPLOAD_SRCS) -o $@

.PHONY: fuzz-build fuzz
fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	$(Q)FUZZ_SECONDS=$(FUZZ_SECONDS) tools/fuzz run

# The iterator tests on the KASAN + lockdep kernel (slow: not in `check`).
.PHONY: check-debug
check-debug: all
	$(Q)CHECK_SUITES=debug tools/check

# The series' tests in the kernel's own BPF selftests (test_progs built with
# clang-16 from the patched tree) on the selftests kernel in the guest.
.PHONY: check-kernel-selftests
check-kernel-selftests:
	$(Q)CHECK_SUITES=kselftests tools/check

# The patched kernel in QEMU with a workload, and the tools on it.
.PHONY: demo
demo: all
	$(Q)tools/demo

# The same guest and workload, and a shell there to try the tools yourself.
.PHONY: demo-shell
demo-shell: all
	$(Q)tools/demo --shell

# Regenerate the checked-in vmlinux.h from the patched kernel's BTF.
.PHONY: vmlinux
vmlinux: | deps
	$(Q)tools/gen-vmlinux-h

# ---------------------------------------------------------------- install
# GNU-style directories; DESTDIR stages the tree (packages).
VERSION_MAJOR := $(shell sed -n 's/^\#define DMABUFSTAT_VERSION_MAJOR \([0-9]*\)/\1/p' src/libdmabufstat.h)
VERSION_MINOR := $(shell sed -n 's/^\#define DMABUFSTAT_VERSION_MINOR \([0-9]*\)/\1/p' src/libdmabufstat.h)
VERSION := $(VERSION_MAJOR).$(VERSION_MINOR)
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/sbin
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR ?= /etc
COMPLETIONDIR ?= $(DATADIR)/bash-completion/completions
INSTALL ?= install

MANPAGES := $(wildcard docs/man/*.[0-9])

# What is installed: the two tools, the library (shared with its soname
# links, static, header, pkg-config), man pages, completion, boot unit.
# The pkg-config file and the unit name install paths: written at install.
INSTALL_DEPS := $(OUTPUT)/bin/dmabufstat $(OUTPUT)/bin/dmabuf-top $(LIB_A) $(LIB_SO)

.PHONY: tools
tools: $(INSTALL_DEPS)

.PHONY: install
install: $(INSTALL_DEPS)
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig \
		$(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(MANDIR)/man3 \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(COMPLETIONDIR) \
		$(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(SYSCONFDIR)/default
	$(Q)$(INSTALL) -m 0755 $(OUTPUT)/bin/dmabufstat $(OUTPUT)/bin/dmabuf-top $(DESTDIR)$(BINDIR)/
	$(Q)$(INSTALL) -m 0644 $(LIB_SO) $(DESTDIR)$(LIBDIR)/libdmabufstat.so.$(VERSION)
	$(Q)ln -sf libdmabufstat.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libdmabufstat.so.$(VERSION_MAJOR)
	$(Q)ln -sf libdmabufstat.so.$(VERSION_MAJOR) $(DESTDIR)$(LIBDIR)/libdmabufstat.so
	$(Q)$(INSTALL) -m 0644 $(LIB_A) $(DESTDIR)$(LIBDIR)/
	$(Q)$(INSTALL) -m 0644 src/libdmabufstat.h $(DESTDIR)$(INCLUDEDIR)/
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' \
		packaging/libdmabufstat.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/libdmabufstat.pc
	$(Q)for m in $(filter %.3,$(MANPAGES)); do $(INSTALL) -m 0644 $$m $(DESTDIR)$(MANDIR)/man3/; done
	$(Q)for m in $(filter %.8,$(MANPAGES)); do $(INSTALL) -m 0644 $$m $(DESTDIR)$(MANDIR)/man8/; done
	$(Q)$(INSTALL) -m 0644 packaging/bash-completion $(DESTDIR)$(COMPLETIONDIR)/dmabufstat
	$(Q)ln -sf dmabufstat $(DESTDIR)$(COMPLETIONDIR)/dmabuf-top
	$(Q)sed -e 's|@BINDIR@|$(BINDIR)|' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|' \
		packaging/dmabufstat.service.in > $(DESTDIR)$(SYSTEMDUNITDIR)/dmabufstat.service
	$(Q)$(INSTALL) -m 0644 packaging/dmabufstat.default $(DESTDIR)$(SYSCONFDIR)/default/dmabufstat

.PHONY: uninstall
uninstall:
	$(call msg,UNINSTALL,$(DESTDIR)$(PREFIX))
	$(Q)rm -f $(DESTDIR)$(BINDIR)/dmabufstat $(DESTDIR)$(BINDIR)/dmabuf-top \
		$(DESTDIR)$(LIBDIR)/libdmabufstat.so.$(VERSION) \
		$(DESTDIR)$(LIBDIR)/libdmabufstat.so.$(VERSION_MAJOR) \
		$(DESTDIR)$(LIBDIR)/libdmabufstat.so $(DESTDIR)$(LIBDIR)/libdmabufstat.a \
		$(DESTDIR)$(INCLUDEDIR)/libdmabufstat.h \
		$(DESTDIR)$(LIBDIR)/pkgconfig/libdmabufstat.pc \
		$(addprefix $(DESTDIR)$(MANDIR)/man3/,$(notdir $(filter %.3,$(MANPAGES)))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(filter %.8,$(MANPAGES)))) \
		$(DESTDIR)$(COMPLETIONDIR)/dmabufstat $(DESTDIR)$(COMPLETIONDIR)/dmabuf-top \
		$(DESTDIR)$(SYSTEMDUNITDIR)/dmabufstat.service \
		$(DESTDIR)$(SYSCONFDIR)/default/dmabufstat

# Debian packages (dmabufstat, libdmabufstat0, libdmabufstat-dev) into
# .output/deb/.
.PHONY: deb
deb: | deps
	$(Q)tools/build-deb

.PHONY: clean
clean:
	$(call msg,CLEAN)
	$(Q)rm -rf $(OUTPUT)

.DELETE_ON_ERROR:
.SECONDARY:
