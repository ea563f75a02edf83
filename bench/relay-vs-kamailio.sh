#!/usr/bin/env bash
# The stateless and stateful relay, compiled from Kamailio's own benchmark cfgs
# (../shared/bench/cfg/kamailio-{stateless,stateful}.cfg) with `kamc -o`, against the
# real kamailio (-m 512 -M 8) on the same cfg, through ../shared/bench/proxy-cps.sh.
# Prints CPU seconds per 1000 calls, median of N alternating rounds, and the ratio.
# Usage: bench/relay-vs-kamailio.sh [build dir] [rate] [calls] [rounds]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath "${1:-$here/build}")
rate=${2:-500}
calls=${3:-4000}
rounds=${4:-3}
kamc=$build/tools/kamc/kamc
shared=$here/../shared/bench
kamailio=$(command -v kamailio || echo /usr/sbin/kamailio)
[ -x "$kamc" ] || { echo "not built: $kamc" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cpu_of() {  # mode, command: the proxy_cpu_s_per_1000 field of one proxy-cps.sh run
  bash "$shared/proxy-cps.sh" --start "$2" --mode "$1" --rate "$rate" --calls "$calls" \
    --outdir "$work/results" 2>/dev/null | tr ' ' '\n' | grep '^proxy_cpu_s_per_1000=' | tail -1 | cut -d= -f2
}
median_of() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for mode in stateless stateful; do
  cfg=$shared/cfg/kamailio-$mode.cfg
  "$kamc" -o "$work/$mode" "$cfg"
  kam=(); ours=()
  for ((round = 0; round < rounds; round++)); do
    kam+=("$(cpu_of "$mode" "$kamailio -f $cfg -DD -E -m 512 -M 8")")
    ours+=("$(cpu_of "$mode" "$work/$mode -D -E")")
  done
  k=$(median_of "${kam[@]}"); o=$(median_of "${ours[@]}")
  echo "$mode relay ($(basename "$cfg")), $calls calls at $rate cps, median of $rounds rounds:"
  echo "  kamailio cpu_s_per_1000=$k (runs: ${kam[*]})"
  echo "  kamc-aot cpu_s_per_1000=$o (runs: ${ours[*]})"
  awk -v o="$o" -v k="$k" 'BEGIN { printf "  ratio kamc/kamailio=%.2f\n", o / k }'
done
