#!/usr/bin/env bash
# Command-line contract of kamc and cfgcheck: exit codes 0 clean, 1 findings,
# 2 usage or I/O error, with a message that names the problem.
set -u
kamc=$1 cfgcheck=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0 passed=0

# expect NAME EXIT_CODE STDERR_SUBSTRING -- COMMAND...  ("" = stderr stays empty)
expect() {
  local name=$1 code=$2 text=$3
  shift 4
  "$@" >"$work/out" 2>"$work/err"
  local rc=$?
  local stderr_ok=1
  if [ -z "$text" ]; then
    [ -s "$work/err" ] && stderr_ok=0   # a clean run prints no diagnostics
  else
    grep -qF -- "$text" "$work/err" || stderr_ok=0
  fi
  if [ "$rc" -ne "$code" ] || [ "$stderr_ok" -eq 0 ]; then
    echo "FAIL $name: exit $rc (want $code); stderr: $(head -c 300 "$work/err")"
    failures=$((failures + 1))
  else
    passed=$((passed + 1))
  fi
}

printf 'debug=2\nrequest_route {\n  exit;\n}\n' > "$work/good.cfg"
printf 'request_route {\n  if (x) route(A)\n  else exit;\n}\n' > "$work/bad.cfg"
printf '#!ifdef X\n' > "$work/unclosed.cfg"

expect "kamc unknown flag" 2 "--bogus" -- "$kamc" --bogus "$work/good.cfg"
expect "kamc missing file" 2 "cannot open config file" -- "$kamc" -E "$work/none.cfg"
expect "kamc unwritable output" 2 "cannot write" -- "$kamc" -E "$work/good.cfg" -o "$work/no/such/dir/out"
expect "kamc without an action" 2 "nothing to do" -- "$kamc" "$work/good.cfg"
expect "kamc config error" 1 "unclosed.cfg:1:1: error:" -- "$kamc" -E "$work/unclosed.cfg"
expect "kamc clean" 0 "" -- "$kamc" -E "$work/good.cfg"
expect "cfgcheck clean" 0 "" -- "$cfgcheck" "$work/good.cfg"
expect "cfgcheck syntax error" 1 "bad.cfg:3:3: error: missing ';' after ')' at 2:18" -- "$cfgcheck" "$work/bad.cfg"
expect "cfgcheck several files" 1 "[kamc-syntax]" -- "$cfgcheck" "$work/good.cfg" "$work/bad.cfg"
expect "cfgcheck missing file" 2 "cannot open config file" -- "$cfgcheck" "$work/none.cfg"
expect "cfgcheck bad color" 2 "--color" -- "$cfgcheck" --color=sometimes "$work/good.cfg"

# stdout_has NAME SUBSTRING: the last command's stdout contains it.
stdout_has() {
  if grep -qF -- "$2" "$work/out"; then passed=$((passed + 1)); else
    echo "FAIL $1: stdout lacks '$2': $(head -c 300 "$work/out")"; failures=$((failures + 1)); fi
}

printf 'loadmodule "xlog.so"\nrequest_route {\n  route(NOPE);\n  exit;\n  xlog("x");\n}\n' > "$work/lint.cfg"
mkdir -p "$work/tree/sub" && cp "$work/good.cfg" "$work/tree/a.cfg" && cp "$work/lint.cfg" "$work/tree/sub/b.cfg"
expect "cfgcheck json" 1 "" -- "$cfgcheck" --format=json "$work/lint.cfg"
stdout_has "cfgcheck json rule" '"rule": "kamc-undefined-route"'
expect "cfgcheck sarif" 1 "" -- "$cfgcheck" --format=sarif "$work/lint.cfg"
stdout_has "cfgcheck sarif version" '"version": "2.1.0"'
stdout_has "cfgcheck sarif fingerprint" '"partialFingerprints"'
expect "cfgcheck warning only" 0 "[kamc-unreachable-code]" -- "$cfgcheck" --disable kamc-undefined-route "$work/lint.cfg"
expect "cfgcheck -Werror" 1 "error: this statement never runs" -- "$cfgcheck" -Werror --disable kamc-undefined-route "$work/lint.cfg"
expect "cfgcheck unknown rule" 2 "unknown rule 'kamc-nope'" -- "$cfgcheck" --disable kamc-nope "$work/lint.cfg"
expect "cfgcheck directory walk" 1 "sub/b.cfg:3:3: error:" -- "$cfgcheck" "$work/tree"
expect "kamc dump-ast" 0 "" -- "$kamc" --dump-ast "$work/good.cfg"
stdout_has "kamc dump-ast kind" '"kind": "Config"'
expect "kamc dump-ast syntax error" 1 "bad.cfg:3:3: error:" -- "$kamc" --dump-ast "$work/bad.cfg"

echo "$passed passed, $failures failed"
[ "$failures" -eq 0 ]
