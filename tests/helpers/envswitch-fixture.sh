# SPDX-License-Identifier: BSD-3-Clause
# envswitch-fixture.sh — sourced by tests/cli/envswitch.sh, bench/envswitch.sh and
# tests/demo/70-envswitch.sh: modulefiles in a private MODULEPATH, Lmod unpacked
# into a private prefix (Debian's lmod conflicts with environment-modules), and
# login profiles in a private HOME that start one module system plus the
# envswitch --init snippet.
#   esw_setup DIR CONF          HOME=DIR/home, ENVSWITCH_CONF=DIR/CONF, MODULEPATH=DIR/mf (exported),
#                               the modulefiles and the --init snippets (esw_modulefiles, esw_snippets)
#   esw_modulefiles DIR         DIR/mf/{mpi/openmpi-4.1,mpi/mpich-4.0,compiler/gcc-12}, DIR/opt/NAME/bin
#   esw_lmod                    sets ESW_LMOD_INIT (Lmod's init dir), 1 if Lmod cannot be had
#   esw_profiles SYSTEM DIR     SYSTEM em|lmod: HOME's .profile, .bash_profile, .zprofile, .login, fish config
#   esw_login SHELL [CMD]       a login shell (env -i), running CMD or a probe that prints PATH and module list

ESW_EM_INIT=/usr/share/modules/init
ESW_LMOD_CACHE=${ESW_LMOD_CACHE:-/var/cache/clustertools}

esw_modulefiles() {
	local dir=$1 m n
	for m in mpi/openmpi-4.1 mpi/mpich-4.0 compiler/gcc-12; do
		n=${m#*/}
		mkdir -p "$dir/mf/${m%/*}" "$dir/opt/$n/bin"
		printf '#!/bin/sh\necho %s\n' "$n" >"$dir/opt/$n/bin/which-$n"
		chmod +x "$dir/opt/$n/bin/which-$n"
		printf '#%%Module1.0\n## %s, written by the envswitch test\nprepend-path PATH %s\nsetenv ESW_%s 1\n' \
			"$m" "$dir/opt/$n/bin" "$(echo "$n" | tr -c 'A-Za-z0-9\n' _)" >"$dir/mf/$m"
	done
}

# Lmod from Debian's .deb, unpacked once under build/ with its paths rewritten.
esw_lmod() {
	local deb prefix
	[ -x /usr/bin/lua5.3 ] || return 1
	deb=$(ls "$ESW_LMOD_CACHE"/lmod_*.deb 2>/dev/null | sort | tail -1)
	if [ -z "$deb" ] && command -v apt-get >/dev/null; then
		mkdir -p "$ESW_LMOD_CACHE" || return 1
		# apt's package lists may be missing on a fresh machine: update once and retry
		(cd "$ESW_LMOD_CACHE" && { apt-get download lmod || { apt-get update -qq && apt-get download lmod; }; }) \
			>/dev/null 2>&1
		deb=$(ls "$ESW_LMOD_CACHE"/lmod_*.deb 2>/dev/null | sort | tail -1)
	fi
	[ -n "$deb" ] || return 1
	prefix=$CT_TOP/build/lmod/$(basename "$deb" .deb)
	if [ ! -e "$prefix/.unpacked" ]; then
		rm -rf "$prefix" && mkdir -p "$prefix" && dpkg-deb -x "$deb" "$prefix" || return 1
		grep -rlI -e /usr/share/lmod -e /etc/lmod "$prefix/usr/share/lmod/" "$prefix/usr/lib/lmod/" |
			xargs sed -i "s|/usr/share/lmod|$prefix/usr/share/lmod|g; s|/etc/lmod|$prefix/etc/lmod|g" || return 1
		touch "$prefix/.unpacked"
	fi
	ESW_LMOD_INIT=$prefix/usr/share/lmod/lmod/init
	[ -f "$ESW_LMOD_INIT/bash" ]
}

# esw_profiles SYSTEM DIR: login files in $HOME that start SYSTEM, set MODULEPATH=DIR/mf
# and source the snippets DIR/envswitch.{sh,csh,fish} (made with --init).
esw_profiles() {
	local sys=$1 dir=$2 init
	if [ "$sys" = lmod ]; then init=$ESW_LMOD_INIT; else init=$ESW_EM_INIT; fi
	mkdir -p "$HOME/.config/fish"
	printf '. %s/bash\nexport MODULEPATH=%s/mf\n. %s/envswitch.sh\n' "$init" "$dir" "$dir" >"$HOME/.bash_profile"
	printf '. %s/sh\nexport MODULEPATH=%s/mf\n. %s/envswitch.sh\n' "$init" "$dir" "$dir" >"$HOME/.profile"
	printf '. %s/zsh\nexport MODULEPATH=%s/mf\n. %s/envswitch.zsh\n' "$init" "$dir" "$dir" >"$HOME/.zprofile"
	printf 'source %s/tcsh\nsetenv MODULEPATH %s/mf\nsource %s/envswitch.csh\n' "$init" "$dir" "$dir" >"$HOME/.login"
	printf 'source %s/fish\nset -gx MODULEPATH %s/mf\nsource %s/envswitch.fish\n' "$init" "$dir" "$dir" \
		>"$HOME/.config/fish/config.fish"
}

# esw_setup DIR CONF: a private world in DIR for envswitch (on PATH): HOME, the
# system file DIR/CONF, MODULEPATH with the modulefiles, the --init snippets.
esw_setup() {
	export HOME=$1/home ENVSWITCH_CONF=$1/$2 MODULEPATH=$1/mf
	mkdir -p "$HOME"
	: >>"$ENVSWITCH_CONF" # a file named by ENVSWITCH_CONF must exist
	esw_modulefiles "$1"
	esw_snippets "$1"
}

# esw_snippets DIR: the --init snippets for each shell into DIR.
esw_snippets() {
	envswitch --init bash >"$1/envswitch.sh" && envswitch --init zsh >"$1/envswitch.zsh" &&
		envswitch --init tcsh >"$1/envswitch.csh" && envswitch --init fish >"$1/envswitch.fish"
}

# esw_login SHELL [CMD]: stdout and stderr of a fresh login shell with a clean environment.
esw_login() {
	local sh=$1 cmd=${2:-}
	local -a envv=(env -i "HOME=$HOME" "PATH=$CT_BIN:/usr/bin:/bin" "USER=${USER:-root}" "TERM=dumb" "ENVSWITCH_CONF=${ENVSWITCH_CONF:-}"
		"ASAN_OPTIONS=${ASAN_OPTIONS:-}" "LSAN_OPTIONS=${LSAN_OPTIONS:-}" "UBSAN_OPTIONS=${UBSAN_OPTIONS:-}")
	case $sh in
	sh | bash | zsh) "${envv[@]}" "$sh" -l -c "${cmd:-echo \"PATH=\$PATH\"; module list 2>&1}" 2>&1 ;;
	fish) "${envv[@]}" fish -l -c "${cmd:-echo \"PATH=\$PATH\"; module list 2>&1}" 2>&1 ;;
	tcsh) printf '%s\n' "${cmd:-echo \"PATH=\$PATH\"; module list |& cat}" | "${envv[@]}" tcsh -l 2>&1 |
		grep -v -e '^Warning: no access to tty' -e '^Thus no job control' ;;
	esac
}
