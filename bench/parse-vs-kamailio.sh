#!/usr/bin/env bash
# Parse time of etc__kamailio.cfg: kamc's front end (preprocess + parse +
# AST, `kamc-cc1 --dump-ast`) and cfgcheck, each against `kamailio -c` on the
# same file. kamailio -c also loads the modules the config names, which is
# part of what an operator waits for when checking a config.
# Goals: issue "grammar/AST" prints the ratio; issue "cfgcheck" wants
# cfgcheck / kamailio -c <= 0.1.
# Usage: bench/parse-vs-kamailio.sh [build dir] [config] [iterations] [rounds]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath "${1:-$here/build}")
cfg=${2:-$here/../shared/corpus/kamailio-5.6/etc__kamailio.cfg}
iterations=${3:-20}
rounds=${4:-5}
kamailio=$(command -v kamailio || echo /usr/sbin/kamailio)
modules=/usr/lib/x86_64-linux-gnu/kamailio/modules
[ -x "$kamailio" ] || { echo "kamailio is not installed" >&2; exit 2; }
cc1=$build/tools/kamc/kamc-cc1
cfgcheck=$build/tools/cfgcheck/cfgcheck
for exe in "$cc1" "$cfgcheck"; do [ -x "$exe" ] || { echo "not built: $exe" >&2; exit 2; }; done
source "$here/bench/timing.sh"

cd "$(dirname "$cfg")"
name=$(basename "$cfg")
"$kamailio" -c -f "$name" -L "$modules" >/dev/null 2>&1 || { echo "kamailio -c rejects $name" >&2; exit 2; }
"$cc1" --dump-ast "$name" -o /dev/null || { echo "kamc rejects $name" >&2; exit 2; }
# The floor: a static program that does nothing, started the same way. No
# command can take less, so the goal is also shown next to it.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
noop=$(build_noop "$scratch")
parse=(); check=(); kam=(); floor=()
for ((round = 0; round < rounds; round++)); do
  parse+=("$(time_runs "$iterations" "$cc1" --dump-ast "$name" -o /dev/null)")
  check+=("$(time_runs "$iterations" "$cfgcheck" "$name")")
  kam+=("$(time_runs "$iterations" "$kamailio" -c -f "$name" -L "$modules")")
  floor+=("$(time_runs "$iterations" "$noop")")
done
awk -v p="$(median "${parse[@]}")" -v c="$(median "${check[@]}")" -v k="$(median "${kam[@]}")" \
    -v f="$(median "${floor[@]}")" -v n="$iterations" -v r="$rounds" -v cfg="$name" 'BEGIN {
  printf "config=%s rounds=%d runs_per_round=%d (medians of rounds)\n", cfg, r, n
  printf "kamc_parse_ms=%.2f cfgcheck_ms=%.2f kamailio_c_ms=%.2f process_floor_ms=%.2f\n",
         p / n / 1e6, c / n / 1e6, k / n / 1e6, f / n / 1e6
  printf "ratio_parse=%.3f ratio_cfgcheck=%.3f (cfgcheck goal<=0.1: %s)\n",
         p / k, c / k, (c / k <= 0.1 ? "MET" : "NOT-MET")
  printf "goal_ms=%.2f floor_ratio=%.3f (a program that does nothing, against kamailio -c)\n",
         0.1 * k / n / 1e6, f / k
}'
