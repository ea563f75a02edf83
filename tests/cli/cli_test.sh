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

# stdout_json NAME EXPECTED PYTHON_EXPR: EXPR, evaluated on the last
# command's stdout parsed as JSON (named j), prints EXPECTED.
stdout_json() {
  local got
  got=$(python3 -c 'import json, sys; j = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$work/out" "$3" 2>&1 | tail -1)
  if [ "$got" = "$2" ]; then passed=$((passed + 1)); else
    echo "FAIL $1: got '$got', want '$2'"; failures=$((failures + 1)); fi
}

# Issue 19: a finding in a #!define body is reported where the define is
# used, with one "expanded from" note per define, outermost first (clang's
# order), in text, JSON and SARIF.
# in_work ARGS...: cfgcheck run from $work, so that SARIF's paths are relative.
in_work() { local exe; exe=$(realpath "$cfgcheck"); (cd "$work" && "$exe" "$@" >"$work/out" 2>/dev/null); }
printf '#!define INNER xlogg("x")\n#!define OUTER if ($rU) { INNER; }\nloadmodule "pv.so"\nloadmodule "xlog.so"\nrequest_route {\n  OUTER\n}\n' > "$work/define.cfg"
expect "define use site" 1 "define.cfg:6:3: error: unknown function 'xlogg'" -- "$cfgcheck" "$work/define.cfg"
expect "define outer note" 1 "define.cfg:2:27: note: expanded from #!define OUTER" -- "$cfgcheck" "$work/define.cfg"
expect "define inner note" 1 "define.cfg:1:16: note: expanded from #!define INNER" -- "$cfgcheck" "$work/define.cfg"
in_work --format=json define.cfg
stdout_json "define json location" "6 3" '"%d %d" % (j[0]["location"]["line"], j[0]["location"]["col"])'
stdout_json "define json notes" "2:27 expanded from #!define OUTER|1:16 expanded from #!define INNER" \
  '"|".join("%d:%d %s" % (n["location"]["line"], n["location"]["col"], n["message"]) for n in j[0]["notes"])'
in_work --format=sarif define.cfg
stdout_json "define sarif location" "define.cfg 6 3" \
  '(lambda l: "%s %d %d" % (l["artifactLocation"]["uri"], l["region"]["startLine"], l["region"]["startColumn"]))(j["runs"][0]["results"][0]["locations"][0]["physicalLocation"])'
stdout_json "define sarif related" "0 define.cfg 2:27 expanded from #!define OUTER|1 define.cfg 1:16 expanded from #!define INNER" \
  '"|".join("%d %s %d:%d %s" % (r["id"], r["physicalLocation"]["artifactLocation"]["uri"], r["physicalLocation"]["region"]["startLine"], r["physicalLocation"]["region"]["startColumn"], r["message"]["text"]) for r in j["runs"][0]["results"][0]["relatedLocations"])'
# An -A value has no file: SARIF keeps the note's text and names the buffer.
printf 'loadmodule "xlog.so"\nrequest_route {\n  CALL;\n}\n' > "$work/cmdline.cfg"
in_work --format=sarif -A 'CALL=xlogg("x")' cmdline.cfg
stdout_json "define sarif command line" "3 [('id', 0), ('message', {'text': 'expanded from #!define CALL (<command line>)'})]" \
  '"%d %s" % (j["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"], sorted(j["runs"][0]["results"][0]["relatedLocations"][0].items()))'

echo "$passed passed, $failures failed"
[ "$failures" -eq 0 ]
