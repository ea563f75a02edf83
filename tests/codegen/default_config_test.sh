#!/usr/bin/env bash
# Kamailio's default kamailio.cfg either compiles or is refused only for functions
# the runtime lacks, each named; the list must equal default_config_unsupported.txt.
# usage: default_config_test.sh KAMC CFG
set -uo pipefail
kamc=$1 cfg=$2
here=$(cd "$(dirname "$0")" && pwd)
out=$("$kamc" -c "$cfg" 2>&1)
rc=$?
refused=$(grep -o 'error: [a-z0-9_]*() of module [a-z0-9_]* is not implemented by the kamc runtime yet' <<<"$out" |
  sed -E 's/error: ([a-z0-9_]*)\(\) of module ([a-z0-9_]*).*/\2.\1/' | sort -u)
others=$(grep 'error:' <<<"$out" | grep -v 'is not implemented by the kamc runtime yet')
expected=$(grep -v '^#' "$here/default_config_unsupported.txt" | sed '/^$/d' | sort -u)
echo "functions refused: $(wc -w <<<"$refused")"
sed 's/^/  /' <<<"$refused"
status=0
if [ -n "$others" ]; then
  echo "FAIL: errors other than unimplemented functions:"; echo "$others"; status=1
fi
if [ "$refused" != "$expected" ]; then
  echo "FAIL: the list differs from default_config_unsupported.txt:"
  diff <(echo "$expected") <(echo "$refused"); status=1
fi
if [ -z "$expected" ] && [ "$rc" != 0 ]; then
  echo "FAIL: kamc -c exited $rc with nothing left to refuse"; status=1
fi
[ "$status" = 0 ] && echo "ok: the default config compiles except for the listed functions"
exit $status
