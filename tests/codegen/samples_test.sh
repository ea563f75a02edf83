#!/usr/bin/env bash
# Every samples/*.cfg is accepted by the real `kamailio -c` and by `kamc -c`
# (compiled, loaded and fixed up), and starts with a comment header.
# usage: samples_test.sh KAMC KAMAILIO SAMPLES_DIR
set -uo pipefail
kamc=$1 kamailio=$2 samples=$3
failures=0 count=0
for cfg in "$samples"/*.cfg; do
  count=$((count + 1))
  name=$(basename "$cfg")
  if ! head -3 "$cfg" | grep -q "^# samples/$name:"; then
    echo "FAIL $name: no '# samples/$name: ...' header saying what it shows"; failures=$((failures + 1))
  fi
  if ! out=$("$kamailio" -c -f "$cfg" 2>&1); then
    echo "FAIL $name: kamailio -c rejects it:"; tail -5 <<<"$out"; failures=$((failures + 1))
  fi
  if ! out=$("$kamc" -c "$cfg" 2>&1); then
    echo "FAIL $name: kamc -c rejects it:"; tail -5 <<<"$out"; failures=$((failures + 1))
  fi
  echo "checked $name"
done
echo "$count sample(s), $failures failure(s)"
[ "$count" -gt 0 ] && [ "$failures" = 0 ]
