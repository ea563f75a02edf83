#!/usr/bin/env bash
# Wall time of `kamc -E` against `kamailio --cfg-print` on etc__kamailio.cfg.
# Goal (issue: foundation): ratio kamc/kamailio <= 0.2.
# Two ratios are printed: the raw wall-time ratio, and the ratio of the time
# each command spends above the cost of starting any process (a static no-op in the
# same loop), because on a sandboxed machine process creation alone can be a
# large share of kamailio's time (see docs/benchmarks.md). The floor is a
# static no-op program, built here, so it has no dynamic-loader cost either.
# Usage: bench/preprocess-vs-kamailio.sh [path/to/kamc] [config] [iterations] [rounds]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
kamc=${1:-$here/build/tools/kamc/kamc}
cfg=${2:-$here/../shared/corpus/kamailio-5.6/etc__kamailio.cfg}
iterations=${3:-100}
rounds=${4:-9}
kamailio=$(command -v kamailio || echo /usr/sbin/kamailio)
[ -x "$kamailio" ] || { echo "kamailio is not installed" >&2; exit 2; }
[ -x "$kamc" ] || { echo "kamc not built at $kamc" >&2; exit 2; }
kamc=$(realpath "$kamc")  # the timing loop runs from the config's folder

source "$here/bench/timing.sh"

floor_dir=$(mktemp -d)
trap 'rm -rf "$floor_dir"' EXIT
noop=$(build_noop "$floor_dir")

cd "$(dirname "$cfg")"
name=$(basename "$cfg")
# Warm the page cache, then alternate the three commands round by round so
# machine noise hits them alike, and report each command's median round:
# on a shared VM one noisy round would otherwise swing a sum by 10-20 %.
time_runs "$iterations" "$kamc" -E "$name" >/dev/null
spawn=(); kamc_ms=(); kam_ms=()
for ((round = 0; round < rounds; round++)); do
  spawn+=("$(time_runs "$iterations" "$noop")")
  kamc_ms+=("$(time_runs "$iterations" "$kamc" -E "$name")")
  kam_ms+=("$(time_runs "$iterations" "$kamailio" --cfg-print -f "$name")")
done
awk -v a="$(median "${kamc_ms[@]}")" -v b="$(median "${kam_ms[@]}")" \
    -v s="$(median "${spawn[@]}")" -v n="$iterations" -v r="$rounds" -v cfg="$name" 'BEGIN {
  raw = a / b
  net = (a - s) / (b - s)
  printf "config=%s rounds=%d runs_per_round=%d (medians of rounds)\n", cfg, r, n
  printf "spawn_ms=%.3f kamc_E_ms=%.3f kamailio_cfg_print_ms=%.3f\n",
         s / n / 1e6, a / n / 1e6, b / n / 1e6
  printf "ratio_raw=%.3f ratio_above_spawn=%.3f goal<=0.2 raw:%s above_spawn:%s\n",
         raw, net, (raw <= 0.2 ? "MET" : "NOT-MET"), (net <= 0.2 ? "MET" : "NOT-MET")
}'
