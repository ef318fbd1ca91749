#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# cpush and cget: a config tree scattered to the 8 demo nodes (read once for
# all of them), a second run that sends nothing, then every node's copy
# gathered back under names that say where it came from.
source "$(dirname "$0")/lib.sh"
d=$(mktemp -d /var/tmp/ct-demo-cpush.XXXXXX) # outside /tmp: the nodes have a private /tmp
trap 'rm -rf "$d"' EXIT
mkdir -p "$d/app/conf.d"
echo "threads = 16" >"$d/app/app.conf"
echo "debug = off" >"$d/app/conf.d/10-debug.conf"
head -c 8M /dev/urandom >"$d/app/model.bin"
say() { printf '\n$ %s\n' "$*"; "$@"; }

say cpush -r -w "$nodes" --json "$d/app" /tmp/app
say cpush -r -w "$nodes" --json "$d/app" /tmp/app     # unchanged: nothing sent
say "$CL" exec node03 sh -c 'ls -l /tmp/app; sha256sum /tmp/app/model.bin'
sha256sum "$d/app/model.bin"
for i in $(seq 1 8); do "$CL" exec "$i" sh -c 'hostname > /tmp/app/whoami'; done
say cget -w "$nodes" /tmp/app/whoami "$d/out"
say sh -c "cd '$d/out' && grep . *"
say cget -r --layout dir -w 'node[01-02]' /tmp/app "$d/trees"
say find "$d/trees" -type f
