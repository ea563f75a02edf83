#!/usr/bin/env python3
"""Integration tests of the exec module (issue 15), with real shell scripts.

One case per invocation:
    exec_integration.py CASE --kamc PATH --sipp PATH [--kamailio PATH]

The proxy serves integration/cfg/exec.cfg; its scripts (integration/exec/) are found on
PATH and write into $EXEC_TEST_OUT, a directory of the run. Where --kamailio is given,
the cases Kamailio runs safely also run through the real Kamailio 5.6 on the same cfg,
and both must give the same results. Processes, free ports, bounded waits and clean-up
come from integration/sip_integration.py: every process is killed by its process group
on every exit path; ports are free loopback ports (never 5060-5062 or 5070).
"""
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "integration"))
import sip_integration as si  # noqa: E402

SCRIPTS = HERE / "integration" / "exec"
SCENARIOS = HERE / "integration" / "sipp"

INJECTIONS = ["x'; touch INJECTED; '", "`touch INJECTED`", "$(touch INJECTED)", "a;touch INJECTED"]


# ---- the proxies ---------------------------------------------------------------------------

class Proxy:
    def __init__(self, name, process, port, out):
        self.name, self.process, self.port, self.out = name, process, port, out


def environment(out, extra=None):
    env = dict(os.environ)
    env["PATH"] = f"{SCRIPTS}:{env.get('PATH', '/usr/bin:/bin')}"
    env["EXEC_TEST_OUT"] = str(out)
    env.update(extra or {})
    return env


def out_dir(run, name):
    path = run.dir / f"{name}-out"
    path.mkdir(exist_ok=True)
    return path


def start_kamc(run, extra_env=None, defines=(), children=2):
    out = out_dir(run, "kamc")
    process, port = run.start_runtime(cfg="exec", defines=defines, children=children,
                                      env=environment(out, extra_env))
    return Proxy("kamc", process, port, out)


def start_kamailio(run, extra_env=None, defines=()):
    out = out_dir(run, "kamailio")
    port = si.free_port()
    command = [run.args.kamailio, "-DD", "-E", "-m", "64", "-M", "8", "-n", "2", "-w", str(out),
               "-f", str(si.CFG / "exec.cfg"), "-l", f"udp:127.0.0.1:{port}", "-l", f"tcp:127.0.0.1:{port}",
               *[arg for define in defines for arg in ("-A", define)],
               "-Y", str(run.dir), "-P", str(run.dir / "kamailio.pid")]
    process = si.start(command, run.dir / "kamailio.log", env=environment(out, extra_env))
    si.wait_until(lambda: process.poll() is not None or si.options_status(port) is not None, 20,
                  "kamailio to answer")
    si.check(process.poll() is None, f"kamailio exited at start-up: {run.log('kamailio.log')}")
    return Proxy("kamailio", process, port, out)


def stop_proxy(run, proxy):
    if proxy.name == "kamc":
        si.check(proxy.process.poll() is None, f"the runtime died:\n{run.log('runtime.log')}")
        si.expect_clean_shutdown(run, proxy.process)
    else:
        si.stop(proxy.process)
        try:  # whatever kamailio's popen'd commands left in its process group
            os.killpg(proxy.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def proxies(run):
    """kamc, then kamailio when given."""
    yield start_kamc
    if run.args.kamailio:
        yield start_kamailio
    else:
        print("note: no --kamailio, the comparison run was skipped")


# ---- raw SIP from a fixed local port (so that Via, and SIP_TID, are the same for both) ----

def request(method, case, local_port, proxy_port, branch="z9hG4bK-exec-1", user="alice", from_user="caller",
            to_tag=None, cseq_method=None, extra="", ruri_port=None):
    to = f"<sip:{user}@127.0.0.1>" + (f";tag={to_tag}" if to_tag else "")
    return (f"{method} sip:{user}@127.0.0.1:{ruri_port or proxy_port} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.1:{local_port};branch={branch};rport\r\n"
            f"From: <sip:{from_user}@127.0.0.1>;tag=from-tag-1\r\n"
            f"To: {to}\r\n"
            f"Call-ID: exec-call-1@127.0.0.1\r\n"
            f"CSeq: 7 {cseq_method or method}\r\n"
            f"Max-Forwards: 70\r\n"
            f"X-Case: {case}\r\n"
            f"{extra}"
            f"Content-Length: 0\r\n\r\n").encode()


_clients = {}  # port -> a UDP socket kept bound for the whole case


def client_port():
    """A local UDP port held by this test until it ends: no other test can take it
    between two requests (a Via with the same port keeps SIP_TID comparable)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    _clients[port] = sock
    return port


def exchange(proxy_port, local_port, payload, timeout=5.0, expect_reply=True):
    """Sends one datagram from local_port (a client_port()); returns the first final
    reply's text, or None."""
    sock = _clients[local_port]
    sock.setblocking(False)
    try:
        while True:  # a late reply to an earlier request is not this one's
            sock.recv(65535)
    except (BlockingIOError, OSError):
        pass
    sock.setblocking(True)
    sock.sendto(payload, ("127.0.0.1", proxy_port))
    if not expect_reply:
        return None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            reply = sock.recv(65535).decode(errors="replace")
        except socket.timeout:
            return None
        if (si.status_code(reply) or 0) >= 200:
            return reply
    return None


def header(reply, name):
    match = re.search(rf"^{re.escape(name)}:[ \t]*(.*?)\r?$", reply or "", flags=re.M | re.I)
    return match.group(1) if match else None


def x_headers(reply):
    return {name: value for name, value in re.findall(r"^(X-[\w-]+):[ \t]*(.*?)\r?$", reply or "", flags=re.M)}


def ask(proxy, local_port, case, **fields):
    reply = exchange(proxy.port, local_port, request("MESSAGE", case, local_port, proxy.port, **fields))
    si.check(si.status_code(reply) == 200, f"{proxy.name}: no 200 for case {case}: {reply}")
    return x_headers(reply)


def wait_for_file(path, timeout=5.0):
    si.wait_until(lambda: path.exists() and path.stat().st_size > 0, timeout, f"{path.name} to be written")
    time.sleep(0.05)  # the script may still be writing
    return path.read_bytes()


def expect_equal_results(results, what):
    if "kamailio" not in results:
        return
    ours, theirs = results["kamc"], results["kamailio"]
    if isinstance(ours, dict) and isinstance(theirs, dict):
        differing = {key: (ours.get(key), theirs.get(key)) for key in set(ours) | set(theirs)
                     if ours.get(key) != theirs.get(key)}
        si.check(not differing, f"{what}: kamc and kamailio differ (key: (kamc, kamailio)): {differing}")
    si.check(ours == theirs, f"{what}: kamc and kamailio differ:\n  kamc:     {ours}\n  kamailio: {theirs}")


# ---- cases -----------------------------------------------------------------------------------

def case_avp(run):
    """exec_avp into a named list and into $avp(i:N), the return codes, and "$$"."""
    local_port = client_port()
    results = {}
    for starter in proxies(run):
        proxy = starter(run)
        results[proxy.name] = {
            "list": ask(proxy, local_port, "avp-list"),
            "numbered": ask(proxy, local_port, "avp-numbered"),
            "fail": ask(proxy, local_port, "avp-fail"),
            "status0": ask(proxy, local_port, "cmd-status", extra="X-Status: 0\r\n"),
            "status3": ask(proxy, local_port, "cmd-status", extra="X-Status: 3\r\n"),
            "dollar": ask(proxy, local_port, "dollar-escape", user="bob"),
        }
        stop_proxy(run, proxy)
    ours = results["kamc"]
    si.check(ours["list"] == {"X-Rc": "1", "X-First": "first value", "X-Second": "second", "X-Third": "third"},
             f"exec_avp with a list: {ours['list']}")
    si.check(ours["numbered"] == {"X-Rc": "1", "X-1": "first value", "X-2": "second", "X-3": "third"},
             f"exec_avp without a list: {ours['numbered']}")
    si.check(ours["fail"] == {"X-Rc": "-1", "X-1": "partial"}, f"a failing script: {ours['fail']}")
    si.check(ours["status0"]["X-Rc"] == "1" and ours["status3"]["X-Rc"] == "-1",
             f"exec_cmd's return codes: {ours['status0']} {ours['status3']}")
    si.check(ours["dollar"]["X-1"] == "bob", f"$$SIP_OUSER did not reach the shell as $SIP_OUSER: {ours['dollar']}")
    expect_equal_results(results, "exec_avp and exec_cmd")


def case_stdin(run):
    """exec_msg: the script reads exactly the bytes of the received message."""
    local_port = client_port()
    results = {}
    for starter in proxies(run):
        proxy = starter(run)
        payload = request("MESSAGE", "stdin", local_port, proxy.port, extra="X-Out: one\r\nSubject: bytes\r\n")
        payload = payload.replace(b"Content-Length: 0\r\n\r\n", b"Content-Type: text/plain\r\nContent-Length: 12\r\n\r\n"
                                  b"hello\x01\tworld")
        reply = exchange(proxy.port, local_port, payload)
        si.check(si.status_code(reply) == 200 and header(reply, "X-Rc") == "1", f"{proxy.name}: exec_msg: {reply}")
        received = wait_for_file(proxy.out / "stdin-one")
        si.check(received == payload, f"{proxy.name}: the script read {received!r}, not the {len(payload)} bytes sent")
        results[proxy.name] = received.replace(str(proxy.port).encode(), b"PORT")
        stop_proxy(run, proxy)
    expect_equal_results(results, "exec_msg's stdin")


def read_env(path):
    entries = {}
    for item in wait_for_file(path).split(b"\0"):
        if b"=" in item:
            name, value = item.split(b"=", 1)
            entries[name.decode()] = value.decode(errors="replace")
    return entries


def case_env(run):
    """setvars: SIP_HF_* (compact forms expanded, repeats joined), SIP_TID (the same for a
    retransmission, the CANCEL and the ACK of an INVITE), SIP_DID, SIP_SRCIP, SIP_RURI,
    SIP_ORURI, SIP_USER, SIP_OUSER; the same as Kamailio's on the same cfg."""
    local_port = client_port()
    extra = ("v: SIP/2.0/UDP 192.0.2.9:5999;branch=z9hG4bK-second\r\n"
             "Route: <sip:192.0.2.1;lr>\r\nRoute: <sip:192.0.2.2;lr>\r\n"
             "m: <sip:caller@127.0.0.1:7>\r\nk: timer\r\nSupported: path\r\n"
             "X-Foo.Bar~baz: odd name\r\nx-foo.bar~baz: second\r\n"
             "X-Shell: () { :;}; echo shellshock\r\nSubject: exec env\r\n")
    results = {}
    for starter in proxies(run):
        proxy = starter(run)
        dumps = {}
        for out, method, branch, cseq, to_tag in [("invite", "INVITE", "z9hG4bK-env-1", None, None),
                                                  ("retransmission", "INVITE", "z9hG4bK-env-1", None, None),
                                                  ("cancel", "CANCEL", "z9hG4bK-env-1", None, None),
                                                  ("ack", "ACK", "z9hG4bK-env-1", None, "to-tag-9"),
                                                  ("other", "INVITE", "z9hG4bK-env-2", None, None),
                                                  ("bye", "BYE", "z9hG4bK-env-3", None, "to-tag-9")]:
            # The same R-URI for both proxies (its port is not theirs): SIP_TID hashes it.
            payload = request(method, "env", local_port, proxy.port, branch=branch, to_tag=to_tag, ruri_port=5999,
                              extra=f"X-Out: {out}\r\n" + (extra if out == "invite" else ""))
            exchange(proxy.port, local_port, payload, expect_reply=method != "ACK")
            dumps[out] = {name: value for name, value in read_env(proxy.out / f"env-{out}").items()
                          if name.startswith("SIP_")}
        stop_proxy(run, proxy)
        results[proxy.name] = dumps
    ours = results["kamc"]
    invite = ours["invite"]
    expected = {
        "SIP_HF_VIA": f"SIP/2.0/UDP 127.0.0.1:{local_port};branch=z9hG4bK-env-1;rport,"
                      "SIP/2.0/UDP 192.0.2.9:5999;branch=z9hG4bK-second",
        "SIP_HF_ROUTE": "<sip:192.0.2.1;lr>,<sip:192.0.2.2;lr>",
        "SIP_HF_CONTACT": "<sip:caller@127.0.0.1:7>",
        "SIP_HF_SUPPORTED": "timer,path",
        "SIP_HF_CALLID": "exec-call-1@127.0.0.1",
        "SIP_HF_X_FOO_BAR_BAZ": "odd name,second",
        "SIP_HF_X_SHELL": " { :;}; echo shellshock",
        "SIP_SRCIP": "127.0.0.1",
        "SIP_USER": "alice",
        "SIP_OUSER": "alice",
        "SIP_DID": "",
    }
    for name, value in expected.items():
        si.check(invite.get(name) == value, f"{name}: expected {value!r}, got {invite.get(name)!r}")
    si.check(invite["SIP_ORURI"] == invite["SIP_ORUI"] == invite["SIP_RURI"], f"R-URI variables: {invite}")
    si.check(re.fullmatch(r"[0-9a-f]{32}", invite["SIP_TID"] or ""), f"SIP_TID: {invite.get('SIP_TID')!r}")
    for other in ("retransmission", "cancel", "ack"):
        si.check(ours[other]["SIP_TID"] == invite["SIP_TID"], f"SIP_TID of the {other} differs from the INVITE's")
    si.check(ours["other"]["SIP_TID"] != invite["SIP_TID"], "another INVITE has the same SIP_TID")
    si.check(ours["bye"]["SIP_DID"] == "to-tag-9", f"SIP_DID: {ours['bye'].get('SIP_DID')!r}")
    if "kamailio" in results:
        for out, theirs in results["kamailio"].items():
            mine = dict(ours[out])
            # Kamailio 5.6 sets SIP_ORUI only (a typo in its source); kamc sets both.
            mine.pop("SIP_ORURI", None)
            si.check(mine == theirs, f"the {out} environment differs from kamailio's:\n"
                                     f"  only kamc:     {sorted(set(mine.items()) - set(theirs.items()))}\n"
                                     f"  only kamailio: {sorted(set(theirs.items()) - set(mine.items()))}")


def case_no_setvars(run):
    """setvars=0: no SIP_* variable reaches the command, in kamc as in kamailio."""
    local_port = client_port()
    results = {}
    for starter in proxies(run):
        proxy = starter(run, defines=["SETVARS=0"])
        reply = exchange(proxy.port, local_port, request("MESSAGE", "env", local_port, proxy.port,
                                                         extra="X-Out: ignored\r\n"))
        si.check(si.status_code(reply) == 200, f"{proxy.name}: {reply}")
        env = read_env(proxy.out / "env-")  # without SIP_HF_X_OUT the script writes "env-"
        si.check("PATH" in env and "EXEC_TEST_OUT" in env, f"{proxy.name}: the process's own environment is missing")
        results[proxy.name] = sorted(name for name in env if name.startswith("SIP_"))
        stop_proxy(run, proxy)
    si.check(results["kamc"] == [], f"SIP_* variables with setvars=0: {results['kamc']}")
    expect_equal_results(results, "setvars=0")


def start_uas_on(run, port, scenario_args, name):
    command = [run.args.sipp, *scenario_args, "-t", "u1", "-i", "127.0.0.1", "-p", str(port),
               "-mp", str(si.free_media_port()), "-nostdin", "-trace_msg", "-message_file",
               str(run.dir / f"{name}-msg.log"), "-trace_err", "-error_file", str(run.dir / f"{name}-err.log")]
    process = si.start(command, run.dir / f"{name}.out")
    si.wait_until(lambda: process.poll() is not None or si.port_is_bound(port, socket.SOCK_DGRAM), 10,
                  "SIPp UAS to bind")
    si.check(process.poll() is None, f"SIPp UAS exited: {run.log(name + '.out')}")
    return process


def dset_scenario(run, starter, user):
    """SIPp calls `user` through the proxy; the script's two URIs name two SIPp callees.
    For "refork" the call goes first to a busy callee, and failure_route runs the script."""
    tag = "kamc" if starter is start_kamc else "kamailio"
    first_port, second_port = si.free_port(), si.free_port()
    first = start_uas_on(run, first_port, ["-sf", str(SCENARIOS / "tm-uas-ring-then-answer.xml")], f"{tag}-first")
    second = start_uas_on(run, second_port, ["-sf", str(SCENARIOS / "tm-uas-cancelled.xml")], f"{tag}-second")
    busy = None
    target_port = None
    if user == "refork":
        target_port = si.free_port()
        busy = start_uas_on(run, target_port, ["-sf", str(SCENARIOS / "tm-uas-busy.xml")], f"{tag}-busy")
    proxy = starter(run, {"EXEC_TEST_UAS1": str(first_port), "EXEC_TEST_UAS2": str(second_port)})
    stats = run.run_uac(["-sf", str(SCENARIOS / "tm-uac-call.xml"), "-s", user],
                        f"127.0.0.1:{target_port or proxy.port}", proxy.port, calls=2, rate=2, name=f"{tag}-uac")
    for uas in (first, second, busy):
        if uas:
            si.stop(uas)
    si.expect_clean_calls(stats, 2, run, name=f"{tag}-uac")
    first_invites = si.messages_in(run.log_full(f"{tag}-first-msg.log"), r"INVITE sip:")
    second_invites = si.messages_in(run.log_full(f"{tag}-second-msg.log"), r"INVITE sip:")
    si.check(len(first_invites) == 2 and all(m.startswith(f"INVITE sip:first@127.0.0.1:{first_port} ")
                                             for m in first_invites),
             f"{tag}: the first callee did not get the 2 INVITEs with the script's first URI")
    si.check(len(second_invites) == 2 and all(m.startswith(f"INVITE sip:second@127.0.0.1:{second_port} ")
                                              for m in second_invites),
             f"{tag}: the second callee did not get the 2 INVITEs to the script's second URI")
    busy_invites = si.messages_in(run.log_full(f"{tag}-busy-msg.log"), r"INVITE sip:") if busy else []
    si.check(len(busy_invites) == (2 if busy else 0), f"{tag}: the busy callee got {len(busy_invites)} INVITEs")
    args = wait_for_file(proxy.out / "dset-args").split(b"\0")[:-1]
    si.check(len(args) == 2 and args[0] == user.encode() and args[1].startswith(f"sip:{user}@127.0.0.1:".encode()),
             f"{tag}: the script's arguments were {args}")
    stop_proxy(run, proxy)
    return (len(first_invites), len(second_invites), len(busy_invites), stats.get("SuccessfulCall(C)"))


def case_dset(run):
    """exec_dset forks an INVITE to the two URIs the script prints: the first replaces the
    R-URI, the second is a branch; each SIPp callee gets its INVITE and the caller the 200."""
    results = {("kamc" if starter is start_kamc else "kamailio"): dset_scenario(run, starter, "fork")
               for starter in proxies(run)}
    expect_equal_results(results, "exec_dset forking")


def case_dset_failure_route(run):
    """exec_dset in failure_route: after the first callee's 486 the script's two URIs are
    the new destinations, forked in parallel; the caller gets the 200."""
    results = {("kamc" if starter is start_kamc else "kamailio"): dset_scenario(run, starter, "refork")
               for starter in proxies(run)}
    expect_equal_results(results, "exec_dset in failure_route")


def injected_files(run):
    return [path for path in (Path.cwd() / "INJECTED", run.dir / "INJECTED", run.dir / "kamc-out" / "INJECTED",
                              run.dir / "kamailio-out" / "INJECTED", Path("/INJECTED")) if path.exists()]


def kamailio_is_safe(case, value):
    """Whether Kamailio's text pasting leaves this value data (no quote of the context in
    it, nothing the context expands)."""
    if case.startswith(("inject-dset", "inject-avp-sq")):
        return "'" not in value
    if case.startswith("inject-avp-dq"):
        return not any(c in value for c in '"`$\\')
    return value == "plain"  # unquoted: the others are code or split into words


def send_injection(run, proxy, local_port, case, value):
    """One value through one command; returns what the reply and the script showed."""
    dset_args = proxy.out / "dset-args"
    if dset_args.exists():
        dset_args.unlink()
    if case.endswith("-hdr"):
        fields = {"extra": f"X-User: {value}\r\n"}
    elif case == "inject-avp-sq":
        fields = {"from_user": value}
    else:
        fields = {"user": value}
    reply = exchange(proxy.port, local_port, request("MESSAGE", case, local_port, proxy.port, **fields))
    si.check(not injected_files(run), f"{proxy.name}: {case} with {value!r} ran the injected command")
    si.check(si.status_code(reply) == 200, f"{proxy.name}: no 200 for {case} with {value!r}: {reply}")
    got = x_headers(reply)
    if case.startswith("inject-dset"):
        args = wait_for_file(dset_args).split(b"\0")[:-1]
        si.check(args[:1] == [value.encode()], f"{proxy.name}: {case}: the script got {args}, not {value!r}")
        got["args"] = args[0].decode()
        got.pop("X-Ruri", None)  # holds the proxy's port
    if case.startswith("inject-avp"):
        si.check(got.get("X-1") == value, f"{proxy.name}: {case}: the AVP is {got.get('X-1')!r}, not {value!r}")
    return got


# The values hold blanks and a backquote, which no SIP URI user can: they come in a
# header. As R-URI and From users go the same attacks spelt with SIP-legal characters.
URI_USER_INJECTIONS = ["x';touch$IFS'INJECTED';'", "$(touch$IFS'INJECTED')", "a;touch$IFS'INJECTED'"]
COMMANDS = ("inject-dset", "inject-msg", "inject-avp-dq", "inject-avp-sq")


def case_injection(run):
    """Attacker values through exec_dset("script '$rU'"), exec_msg("echo $rU"),
    exec_avp("echo \"$rU\"") and exec_avp("echo '$fU'"), and the issue's four exact values
    through the same commands on $hdr(X-User): no INJECTED file ever, and each script gets
    the exact value. Kamailio runs the cases it runs safely with the same results, and one
    unsafe one, to show that the check sees an injection when there is one."""
    os.chdir(run.dir)  # where an injected `touch` would write
    local_port = client_port()
    plan = [(case, value) for value in URI_USER_INJECTIONS + ["plain"] for case in COMMANDS]
    plan += [(case + "-hdr", value) for value in INJECTIONS + ["plain"] for case in COMMANDS]
    results = {}
    for starter in proxies(run):
        proxy = starter(run)
        outcome = {}
        for case, value in plan:
            if proxy.name == "kamailio" and not kamailio_is_safe(case, value):
                continue
            outcome[(case, value)] = send_injection(run, proxy, local_port, case, value)
        if proxy.name == "kamc":
            log = run.log_full("runtime.log")
            for value in INJECTIONS + URI_USER_INJECTIONS:
                si.check(f"\n{value}\n" in log, f"exec_msg(\"echo $...\") did not print {value!r} as one word")
        else:
            reply = exchange(proxy.port, local_port, request("MESSAGE", "inject-avp-sq", local_port, proxy.port,
                                                             from_user=URI_USER_INJECTIONS[0]))
            si.check(si.status_code(reply) == 200, f"kamailio: {reply}")
            si.wait_until(lambda: (proxy.out / "INJECTED").exists(), 5, "kamailio to run the injected touch")
            (proxy.out / "INJECTED").unlink()
        stop_proxy(run, proxy)
        results[proxy.name] = outcome
    si.check(not injected_files(run), "an injected command ran")
    if "kamailio" in results:
        compared = {key: results["kamc"][key] for key in results["kamailio"]}
        # exec_msg("echo ..."): echo does not read the message, and whether Kamailio's
        # pclose() then meets EPIPE (and returns -1) is a race; kamc returns the exit status.
        for key in compared:
            if key[0].startswith("inject-msg"):
                compared[key].pop("X-Rc", None)
                results["kamailio"][key].pop("X-Rc", None)
        expect_equal_results({"kamc": compared, "kamailio": results["kamailio"]}, "the cases kamailio runs safely")


def pgid_members(pgid):
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[2]) == pgid:
            members.append(int(entry.name))
    return members


def zombie_children(pid):
    zombies = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] == "Z" and int(fields[1]) == pid:
            zombies.append(int(entry.name))
    return zombies


def case_hang(run):
    """A script that never ends, with time_to_kill=2, on a runtime with 2 workers: it is
    killed (its whole process group, though it ignores SIGTERM) within 3 s and reaped,
    and 100 other calls sent meanwhile all complete."""
    proxy = start_kamc(run, defines=["TIME_TO_KILL=2"])
    local_port = client_port()
    hang_reply = {}

    def hang():
        started = time.monotonic()
        hang_reply["text"] = exchange(proxy.port, local_port, request("MESSAGE", "hang", local_port, proxy.port),
                                      timeout=10)
        hang_reply["seconds"] = time.monotonic() - started

    waiter = threading.Thread(target=hang)
    waiter.start()
    pid_file = proxy.out / "hang.pid"
    script_pid = int(wait_for_file(pid_file).strip())
    scenario = run.dir / "exec-quick.xml"
    scenario.write_text((SCENARIOS / "options.xml").read_text()
                        .replace("Max-Forwards: 70", "Max-Forwards: 70\n      X-Case: quick")
                        .replace('<recv response="200"></recv>',
                                 '<recv response="200"><action><ereg regexp="X-Avp: quick" search_in="msg" '
                                 'check_it="true" assign_to="ok"/></action></recv>\n  <Reference variables="ok"/>'))
    started = time.monotonic()
    stats = run.run_uac(["-sf", str(scenario)], f"127.0.0.1:{proxy.port}", proxy.port, calls=100, rate=100,
                        name="quick-uac")
    quick_seconds = time.monotonic() - started
    waiter.join(timeout=15)
    si.check(not waiter.is_alive(), "the hanging call got no answer")
    si.expect_clean_calls(stats, 100, run, name="quick-uac")
    reply = hang_reply.get("text")
    si.check(si.status_code(reply) == 200 and header(reply, "X-Rc") == "-1",
             f"the hanging call's reply: {reply}")
    si.check(hang_reply["seconds"] < 3.0, f"the hanging script was ended after {hang_reply['seconds']:.2f}s, not < 3s")
    si.check(not pgid_members(script_pid), f"processes of the killed group are left: {pgid_members(script_pid)}")
    stat = Path(f"/proc/{script_pid}/stat")
    si.check(not stat.exists(), f"the killed script is still in /proc: {stat.read_text() if stat.exists() else ''}")
    si.check(not zombie_children(proxy.process.pid), f"zombies of the runtime: {zombie_children(proxy.process.pid)}")
    log = run.log_full("runtime.log")
    si.check("exec-hang.sh' killed" in log and "time_to_kill=2s" in log, "the kill was not logged with the command")
    print(f"hanging call answered after {hang_reply['seconds']:.2f}s; 100 calls in {quick_seconds:.2f}s meanwhile")
    stop_proxy(run, proxy)


def case_limits(run):
    """kamc's own limits, with a clear error at each: output past KAMC_EXEC_MAX_OUTPUT kills
    the command, and a call past KAMC_EXEC_MAX_CHILDREN running commands is refused. A
    limit that is not a number stops the config at start-up."""
    bad = subprocess.run([run.args.kamc, "run", str(si.CFG / "exec.cfg"), "-D", "-E", "-l",
                          f"udp:127.0.0.1:{si.free_port()}"], env=environment(out_dir(run, "bad"),
                                                                                {"KAMC_EXEC_MAX_CHILDREN": "0"}),
                         stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
    si.check(bad.returncode != 0 and "KAMC_EXEC_MAX_CHILDREN=0 in the environment: it must be a whole number from 1 "
             "to 1024" in bad.stderr, f"a bad limit: exit {bad.returncode}, {bad.stderr[-500:]}")
    proxy = start_kamc(run, {"KAMC_EXEC_MAX_OUTPUT": "10", "KAMC_EXEC_MAX_CHILDREN": "1"},
                       defines=["TIME_TO_KILL=3"])
    local_port, hang_port = client_port(), client_port()
    got = ask(proxy, local_port, "avp-numbered")
    si.check(got.get("X-Rc") == "-1" and got.get("X-1") == "<null>", f"output over the limit: {got}")
    si.check("its output passed 10 bytes (KAMC_EXEC_MAX_OUTPUT)" in run.log_full("runtime.log"),
             "the output limit was not logged")
    hang_reply = {}
    waiter = threading.Thread(target=lambda: hang_reply.update(text=exchange(
        proxy.port, hang_port, request("MESSAGE", "hang", hang_port, proxy.port), timeout=10)))
    waiter.start()
    wait_for_file(proxy.out / "hang.pid")
    started = time.monotonic()
    got = ask(proxy, local_port, "quick")
    si.check(time.monotonic() - started < 1.0 and got.get("X-Avp") == "<null>",
             f"a call past the limit of running commands was not refused at once: {got}")
    si.check("commands are running, the limit (KAMC_EXEC_MAX_CHILDREN)" in run.log_full("runtime.log"),
             "the limit of running commands was not logged")
    waiter.join(timeout=15)
    si.check(header(hang_reply.get("text"), "X-Rc") == "-1", f"the hanging call: {hang_reply}")
    got = ask(proxy, local_port, "quick")
    si.check(got.get("X-Avp") == "quick", f"after the kill, a command runs again: {got}")
    stop_proxy(run, proxy)


def case_shutdown(run):
    """With time_to_kill=0 (never), a hanging script does not hold the server up: SIGTERM
    ends the suspended message, kills the script's group and kamc exits 0 promptly."""
    proxy = start_kamc(run, defines=["TIME_TO_KILL=0"])
    local_port = client_port()
    hanger = threading.Thread(target=lambda: exchange(proxy.port, local_port,
                                                      request("MESSAGE", "hang", local_port, proxy.port), timeout=8))
    hanger.start()
    script_pid = int(wait_for_file(proxy.out / "hang.pid").strip())
    group = os.getpgid(script_pid)
    started = time.monotonic()
    si.expect_clean_shutdown(run, proxy.process)
    took = time.monotonic() - started
    hanger.join(timeout=10)
    si.check(took < 3.0, f"kamc took {took:.2f}s to stop with a hanging script")
    si.check(not pgid_members(group), f"the script's group outlived kamc: {pgid_members(group)}")
    si.check("exec-hang.sh' was stopped: the server is shutting down" in run.log_full("runtime.log"),
             "the stop at shutdown was not logged")


CASES = {
    "no_setvars": case_no_setvars,
    "dset_failure_route": case_dset_failure_route,
    "shutdown": case_shutdown,
    "limits": case_limits,
    "avp": case_avp,
    "stdin": case_stdin,
    "env": case_env,
    "dset": case_dset,
    "injection": case_injection,
    "hang": case_hang,
}


def absolute_kamc(args):
    args.kamc = os.path.abspath(args.kamc)  # the injection case changes directory


if __name__ == "__main__":
    sys.exit(si.run_case_main(CASES, absolute_kamc))
