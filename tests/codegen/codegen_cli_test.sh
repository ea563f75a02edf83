#!/usr/bin/env bash
# The compiler's command-line contract: clear refusals with locations, route(X) as a
# direct call, load-time fixup errors with the config position, the AOT binary's
# --version hash and flag errors.  usage: codegen_cli_test.sh KAMC
set -uo pipefail
kamc=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

check() {  # check NAME CONDITION-COMMAND...
  local name=$1; shift
  if "$@"; then echo "ok   $name"; else echo "FAIL $name"; failures=$((failures + 1)); fi
}

cat > "$work/unsupported.cfg" <<'CFG'
loadmodule "sl.so"
loadmodule "nathelper.so"
request_route {
	fix_nated_contact();
	sl_send_reply("200", "ok");
}
CFG
"$kamc" -c "$work/unsupported.cfg" > "$work/out" 2>&1; rc=$?
check "unsupported function: exit 1" test "$rc" = 1
check "unsupported function: named with its location" \
  grep -q "unsupported.cfg:4:2: error: fix_nated_contact() of module nathelper is not implemented by the kamc runtime yet \[kamc-codegen-unsupported\]" "$work/out"

cat > "$work/event.cfg" <<'CFG'
loadmodule "xlog.so"
request_route { exit; }
event_route[htable:mod-init] { xlog("L_INFO", "x\n"); }
CFG
"$kamc" -c "$work/event.cfg" > "$work/out" 2>&1; rc=$?
check "event_route: refused at its line" grep -q "event.cfg:3:1: error: event_route\[htable:mod-init\]: the kamc runtime has no event routes yet" "$work/out"
check "event_route: exit 1" test "$rc" = 1

# Switch regexes match case-sensitively in Kamailio, `=~` ignores case: both
# compile, each regex fixed up with its own flags.
cat > "$work/regex_case.cfg" <<'CFG'
loadmodule "sl.so"
request_route {
	if ($rU =~ "^sip:") exit;
	switch ($rU) {
		case /"^00[1-9][[:digit:]]+$": sl_send_reply("200", "intl"); exit;
		case /"^sip:": sl_send_reply("200", "letters"); exit;
		case /"[[:upper:]]": sl_send_reply("200", "upper"); exit;
	}
}
CFG
"$kamc" -c "$work/regex_case.cfg" > "$work/out" 2>&1; rc=$?
check "regex cases with letters: compiled (exit 0)" test "$rc" = 0
check "regex cases with letters: no error" test "$(grep -c error: "$work/out")" = 0
"$kamc" --emit-llvm -O 0 "$work/regex_case.cfg" > "$work/regex_case.ll" 2>&1
check "=~ and case / of one pattern: two fixups, icase 1 and 0" \
  test "$(grep -c 'call ptr @kamc_rt_fixup_regex(.*i32 1,' "$work/regex_case.ll")" = 1 -a \
       "$(grep -c 'call ptr @kamc_rt_fixup_regex(.*i32 0,' "$work/regex_case.ll")" = 3

cat > "$work/routes.cfg" <<'CFG'
loadmodule "sl.so"
request_route {
	route(REPLY);
}
route[REPLY] {
	sl_send_reply("200", "ok");
}
CFG
"$kamc" --emit-llvm -O 0 "$work/routes.cfg" > "$work/routes.ll" 2>&1
check "route(X) is a direct call" grep -q 'call i32 @"route\[REPLY\]"(ptr' "$work/routes.ll"
check "kamc_cfg_load is exported" grep -q '^define i32 @kamc_cfg_load(ptr' "$work/routes.ll"
"$kamc" -c "$work/routes.cfg" > "$work/out" 2>&1; rc=$?
check "kamc -c accepts a good config" test "$rc" = 0

cat > "$work/fixup.cfg" <<'CFG'
loadmodule "sl.so"
request_route {
	sl_send_reply("99", "too small");
}
CFG
"$kamc" -c "$work/fixup.cfg" > "$work/out" 2>&1; rc=$?
check "load-time fixup error: exit 1" test "$rc" = 1
check "load-time fixup error: config position and reason" \
  grep -q "fixup.cfg:3:2: sl_send_reply(): reply code 99 is not in 100..699" "$work/out"

"$kamc" -o "$work/proxy" "$work/routes.cfg" > "$work/out" 2>&1; rc=$?
check "kamc -o builds" test "$rc" = 0
expected=$("$kamc" -E --expand "$work/routes.cfg" | sha256sum | cut -d' ' -f1)
check "--version names the preprocessed cfg's sha256" grep -q "$expected" <("$work/proxy" --version)
"$work/proxy" --no-such-flag > "$work/out" 2>&1; rc=$?
check "AOT binary: bad flag exits 2" test "$rc" = 2
"$work/proxy" -f other.cfg > "$work/out" 2>&1; rc=$?
check "AOT binary: -f is refused (the cfg is compiled in)" test "$rc" = 2
"$work/proxy" -c > "$work/out" 2>&1; rc=$?
check "AOT binary: -c loads the config" test "$rc" = 0

"$kamc" > "$work/out" 2>&1; rc=$?
check "kamc without input: exit 2" test "$rc" = 2
"$kamc" run > "$work/out" 2>&1; rc=$?
check "kamc run without a cfg: exit 2" test "$rc" = 2

echo "$failures failure(s)"
test "$failures" = 0
