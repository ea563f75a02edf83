#!/usr/bin/env bash
# REGISTER rate and CPU: ../shared/bench/cfg/kamailio-registrar.cfg compiled with
# `kamc -o`, against the real kamailio (-m 512 -M 8) on the same cfg, through
# ../shared/bench/register-rate.sh. Two stores: usrloc db_mode 0 (memory) and db_mode 1
# (write-through) on SQLite (kamailio with db_sqlite, on a database made from its own
# schema files). Prints CPU seconds per 1000 REGISTERs (median of N alternating
# rounds), the ratio, and the memory of 100,000 bindings (PSS after registering them).
# Usage: bench/register-vs-kamailio.sh [build dir] [rate] [calls] [rounds] [memory_calls]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath "${1:-$here/build}")
rate=${2:-1000}
calls=${3:-5000}
rounds=${4:-3}
memory_calls=${5:-100000}
kamc=$build/tools/kamc/kamc
shared=$here/../shared/bench
kamailio=$(command -v kamailio || echo /usr/sbin/kamailio)
schema=/usr/share/kamailio/db_sqlite
[ -x "$kamc" ] || { echo "not built: $kamc" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

field_of() {  # field, rate, calls, command: one field of one register-rate.sh run
  bash "$shared/register-rate.sh" --start "$4" --rate "$2" --calls "$3" --outdir "$work/results" 2>/dev/null |
    tr ' ' '\n' | grep "^$1=" | tail -1 | cut -d= -f2
}
median_of() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# The db_mode 1 variant of the baseline cfg: the same routes over an SQLite file.
make_sqlite_cfg() {
  sed -e 's|^loadmodule "usrloc.so"|loadmodule "db_sqlite.so"\nloadmodule "usrloc.so"|' \
      -e "s|modparam(\"usrloc\", \"db_mode\", 0)|modparam(\"usrloc\", \"db_mode\", 1)\nmodparam(\"usrloc\", \"db_url\", \"sqlite:///$work/location.db\")|" \
      "$shared/cfg/kamailio-registrar.cfg" > "$work/registrar-sqlite.cfg"
}
fresh_db() {  # Kamailio's own schema, so that both servers start from the same file
  rm -f "$work"/location.db*
  cat "$schema/standard-create.sql" "$schema/usrloc-create.sql" | sqlite3 "$work/location.db"
}

make_sqlite_cfg
# MEMORY_ONLY=1: skip the CPU rounds (the memory run still needs the memory binary).
stores=(memory sqlite); [ "${MEMORY_ONLY:-0}" = 1 ] && stores=()
"$kamc" -o "$work/registrar-memory" "$shared/cfg/kamailio-registrar.cfg"
for store in "${stores[@]}"; do
  if [ "$store" = memory ]; then cfg=$shared/cfg/kamailio-registrar.cfg; else cfg=$work/registrar-sqlite.cfg; fi
  "$kamc" -o "$work/registrar-$store" "$cfg"
  kam=(); ours=()
  for ((round = 0; round < rounds; round++)); do
    fresh_db
    kam+=("$(field_of proxy_cpu_s_per_1000 "$rate" "$calls" "$kamailio -f $cfg -DD -E -m 512 -M 8")")
    fresh_db
    ours+=("$(field_of proxy_cpu_s_per_1000 "$rate" "$calls" "$work/registrar-$store -D -E")")
  done
  k=$(median_of "${kam[@]}"); o=$(median_of "${ours[@]}")
  echo "registrar, usrloc $store ($([ $store = memory ] && echo 'db_mode 0' || echo 'db_mode 1, SQLite')), $calls REGISTERs at $rate/s, median of $rounds rounds:"
  echo "  kamailio cpu_s_per_1000=$k (runs: ${kam[*]})"
  echo "  kamc-aot cpu_s_per_1000=$o (runs: ${ours[*]})"
  awk -v o="$o" -v k="$k" 'BEGIN { printf "  ratio kamc/kamailio=%.2f\n", o / k }'
done

# Memory: 100,000 bindings (each REGISTER is a new AoR), PSS of the server afterwards.
memory_of() {  # command: "successful pss_kb_total" of one run
  bash "$shared/register-rate.sh" --start "$1" --rate "$((rate * 2))" --calls "$memory_calls" \
    --outdir "$work/results" 2>/dev/null | tr ' ' '\n' | grep -E '^(successful|pss_kb_total)=' | tail -2 | tr '\n' ' '
}
cfg=$shared/cfg/kamailio-registrar.cfg
echo "memory after $memory_calls REGISTERs of distinct AoRs (usrloc db_mode 0), PSS:"
echo "  kamailio $(memory_of "$kamailio -f $cfg -DD -E -m 512 -M 8") (the -m 512 shared pool counts as it is touched)"
echo "  kamc-aot $(memory_of "$work/registrar-memory -D -E")"
