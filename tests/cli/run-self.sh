#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The test of tests/run itself: fake suites in a scratch directory (CT_CLI_DIR)
# that skip as a whole, skip partway, fail after a skip, hide a failure from
# TAP (only the exit status of tests/lib.sh's EXIT trap tells), and exit
# non-zero with no "not ok". The closing line's counts, the listed skips and
# the exit status; under STRICT=1 and CI=true every skip is a failure naming
# the suite and the reason, and a real suite (docs.sh) whose tool is made to
# look missing (CT_MISSING) fails CI naming the tool. .ci/run runs README's
# test command in CI mode.
source "${CT_TOP:=$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib.sh"
export CT_TOP
s=$(scratch)
mkdir "$s/suites" "$s/logs"
suite() { { echo 'source "$CT_TOP/tests/lib.sh"'; cat; } >"$s/suites/$1.sh"; }
suite skip-all <<'EOF'
need_cmd ct-absent-tool
t "never runs" true
EOF
suite skip-partway <<'EOF'
t "first" true
t "second" true
skip_all "partway reason"
t "never runs" true
EOF
suite fail-after-skip <<'EOF'
skip "a check" "its reason"
has_cmd "a dropped check" ct-absent-tool && t "never runs" true
t "a check that fails" false
EOF
suite fail-hidden <<'EOF'
t "a failure whose TAP line is lost" false >/dev/null
t "shown" true
EOF
suite fail-exit <<'EOF'
t "fine" true
exit 3
EOF
# selftest [ENV=VALUE...] -- [PATTERN]: tests/run cli on the fake suites, no CI
# or STRICT from this run's environment; sets $out and $rc
selftest() {
	local envs=()
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	run env -u CI -u STRICT -u CT_MISSING CT_CLI_DIR="$s/suites" CT_LOG_DIR="$s/logs" "${envs[@]}" \
		"$CT_TOP/tests/run" cli "$@"
}

# --- each suite run directly: the exit status follows the failures --------------
for f in skip-all:0 skip-partway:0 fail-after-skip:1 fail-hidden:1 fail-exit:3; do
	bash "$s/suites/${f%:*}.sh" >/dev/null 2>&1
	is "$?" "${f#*:}" "${f%:*}.sh run directly exits ${f#*:}"
done

# --- all of them -----------------------------------------------------------------
selftest --
is "$(tail -1 <<<"$out")" "4 passed, 3 failed, 4 skipped" "the closing line counts passes, failures and skips apart"
is "$rc" 1 "tests/run exits 1 on failures"
is "$(sed -n '/^skipped/,/^failed/p' <<<"$out" | sed '1d;$d')" "  cli/fail-after-skip: a check: its reason
  cli/fail-after-skip: a dropped check: not installed: ct-absent-tool
  cli/skip-all: the whole file: not installed: ct-absent-tool
  cli/skip-partway: the remaining checks of skip-partway.sh: partway reason" \
	"each skip is listed with its reason: whole file, partway, one check, a missing tool"
t "the failed suites are named" grep -qx "failed: cli/fail-after-skip cli/fail-exit cli/fail-hidden" <<<"$out"
like "$out" "not ok - cli/fail-hidden exited with status 1" "a failure hidden from TAP fails by the exit status"
like "$out" "not ok - cli/fail-exit exited with status 3" "a non-zero exit with no \"not ok\" is a failure"
t "a skip is shown as its TAP line" grep -qx '  ok 1 - a check # SKIP its reason' <<<"$out"

# --- only skips and passes: success, unless STRICT or CI ------------------------
selftest -- skip-
is "$rc:$(tail -1 <<<"$out")" "0:2 passed, 0 failed, 2 skipped" "skips alone do not fail the run"
for mode in STRICT=1 CI=true; do
	selftest "$mode" -- skip-
	is "$rc:$(tail -1 <<<"$out")" "1:2 passed, 2 failed, 0 skipped" "$mode: every skip is a failure"
	like "$out" "not ok - cli/skip-all skipped, a failure under $mode: the whole file: not installed: ct-absent-tool" \
		"$mode: the failure names the suite and the missing tool"
	like "$out" "not ok - cli/skip-partway skipped, a failure under $mode: the remaining checks of skip-partway.sh: partway reason" \
		"$mode: ... and the reason of a skip partway"
done
selftest STRICT=0 -- skip-
is "$rc:$(tail -1 <<<"$out")" "0:2 passed, 0 failed, 2 skipped" "STRICT=0 is not strict"

# --- a real suite whose tool looks missing fails CI ----------------------------
if [ -x "$CT_BIN/cexec" ]; then
	run env -u STRICT CI=true CT_MISSING=mandoc CT_LOG_DIR="$s/logs" "$CT_TOP/tests/run" cli docs
	is "$rc" 1 "CI=true, mandoc made to look missing: tests/run cli docs fails"
	like "$out" "not ok - cli/docs skipped, a failure under CI=true: mandoc -Tlint: .*: not installed: mandoc" \
		"... naming the suite, the check and the tool"
else
	_fail "no binaries in $CT_BIN for tests/run cli docs"
fi

# --- CI: README's test command, in CI mode ---------------------------------------
readme_cmd=$(sed -n '/^## Set-up/,/^## /{/^make check/{s/ *#.*//;p}}' "$CT_TOP/README.md")
is "$readme_cmd" "make check" "README's test command is make check"
is "$(grep -v '^#' "$CT_TOP/.ci/run" | grep . | tail -1)" "$readme_cmd" ".ci/run ends with README's test command"
t ".ci/run turns CI mode on before it" grep -qx 'export CI=true' "$CT_TOP/.ci/run"
echo "1..$_tap_n"
