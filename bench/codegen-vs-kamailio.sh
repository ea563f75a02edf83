#!/usr/bin/env bash
# The compiler's figures (issue 7):
#  1. JIT start-up: `kamc -c CFG` (preprocess, check, lower, O2, JIT, load and fix up),
#     median of N runs, for samples/proxy.cfg and etc__kamailio.cfg when it compiles;
#  2. AOT build time: `kamc -o`, median of 3 runs, for the same configs;
#  3. CPU per 1000 calls of bench/branchy.cfg built with `kamc -o` against the real
#     kamailio (-m 512 -M 8) on the same cfg, through ../shared/bench/proxy-cps.sh
#     (stateless relay, same children). Goal: kamc / kamailio <= 0.5.
# Usage: bench/codegen-vs-kamailio.sh [build dir] [rate] [calls] [rounds]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath "${1:-$here/build}")
rate=${2:-400}
calls=${3:-4000}
rounds=${4:-3}
kamc=$build/tools/kamc/kamc
harness=$here/../shared/bench/proxy-cps.sh
kamailio=$(command -v kamailio || echo /usr/sbin/kamailio)
default_cfg=$here/../shared/corpus/kamailio-5.6/etc__kamailio.cfg
[ -x "$kamc" ] || { echo "not built: $kamc" >&2; exit 2; }
source "$here/bench/timing.sh"
ms_per_run() { local n=$1; shift; time_runs "$n" "$@" | awk -v n="$n" '{ printf "%.1f", $1 / n / 1e6 }'; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for cfg in "$here/samples/proxy.cfg" "$default_cfg"; do
  name=$(basename "$cfg")
  if ! "$kamc" -c "$cfg" >"$work/check.log" 2>&1; then
    echo "$name: does not compile yet ($(grep -c 'error:' "$work/check.log") errors; see tests/codegen/default_config_unsupported.txt)"
    continue
  fi
  jit=$(ms_per_run 10 "$kamc" -c "$cfg")
  aot=$(ms_per_run 3 "$kamc" -o "$work/proxy" "$cfg")
  echo "$name: jit_startup_ms=$jit aot_build_ms=$aot"
done

cfg=$here/bench/branchy.cfg
"$kamc" -o "$work/branchy" "$cfg"
cpu_of() {  # the proxy_cpu_s_per_1000 field of a proxy-cps.sh run
  bash "$harness" --start "$1" --rate "$rate" --calls "$calls" --outdir "$work/results" 2>/dev/null |
    tr ' ' '\n' | grep '^proxy_cpu_s_per_1000=' | tail -1 | cut -d= -f2
}
kam=(); ours=()
for ((round = 0; round < rounds; round++)); do
  kam+=("$(cpu_of "$kamailio -f $cfg -DD -E -m 512 -M 8")")
  ours+=("$(cpu_of "$work/branchy -D -E")")
done
median_of() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
k=$(median_of "${kam[@]}"); o=$(median_of "${ours[@]}")
echo "branchy.cfg stateless relay, $calls calls at $rate cps, median of $rounds rounds:"
echo "  kamailio cpu_s_per_1000=$k (runs: ${kam[*]})"
echo "  kamc-aot cpu_s_per_1000=$o (runs: ${ours[*]})"
awk -v o="$o" -v k="$k" 'BEGIN { printf "  ratio kamc/kamailio=%.2f (goal <= 0.5)\n", o / k }'
