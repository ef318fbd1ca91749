#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# bench/massfetch.sh — a rack fetching one image at once (issue 28): the
# engines an administrator could run today, side by side on the shaped
# testbed (CT_TESTBED_NET=bridge: head and nodes in their own network
# namespaces on one bridge, tbf on every link), the head's nginx the source
# of truth in every case:
#   http    every node fetches from the head's nginx at once (curl; what
#           nodeimage and a two-stage boot do today)
#   bt      BitTorrent: aria2c on every node, the head's nginx as web seed
#           (mktorrent -w), opentracker on the head for the peers
#   btseed  the same without web seed: aria2c seeds on the head
#   uftp    reliable multicast: uftpd on every node, uftp on the head
#           (the head starts the session: not unattended)
#   chain   cpush --chain from the head (the head starts it: not unattended)
# Each row: time until the last node has the whole image (its SHA-256
# checked on every node), and the head's transmitted bytes (eth0).
#   BENCH_MASS_NODES=32 BENCH_MASS_RATE=100mbit BENCH_MASS_MIB=64
#   BENCH_MASS_RUNS=1 (interleaved; rows are medians) BENCH_MASS_PIECE=20 (log2 of a torrent piece)
#   BENCH_MASS_ONLY=http,bt,... BENCH_MASS_ARIA="..." (more aria2c options on the nodes)
# The node processes run in the nodes' namespaces (cluster exec), each with
# the node's own /tmp (a tmpfs): the image lands in RAM. Prints a markdown section.
set -u
top=${CT_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${CT_BIN:-$top/build/release/bin}
source "$top/bench/lib.sh"
N=${BENCH_MASS_NODES:-32} RATE=${BENCH_MASS_RATE:-100mbit} MIB=${BENCH_MASS_MIB:-64}
PIECE=${BENCH_MASS_PIECE:-20} RUNS=${BENCH_MASS_RUNS:-1} ONLY=${BENCH_MASS_ONLY:-http,bt,btseed,uftp,chain}
HEAD_IP=10.213.0.1 PORT=8080 GROUP=230.4.4.1
for c in curl aria2c mktorrent opentracker uftp uftpd; do
	command -v "$c" >/dev/null || { echo "$bench_name: $c not found (mk/deps check)" >&2; exit 1; }
done
work=$(mktemp -d /var/tmp/ct-bench-mass.XXXXXX) # /var/tmp: the nodes see it (their /tmp is their own)
pids=()
stop_all() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	[ -f "$work/nginx/nginx.pid" ] && kill "$(cat "$work/nginx/nginx.pid")" 2>/dev/null
	pkill -f -- "-d $work/tracker" 2>/dev/null # opentracker: it outlives its netns wrapper
	pkill -f "$work/" 2>/dev/null
	cluster stop >/dev/null 2>&1
	[ -n "${BENCH_MASS_KEEP:-}" ] || rm -rf "$work"
}
trap stop_all EXIT
load=$(cut -d' ' -f1-3 /proc/loadavg)
export CT_TESTBED_NET=bridge CT_TESTBED_RATE=$RATE
bench_cluster "$N"
unset CT_TESTBED_NET CT_TESTBED_RATE

www=$work/www
mkdir -p "$www" "$work/nginx"
head -c $((MIB << 20)) /dev/urandom >"$www/img"
sum=$(sha256sum <"$www/img" | cut -d' ' -f1)
cat >"$work/nginx/nginx.conf" <<EOF
user root;
daemon on;
worker_processes 2;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
    access_log $work/nginx/access.log;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    sendfile on;
    server { listen $HEAD_IP:$PORT; root $www; }
}
EOF
cluster head nginx -p "$work/nginx" -e "$work/nginx/error.log" -c "$work/nginx/nginx.conf" ||
	{ echo "$bench_name: nginx did not start" >&2; exit 1; }
mktorrent -a "http://$HEAD_IP:6969/announce" -w "http://$HEAD_IP:$PORT/img" -l "$PIECE" -o "$www/img.torrent" "$www/img" >/dev/null
mktorrent -a "http://$HEAD_IP:6969/announce" -l "$PIECE" -o "$www/seed.torrent" "$www/img" >/dev/null
# Debian's opentracker serves only the torrents on its whitelist (private mode): the head's own
# (it chroots into -d and reads the list as nobody)
mkdir -m 755 "$work/tracker"
for t in img seed; do aria2c -S "$www/$t.torrent" | sed -n 's/^Info Hash: //p'; done >"$work/tracker/whitelist"
chmod 755 "$work"
(cd "$work/tracker" && exec "$CT_CLUSTER" head opentracker -i "$HEAD_IP" -p 6969 -P 6969 -d "$work/tracker" -w whitelist) >"$work/tracker.log" 2>&1 &
pids+=($!)
# multicast leaves by eth0 everywhere (the namespaces have no default route)
cluster head ip route add 224.0.0.0/4 dev eth0
for i in $(seq 1 "$N"); do on "$i" ip route add 224.0.0.0/4 dev eth0; done
cat >"$work/done-hook" <<'EOF'
#!/bin/sh
date +%s.%N >/tmp/mass/done
EOF
chmod +x "$work/done-hook"

head_tx() { cluster head cat /sys/class/net/eth0/statistics/tx_bytes; }
fresh() { local i; for i in $(seq 1 "$N"); do on "$i" sh -c 'rm -rf /tmp/mass && mkdir /tmp/mass'; done; }
# all_have FILE: every node holds the image at /tmp/mass/FILE (SHA-256 checked)
all_have() {
	local i bad=0
	for i in $(seq 1 "$N"); do
		[ "$(on "$i" sh -c "sha256sum < /tmp/mass/$1 2>/dev/null" | cut -d' ' -f1)" = "$sum" ] || bad=$((bad + 1))
	done
	[ $bad = 0 ] || echo "$bench_name: $bad nodes lack the right image after $2" >&2
	right=$((N - bad))
}

run_http() {
	local i p=()
	for i in $(seq 1 "$N"); do
		on "$i" curl -sf -o /tmp/mass/img "http://$HEAD_IP:$PORT/img" &
		p+=($!)
	done
	wait "${p[@]}"
}

# BitTorrent: each node stops when its hook has run and every node's has (seeding meanwhile)
run_bt() { swarm img.torrent; }
# the same with the head seeding by BitTorrent (aria2c) instead of a web seed
run_btseed() {
	cluster head aria2c -q -V -d "$www" --seed-ratio=0.0 --enable-dht=false --bt-enable-lpd=false \
		--listen-port=6881 "$www/seed.torrent" &
	local seeder=$!
	swarm seed.torrent
	kill "$seeder" 2>/dev/null
	cluster head pkill -f "aria2c.*$www/seed.torrent"
	wait "$seeder" 2>/dev/null
	return 0
}
swarm() {
	local i p=() n
	for i in $(seq 1 "$N"); do
		on "$i" aria2c -q -d /tmp/mass ${BENCH_MASS_ARIA:-} ${BENCH_MASS_ARIA_LOG:+--log=$work/aria-$i.log --log-level=info} --seed-time=10 --enable-dht=false --bt-enable-lpd=false \
			--follow-torrent=mem --on-bt-download-complete="$work/done-hook" \
			"http://$HEAD_IP:$PORT/$1" &
		p+=($!)
	done
	while :; do
		n=0
		for i in $(seq 1 "$N"); do on "$i" test -f /tmp/mass/done && n=$((n + 1)); done
		[ "$n" = "$N" ] && break
		if ! kill -0 "${p[@]}" 2>/dev/null && [ "$n" != "$N" ]; then
			echo "$bench_name: bt: aria2c ended with $n of $N done" >&2
			break
		fi
		sleep 0.2
	done
	kill "${p[@]}" 2>/dev/null
	for i in $(seq 1 "$N"); do on "$i" pkill -x aria2c; done
	wait "${p[@]}" 2>/dev/null
	return 0
}

# multicast: the head sends at the link rate to the clients that answered its announce
run_uftp() {
	local i p=() kbps
	kbps=$(($(sed 's/mbit//' <<<"$RATE") * 1000 * 95 / 100))
	for i in $(seq 1 "$N"); do
		on "$i" uftpd -d -U "$(printf '0x%08x' "$i")" -D /tmp/mass -I eth0 -M "$GROUP" >/dev/null 2>&1 &
		p+=($!)
	done
	sleep 1 # uftpd has no readiness signal; its announce phase would retry anyway
	cluster head uftp -I eth0 -M "$GROUP" -R "$kbps" -H "$(for i in $(seq 1 "$N"); do printf '0x%08x,' "$i"; done | sed 's/,$//')" \
		"$www/img" >"$work/uftp.log" 2>&1 || true
	kill "${p[@]}" 2>/dev/null
	for i in $(seq 1 "$N"); do on "$i" pkill -x uftpd; done
	wait "${p[@]}" 2>/dev/null
	return 0
}

run_chain() {
	cluster head "$bin/cpush" --chain -w "$CT_NODES" "$www/img" /tmp/mass/img
}

declare -A times txb good
for r in $(seq 1 "$RUNS"); do
	for c in ${ONLY//,/ }; do
		fresh
		tx0=$(head_tx)
		bench_timed "run_$c"
		tx1=$(head_tx)
		all_have img "$c"
		good[$c]=$right
		times[$c]+="$secs "
		txb[$c]=$((tx1 - tx0))
		echo "$bench_name: $c run $r: $(printf '%.2f' "$secs") s, head tx $((txb[$c] >> 20)) MiB" >&2
	done
done

link=$(echo "scale=2; $MIB * 8 * 1.048576 / $(sed 's/mbit//' <<<"$RATE")" | bc -l)
bench_section "A rack fetching one image: $MIB MiB to $N nodes over $RATE links (issue 28)" engine time "head tx" "x image" "vs http" "nodes right" <<EOF
Bridge testbed, tbf at $RATE on every link, the head's nginx the source (\`bash bench/massfetch.sh\`;
load before the cluster started: $load; node homes isolated by the testbed). One image's time
on one link: $link s. Medians of $RUNS interleaved run(s). http: every node fetches from the
head at once. bt: aria2c 1.36 on every node, the head's nginx as web seed, opentracker on the
head (pieces of 2^$PIECE bytes). btseed: the same without web seed, aria2c seeding on the head instead. uftp: uftp 4.10 multicast at 95% of the link rate to the $N clients named.
chain: cpush --chain. uftp and chain are started by the head: they are not unattended.
EOF
th=$(bench_median ${times[http]:-0})
for c in ${ONLY//,/ }; do
	t=$(bench_median ${times[$c]})
	printf '| %s | %.2f s | %s MiB | %.2f | %s | %s |\n' "$c" "$t" "$((txb[$c] >> 20))" \
		"$(echo "scale=3; ${txb[$c]} / ($MIB * 1048576)" | bc -l)" \
		"$([ "$th" != 0 ] && printf '%.2fx' "$(echo "scale=3; $th / $t" | bc -l)" || echo -)" "${good[$c]} of $N (last run)"
done
