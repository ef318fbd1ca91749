# SPDX-License-Identifier: BSD-3-Clause
# clustertools — the one entry point.
#   make            build the tools (build/release/bin/); needs only the libraries they link
#   make install    DESTDIR, PREFIX, SYSCONFDIR, ...; an edited config is kept, the new one put beside it
#   make uninstall  the same variables; edited configs stay
#   make deps       install the build dependencies (as root; otherwise prints the apt-get line)
#   make check      install every missing package, build release + ASan/UBSan + fuzz with
#                   -Werror, run every test (tests/run); STRICT=1 (or CI=true, as .ci/run
#                   sets): a skipped test is a failure
#   make demo       build, start an 8-node local cluster, show the tools at work
#   make bench      side-by-side timings against the peer tools (bench/RESULTS.md)
#   make fuzz       run every libFuzzer target for FUZZ_SECONDS each
#
# Each tool folder holds a tool.mk that adds itself to TOOLS and names the
# pkg-config packages it links (NAME_PKGS), libraries without a .pc file
# (NAME_LDLIBS), libraries linked into the binary itself from their static
# archive (NAME_STATIC: ctrelay, copied to nodes that may lack them), extra
# installed links (NAME_LINKS); SBIN_TOOLS += NAME for sbin.
# mk/packages names the Debian package of every library.

VERSION     := 0.1.0
PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
SBINDIR     ?= $(PREFIX)/sbin
DATADIR     ?= $(PREFIX)/share
PKGDATADIR  ?= $(DATADIR)/clustertools
MANDIR      ?= $(DATADIR)/man
DOCDIR      ?= $(DATADIR)/doc/clustertools
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
ZSHCOMPDIR  ?= $(DATADIR)/zsh/vendor-completions
SYSCONFDIR  ?= /etc
UNITDIR     ?= $(PREFIX)/lib/systemd/system
DESTDIR     ?=
INSTALL     ?= install

CFLAGS      ?= -O2 -g
PKG_CONFIG  ?= pkg-config
FUZZ_CC     ?= clang
FUZZ_SECONDS ?= 60
# -Werror for the developer builds (make check, make release/asan/fuzz-build),
# not for plain make or a distribution's build; WERROR=... on the command line wins.
ifneq ($(filter check check-build release asan fuzz-build unit,$(MAKECMDGOALS)),)
WERROR      ?= -Werror
endif
WARNFLAGS   := -Wall -Wextra
SANFLAGS    := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
# build/config.h holds what the tools embed (version, SYSCONFDIR, PKGDATADIR)
CONFIG_H    := build/config.h
# lib/ is grouped by concern (ssh/, nodes/, relay/, the rest at the top); every
# folder is on the include path, so a module is included by its name alone
LIB_DIRS    := lib $(sort $(patsubst %/,%,$(dir $(wildcard lib/*/*.c))))
BASE_CPPFLAGS := -D_GNU_SOURCE $(addprefix -I,$(LIB_DIRS)) -include $(CONFIG_H)

TOOLS       :=
SBIN_TOOLS  :=
LIB_PKGS    := popt jansson libssh2 yaml-0.1
include $(sort $(wildcard */tool.mk))
BIN_TOOLS   := $(filter-out $(SBIN_TOOLS),$(TOOLS))

ALL_PKGS    := $(sort $(LIB_PKGS) $(foreach t,$(TOOLS),$($(t)_PKGS)))
# libraries without a pkg-config file (librsync on Debian 12): NAME_LDLIBS
ALL_LDLIBS  := $(sort $(foreach t,$(TOOLS),$($(t)_LDLIBS)))
# one pkg-config call per package: a missing one drops only its own flags
# (need-libs has stopped the build before that matters)
pkg_cflags   = $(foreach p,$(1),$(shell $(PKG_CONFIG) --cflags $(p) 2>/dev/null))
pkg_libs     = $(foreach p,$(1),$(shell $(PKG_CONFIG) --libs $(p) 2>/dev/null))
# computed once, when the first compile needs them
PKG_CFLAGS   = $(eval PKG_CFLAGS := $(call pkg_cflags,$(ALL_PKGS)))$(PKG_CFLAGS)
TEST_CFLAGS  = $(eval TEST_CFLAGS := $(call pkg_cflags,cmocka))$(TEST_CFLAGS)

LIB_SRCS    := $(sort $(wildcard $(addsuffix /*.c,$(LIB_DIRS))))
UNIT_SRCS   := $(sort $(wildcard tests/unit/test_*.c))
FUZZ_SRCS   := $(sort $(wildcard tests/fuzz/fuzz_*.c))
HELPER_SRCS := $(sort $(wildcard tests/helpers/*.c))
tool_srcs    = $(filter-out $(1)/main.c,$(sort $(wildcard $(1)/*.c)))
objs         = $(filter %.o %.a,$(1))

.SECONDARY:
.PHONY: all asan check check-build demo bench fuzz fuzz-build install uninstall clean deps \
	test-deps unit need-libs need-test-libs release-tools asan-tools fuzz-tools FORCE
all: release-tools

# --- what the objects depend on besides their sources ----------------------
# write_if_changed TEXT: $@ gets TEXT only when it differs, so what depends on
# it is rebuilt only then (a new PREFIX, other CFLAGS)
define write_if_changed
	$(shell mkdir -p $(@D))$(file >$@.tmp,$(1))
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv -f $@.tmp $@; fi
endef

define CONFIG_TEXT
/* written by make: the values the tools embed */
#define CT_VERSION "$(VERSION)"
#define SYSCONFDIR "$(SYSCONFDIR)"
#define PKGDATADIR "$(PKGDATADIR)"
endef

$(CONFIG_H): FORCE
	$(call write_if_changed,$(CONFIG_TEXT))

# before compiling: every library there, or its Debian package named (mk/packages)
need-libs:
	@PKG_CONFIG='$(PKG_CONFIG)' CC='$(CC)' CPPFLAGS='$(CPPFLAGS)' CFLAGS='$(CFLAGS)' LDFLAGS='$(LDFLAGS)' \
		sh mk/need-libs "the tools" $(ALL_PKGS) $(ALL_LDLIBS)
need-test-libs: need-libs
	@PKG_CONFIG='$(PKG_CONFIG)' sh mk/need-libs "the unit tests" cmocka

# --- one set of rules per build variant: release, asan, fuzz --------------
# $(1) variant, $(2) compiler, $(3) extra compile flags, $(4) extra link flags
define variant
$(1)_DIR      := build/$(1)
$(1)_LIB      := build/$(1)/lib/libclustertools.a
$(1)_TOOLLIBS := $$(foreach t,$$(TOOLS),build/$(1)/$$(t)/lib$$(t).a)
$(1)_BINS     := $$(foreach t,$$(TOOLS),build/$(1)/bin/$$(t))
$(1)_UNITS    := $$(patsubst tests/unit/%.c,build/$(1)/tests/unit/%,$$(UNIT_SRCS))
$(1)_HELPERS  := $$(patsubst tests/helpers/%.c,build/$(1)/bin/%,$$(HELPER_SRCS))

build/$(1)/flags: FORCE
	$$(call write_if_changed,$(2) $$(BASE_CPPFLAGS) $$(CPPFLAGS) $$(CFLAGS) $(3) $(4) $$(LDFLAGS))

build/$(1)/%.o: %.c $(CONFIG_H) build/$(1)/flags | need-libs
	@mkdir -p $$(@D)
	$(2) $$(BASE_CPPFLAGS) $$(CPPFLAGS) $$(PKG_CFLAGS) $$(CFLAGS) $$(WARNFLAGS) $$(WERROR) $(3) -MMD -MP -c -o $$@ $$<

build/$(1)/tests/unit/%.o: tests/unit/%.c $(CONFIG_H) build/$(1)/flags | need-test-libs
	@mkdir -p $$(@D)
	$(2) $$(BASE_CPPFLAGS) $$(CPPFLAGS) $$(PKG_CFLAGS) $$(TEST_CFLAGS) $$(CFLAGS) $$(WARNFLAGS) $$(WERROR) $(3) -MMD -MP -c -o $$@ $$<

$$($(1)_LIB): $$(patsubst %.c,build/$(1)/%.o,$$(LIB_SRCS))
	@mkdir -p $$(@D)
	rm -f $$@ && ar rcs $$@ $$^

build/$(1)/%.a:
	@mkdir -p $$(@D)
	rm -f $$@ && ar rcs $$@ $$^

# test helpers link every package library (libcrypto for lib/relay: relay_rogue)
build/$(1)/bin/%: build/$(1)/tests/helpers/%.o $$($(1)_LIB) build/$(1)/flags
	@mkdir -p $$(@D)
	$(2) $$(CFLAGS) $(3) $(4) $$(LDFLAGS) -Wl,--as-needed -o $$@ $$(call objs,$$^) $$(call pkg_libs,$$(ALL_PKGS)) $$(ALL_LDLIBS)

build/$(1)/tests/unit/%: build/$(1)/tests/unit/%.o $$($(1)_TOOLLIBS) $$($(1)_LIB) build/$(1)/flags
	@mkdir -p $$(@D)
	$(2) $$(CFLAGS) $(3) $(4) $$(LDFLAGS) -Wl,--as-needed -o $$@ $$< $$($(1)_TOOLLIBS) $$($(1)_LIB) $$(call pkg_libs,$$(ALL_PKGS) cmocka) $$(ALL_LDLIBS) -lm

$(1)-tools: $$($(1)_BINS)
$(1): $$($(1)_BINS) $$($(1)_UNITS) $$($(1)_HELPERS)
endef

# $(1) variant, $(2) compiler, $(3) compile flags, $(4) link flags, $(5) tool
define tool_rules
build/$(1)/$(5)/lib$(5).a: $$(patsubst %.c,build/$(1)/%.o,$$(call tool_srcs,$(5)))
build/$(1)/bin/$(5): build/$(1)/$(5)/main.o build/$(1)/$(5)/lib$(5).a $$($(1)_LIB) build/$(1)/flags
	@mkdir -p $$(@D)
	$(2) $$(CFLAGS) $(3) $(4) $$(LDFLAGS) -Wl,--as-needed -o $$@ $$(call objs,$$^) $$(foreach l,$$($(5)_STATIC),-l:lib$$(l).a) $$(call pkg_libs,$$(sort $$(LIB_PKGS) $$($(5)_PKGS))) $$($(5)_LDLIBS) -lm
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
	$(FUZZ_CC) $(LDFLAGS) -fsanitize=fuzzer,address,undefined -Wl,--as-needed -o $@ $< $(fuzz_TOOLLIBS) $(fuzz_LIB) $(call pkg_libs,$(ALL_PKGS)) $(ALL_LDLIBS) -lm
fuzz-build: $(FUZZ_BINS)

-include $(shell find build/release build/asan build/fuzz -name '*.d' -type f 2>/dev/null)

# --- the commands README gives --------------------------------------------
deps:
	@sh mk/deps build

test-deps:
	@sh mk/deps check

check: test-deps
	@$(MAKE) --no-print-directory check-build
	@tests/run

check-build: release asan fuzz-build

demo: test-deps
	@$(MAKE) --no-print-directory release
	@tests/demo/run

bench: test-deps
	@$(MAKE) --no-print-directory release
	@bench/run

fuzz: test-deps
	@$(MAKE) --no-print-directory fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run

unit: release asan
	@tests/run unit

# --- install, uninstall ----------------------------------------------------
# Shipped mkchroot templates go to PKGDATADIR/mkchroot.d (a file of the same
# name in SYSCONFDIR/mkchroot.d overrides one); the other files of etc/ are
# sample configs for SYSCONFDIR and examples in DOCDIR/examples.
TEMPLATES   := $(sort $(wildcard etc/mkchroot.d/*.conf))
CONFIGS     := $(sort $(patsubst etc/%,%,$(filter-out etc/mkchroot.d/%,$(shell find etc -type f))))
CONF_DIRS   := $(sort $(patsubst %/,%,$(filter-out ./,$(dir $(CONFIGS)))))
MANPAGES    := $(sort $(wildcard man/*.[1578]))
# shell scripts installed as they are: the node's provisioning step, its live init, the naming at boot
SBIN_SCRIPTS := nodeimage/cmt-provision nodeimage/cmt-live-init lldpname/lldpname-boot
# systemd units, installed disabled (node images enable theirs: etc/mkchroot.d)
UNITS       := $(sort $(wildcard */*.service))
BASHCOMP    := $(sort $(wildcard completions/bash/*))
ZSHCOMP     := $(sort $(wildcard completions/zsh/*))
D           := $(DESTDIR)
# tool_dir NAME: where NAME is installed
tool_dir     = $(if $(filter $(1),$(SBIN_TOOLS)),$(SBINDIR),$(BINDIR))
# NAME:SECTION of every tool link (cexecs) without a page of its own, to link to its tool's page
MANLINKS    := $(foreach t,$(TOOLS),$(foreach m,$(filter $(addprefix man/$(t).,1 5 7 8),$(MANPAGES)),\
	$(foreach l,$($(t)_LINKS),$(if $(filter man/$(l).%,$(MANPAGES)),,$(t):$(l):$(subst man/$(t).,,$(m))))))

install: all
	$(INSTALL) -d $(D)$(BINDIR) $(D)$(SBINDIR) $(D)$(PKGDATADIR)/mkchroot.d $(D)$(DOCDIR)/examples
	$(INSTALL) -m 755 $(BIN_TOOLS:%=build/release/bin/%) $(D)$(BINDIR)/
	$(INSTALL) -m 755 $(SBIN_TOOLS:%=build/release/bin/%) $(SBIN_SCRIPTS) $(D)$(SBINDIR)/
	$(foreach t,$(TOOLS),$(foreach l,$($(t)_LINKS),ln -sf $(t) $(D)$(call tool_dir,$(t))/$(l);))
	@set -e; for m in $(MANPAGES); do s=$${m##*.}; \
	  echo "$(INSTALL) -m 644 $$m $(D)$(MANDIR)/man$$s/"; \
	  $(INSTALL) -d $(D)$(MANDIR)/man$$s; $(INSTALL) -m 644 $$m $(D)$(MANDIR)/man$$s/; done
	$(foreach m,$(MANLINKS),$(call manlink,$(m),ln -sf);)
	$(INSTALL) -m 644 $(TEMPLATES) $(D)$(PKGDATADIR)/mkchroot.d/
	$(if $(UNITS),$(INSTALL) -d $(D)$(UNITDIR) && $(INSTALL) -m 644 $(UNITS) $(D)$(UNITDIR)/)
	@set -e; for f in $(CONFIGS); do $(INSTALL) -D -m 644 etc/$$f $(D)$(DOCDIR)/examples/$$f; done
	$(if $(BASHCOMP),$(INSTALL) -d $(D)$(BASHCOMPDIR) && $(INSTALL) -m 644 $(BASHCOMP) $(D)$(BASHCOMPDIR)/)
	$(if $(ZSHCOMP),$(INSTALL) -d $(D)$(ZSHCOMPDIR) && $(INSTALL) -m 644 $(ZSHCOMP) $(D)$(ZSHCOMPDIR)/)
	@sh mk/install-etc install etc $(D)$(SYSCONFDIR) $(CONFIGS)

uninstall:
	rm -f $(BIN_TOOLS:%=$(D)$(BINDIR)/%) $(SBIN_TOOLS:%=$(D)$(SBINDIR)/%) $(addprefix $(D)$(SBINDIR)/,$(notdir $(SBIN_SCRIPTS)))
	rm -f $(foreach t,$(TOOLS),$(foreach l,$($(t)_LINKS),$(D)$(call tool_dir,$(t))/$(l)))
	rm -f $(foreach m,$(MANPAGES),$(D)$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(notdir $(m)))
	$(foreach m,$(MANLINKS),$(call manlink,$(m),rm -f);)
	rm -f $(TEMPLATES:etc/%=$(D)$(PKGDATADIR)/%) $(CONFIGS:%=$(D)$(DOCDIR)/examples/%)
	rm -f $(addprefix $(D)$(UNITDIR)/,$(notdir $(UNITS)))
	rm -f $(BASHCOMP:completions/bash/%=$(D)$(BASHCOMPDIR)/%) $(ZSHCOMP:completions/zsh/%=$(D)$(ZSHCOMPDIR)/%)
	rmdir $(CONF_DIRS:%=$(D)$(DOCDIR)/examples/%) $(D)$(DOCDIR)/examples $(D)$(DOCDIR) \
		$(D)$(PKGDATADIR)/mkchroot.d $(D)$(PKGDATADIR) 2>/dev/null || true
	@sh mk/install-etc uninstall etc $(D)$(SYSCONFDIR) $(CONFIGS)

# manlink TOOL:LINK:SECTION, COMMAND: COMMAND [TOOL.SECTION] MANDIR/manSECTION/LINK.SECTION
manlink = $(call manlink_,$(subst :, ,$(1)),$(2))
manlink_ = $(2) $(if $(filter ln%,$(2)),$(word 1,$(1)).$(word 3,$(1))) \
	$(D)$(MANDIR)/man$(word 3,$(1))/$(word 2,$(1)).$(word 3,$(1))

clean:
	rm -rf build

# make -s print-VAR: the value of VAR (tests ask for TOOLS, VERSION)
print-%:
	@echo '$($*)'
