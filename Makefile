# clustertools — the one entry point.
#   make            build every tool (build/release/bin/)
#   make check      install missing packages, build release + ASan/UBSan, run every test
#   make demo       build, start an 8-node local cluster, show the tools at work
#   make bench      side-by-side timings against the peer tools (bench/RESULTS.md)
#   make fuzz       run every libFuzzer target for FUZZ_SECONDS each
#   make install    PREFIX, DESTDIR, SYSCONFDIR; never overwrites files in SYSCONFDIR
#
# Each tool folder holds a tool.mk that adds itself to TOOLS and names the
# pkg-config packages it links (NAME_PKGS), libraries without a .pc file
# (NAME_LDLIBS), extra installed links (NAME_LINKS); SBIN_TOOLS += NAME for sbin.

VERSION     := 0.1.0
PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
SBINDIR     ?= $(PREFIX)/sbin
MANDIR      ?= $(PREFIX)/share/man
SYSCONFDIR  ?= /etc
DESTDIR     ?=

CC          ?= cc
CFLAGS      ?= -O2 -g
FUZZ_CC     ?= clang
FUZZ_SECONDS ?= 60
WARNFLAGS   := -Wall -Wextra -Werror
SANFLAGS    := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
BASE_CPPFLAGS := -D_GNU_SOURCE -Ilib -DSYSCONFDIR='"$(SYSCONFDIR)"' -DCT_VERSION='"$(VERSION)"'

TOOLS       :=
SBIN_TOOLS  :=
LIB_PKGS    := popt jansson libssh2
include $(sort $(wildcard */tool.mk))

ALL_PKGS    := $(sort $(LIB_PKGS) $(foreach t,$(TOOLS),$($(t)_PKGS)))
# libraries without a pkg-config file (librsync on Debian 12): NAME_LDLIBS
ALL_LDLIBS  := $(sort $(foreach t,$(TOOLS),$($(t)_LDLIBS)))
pkg_cflags   = $(shell pkg-config --cflags $(1) 2>/dev/null)
pkg_libs     = $(shell pkg-config --libs $(1) 2>/dev/null)
PKG_CFLAGS  := $(call pkg_cflags,$(ALL_PKGS) cmocka)

LIB_SRCS    := $(sort $(wildcard lib/*.c))
UNIT_SRCS   := $(sort $(wildcard tests/unit/test_*.c))
FUZZ_SRCS   := $(sort $(wildcard tests/fuzz/fuzz_*.c))
HELPER_SRCS := $(sort $(wildcard tests/helpers/*.c))
tool_srcs    = $(filter-out $(1)/main.c,$(sort $(wildcard $(1)/*.c)))

.SECONDARY:
.PHONY: all asan check check-build demo bench fuzz fuzz-build install clean deps unit
all: release

# --- one set of rules per build variant: release, asan, fuzz --------------
# $(1) variant, $(2) compiler, $(3) extra compile flags, $(4) extra link flags
define variant
$(1)_DIR      := build/$(1)
$(1)_LIB      := build/$(1)/lib/libclustertools.a
$(1)_TOOLLIBS := $$(foreach t,$$(TOOLS),build/$(1)/$$(t)/lib$$(t).a)
$(1)_BINS     := $$(foreach t,$$(TOOLS),build/$(1)/bin/$$(t))
$(1)_UNITS    := $$(patsubst tests/unit/%.c,build/$(1)/tests/unit/%,$$(UNIT_SRCS))
$(1)_HELPERS  := $$(patsubst tests/helpers/%.c,build/$(1)/bin/%,$$(HELPER_SRCS))

build/$(1)/%.o: %.c
	@mkdir -p $$(@D)
	$(2) $$(BASE_CPPFLAGS) $$(PKG_CFLAGS) $$(CFLAGS) $$(WARNFLAGS) $(3) -MMD -MP -c -o $$@ $$<

$$($(1)_LIB): $$(patsubst %.c,build/$(1)/%.o,$$(LIB_SRCS))
	@mkdir -p $$(@D)
	rm -f $$@ && ar rcs $$@ $$^

build/$(1)/%.a:
	@mkdir -p $$(@D)
	rm -f $$@ && ar rcs $$@ $$^

build/$(1)/bin/%: build/$(1)/tests/helpers/%.o $$($(1)_LIB)
	@mkdir -p $$(@D)
	$(2) $$(CFLAGS) $(3) $(4) -o $$@ $$^ $$(call pkg_libs,$$(LIB_PKGS))

build/$(1)/tests/unit/%: build/$(1)/tests/unit/%.o $$($(1)_TOOLLIBS) $$($(1)_LIB)
	@mkdir -p $$(@D)
	$(2) $$(CFLAGS) $(3) $(4) -Wl,--as-needed -o $$@ $$< $$($(1)_TOOLLIBS) $$($(1)_LIB) $$(call pkg_libs,$$(ALL_PKGS) cmocka) $$(ALL_LDLIBS) -lm

$(1): $$($(1)_BINS) $$($(1)_UNITS) $$($(1)_HELPERS)
endef

# $(1) variant, $(2) compiler, $(3) compile flags, $(4) link flags, $(5) tool
define tool_rules
build/$(1)/$(5)/lib$(5).a: $$(patsubst %.c,build/$(1)/%.o,$$(call tool_srcs,$(5)))
build/$(1)/bin/$(5): build/$(1)/$(5)/main.o build/$(1)/$(5)/lib$(5).a $$($(1)_LIB)
	@mkdir -p $$(@D)
	$(2) $$(CFLAGS) $(3) $(4) -Wl,--as-needed -o $$@ $$^ $$(call pkg_libs,$$(LIB_PKGS) $$($(5)_PKGS)) $$($(5)_LDLIBS) -lm
	$$(foreach l,$$($(5)_LINKS),ln -sf $(5) build/$(1)/bin/$$(l);)
endef

$(eval $(call variant,release,$(CC),,))
$(eval $(call variant,asan,$(CC),$(SANFLAGS),$(SANFLAGS)))
$(foreach t,$(TOOLS),$(eval $(call tool_rules,release,$(CC),,,$(t))))
$(foreach t,$(TOOLS),$(eval $(call tool_rules,asan,$(CC),$(SANFLAGS),$(SANFLAGS),$(t))))

# Fuzz targets: clang + libFuzzer, linked against the library and tool modules.
FUZZ_FLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
$(eval $(call variant,fuzz,$(FUZZ_CC),$(FUZZ_FLAGS),))
$(foreach t,$(TOOLS),$(eval $(call tool_rules,fuzz,$(FUZZ_CC),$(FUZZ_FLAGS),,$(t))))
FUZZ_BINS := $(patsubst tests/fuzz/%.c,build/fuzz/tests/fuzz/%,$(FUZZ_SRCS))
build/fuzz/tests/fuzz/%: build/fuzz/tests/fuzz/%.o $(fuzz_TOOLLIBS) $(fuzz_LIB)
	$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -Wl,--as-needed -o $@ $< $(fuzz_TOOLLIBS) $(fuzz_LIB) $(call pkg_libs,$(ALL_PKGS)) $(ALL_LDLIBS) -lm
fuzz-build: $(FUZZ_BINS)

-include $(shell find build -name '*.d' -type f 2>/dev/null)

# --- the commands README gives --------------------------------------------
deps:
	@sh mk/deps

check: deps
	@$(MAKE) --no-print-directory check-build
	@tests/run

check-build: release asan fuzz-build

demo: deps
	@$(MAKE) --no-print-directory release
	@tests/demo/run

bench: deps
	@$(MAKE) --no-print-directory release
	@bench/run

fuzz: deps
	@$(MAKE) --no-print-directory fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run

unit: release asan
	@tests/run unit

install: release
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(SYSCONFDIR)
	@set -e; for t in $(TOOLS); do \
	  dir=$(DESTDIR)$(BINDIR); case " $(SBIN_TOOLS) " in *" $$t "*) dir=$(DESTDIR)$(SBINDIR);; esac; \
	  echo "install $$t -> $$dir"; install -m 755 build/release/bin/$$t $$dir/$$t; \
	done
	@set -e; $(foreach t,$(TOOLS),$(foreach l,$($(t)_LINKS),ln -sf $(t) $(DESTDIR)$(BINDIR)/$(l);))
	@set -e; for m in man/*.[158]; do [ -e "$$m" ] || continue; \
	  install -m 644 $$m $(DESTDIR)$(MANDIR)/man$${m##*.}/; done
	@sh mk/install-etc etc $(DESTDIR)$(SYSCONFDIR)

clean:
	rm -rf build
