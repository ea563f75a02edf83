#!/usr/bin/env python3
"""SIPp integration tests of tm, the stateful proxy (issue 6).

One case per invocation:
    tm_integration.py CASE --kamc PATH [--sipp PATH] [--kamailio PATH]

Each case runs a SIPp scenario through a stateful config of integration/cfg/ served by
`kamc run` and checks what caller and callees saw. Where --kamailio is given, the same
scenario then runs through the real Kamailio 5.6 with the same config and the same -A
defines, and the status codes each caller received must be the same. Processes, free ports, bounded waits and clean-up come from
integration/sip_integration.py: every process is killed by its process group on every
exit path, ports are free loopback ports (never 5060-5062 or 5070).
"""
import re
import socket
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "integration"))
import sip_integration as si  # noqa: E402

SCENARIOS = HERE / "integration" / "sipp"
FR_TIMER_MS = 3000
FR_INV_TIMER_MS = 1500


def scenario(name):
    return str(SCENARIOS / name)


# ---- the two proxies under test ----------------------------------------------------------

class Proxy:
    def __init__(self, name, process, port):
        self.name, self.process, self.port = name, process, port


def defines(alternate):
    """The -A values both proxies get: tm's timers, and the second destination."""
    values = [f"FR_TIMER={FR_TIMER_MS}", f"FR_INV_TIMER={FR_INV_TIMER_MS}"]
    return values + ([f'ALTERNATE="{alternate}"'] if alternate else [])


def start_kamc(run, cfg, alternate=None):
    process, port = run.start_runtime(cfg=cfg, defines=defines(alternate))
    return Proxy("kamc", process, port)


def start_kamailio(run, cfg, alternate=None):
    process, port = run.start_kamailio(cfg, defines(alternate))
    return Proxy("kamailio", process, port)


# ---- what the caller saw -------------------------------------------------------------------

def received_statuses(log_text):
    """(code, CSeq method) of every reply in a SIPp -trace_msg log, in order."""
    found = []
    for block in re.split(r"^-{20,}.*$", log_text, flags=re.M):
        if "message received" not in block:
            continue
        status = re.search(r"^SIP/2\.0 (\d{3}) ", block, flags=re.M)
        cseq = re.search(r"^CSeq:\s*\d+\s+(\w+)", block, flags=re.M | re.I)
        if status and cseq:
            found.append((int(status.group(1)), cseq.group(1).upper()))
    return found


def statuses_of(run, name):
    return received_statuses(run.log_full(f"{name}-msg.log"))


def requests_in(run, name, method):
    return si.messages_in(run.log_full(f"{name}-msg.log"), rf"{method} sip:")


def expect_clean(stats, calls, run, name):
    si.expect_clean_calls(stats, calls, run, name=name)
    unexpected = int(stats.get("OutOfCallMsgs(C)", "0")) + int(stats.get("DeadCallMsgs(C)", "0"))
    si.check(unexpected == 0, f"{name}: {unexpected} unexpected messages\n{run.log(name + '-err.log')}")


def compare_with_kamailio(run, cfg, scenario_fn, alternate_for=None):
    """Runs scenario_fn(run, proxy, tag, holder) through kamc, then through Kamailio when it
    is available; the replies each caller received must be the same (as a multiset).
    holder["port"] is a free port chosen before the proxy starts, for a second callee
    whose URI alternate_for(holder) gives the proxy."""
    results = {}
    starters = [("kamc", start_kamc)] + ([("kamailio", start_kamailio)] if run.args.kamailio else [])
    for name, starter in starters:
        holder = {"port": si.free_port()}
        proxy = starter(run, cfg, alternate_for(holder) if alternate_for else None)
        results[name] = scenario_fn(run, proxy, name, holder)
        if name == "kamc":
            si.check(proxy.process.poll() is None, f"the runtime died:\n{run.log('runtime.log')}")
            si.expect_clean_shutdown(run, proxy.process)
        else:
            si.stop(proxy.process)
    if "kamailio" in results:
        ours, theirs = Counter(results["kamc"]), Counter(results["kamailio"])
        si.check(ours == theirs, f"the caller saw different replies: kamc {sorted(ours.items())}, "
                                 f"kamailio {sorted(theirs.items())}")
    else:
        print("note: no --kamailio, the comparison run was skipped")
    return results


# ---- scenarios (each returns the replies the caller received) ------------------------------

def transport_of(case_name):
    return "t1" if case_name.endswith("_tcp") else "u1"


def relay_scenario(transport, calls):
    def run_scenario(run, proxy, tag, _holder):
        uas, uas_port = run.start_uas(["-sn", "uas"], transport=transport, name=f"{tag}-uas")
        uac = ["-sn", "uac"] if transport == "u1" else ["-sf", str(run.uac_transport_scenario())]
        stats = run.run_uac(uac, f"127.0.0.1:{uas_port}", proxy.port, calls=calls, transport=transport, rate=25,
                            name=f"{tag}-uac")
        si.stop(uas)
        expect_clean(stats, calls, run, f"{tag}-uac")
        si.check(stats.get("Retransmissions(C)") == "0", f"{tag}: the caller had to retransmit")
        invites = requests_in(run, f"{tag}-uas", "INVITE")
        si.check(len(invites) == calls, f"{tag}: the callee saw {len(invites)} INVITEs for {calls} calls")
        return statuses_of(run, f"{tag}-uac")
    return run_scenario


def case_relay(run, transport):
    results = compare_with_kamailio(run, "stateful-proxy", relay_scenario(transport, 50))
    codes = Counter(code for code, _ in results["kamc"])
    si.check(codes[100] == 50, f"expected our 100 Trying for each of the 50 INVITEs, got {codes[100]}")
    replies = [m for m in si.messages_in(run.log_full("kamc-uac-msg.log"), r"SIP/2\.0 (180|200) ")
               if "CSeq: 1 INVITE" in m]
    si.check(replies and all("X-Onreply: 0 " in m for m in replies),
             "the relayed INVITE replies lack the header onreply_route[MARK_REPLY] appends")


def cancel_scenario(transport):
    def run_scenario(run, proxy, tag, _holder):
        uas, uas_port = run.start_uas(["-sf", scenario("tm-uas-cancelled.xml")], transport=transport,
                                      name=f"{tag}-uas")
        stats = run.run_uac(["-sf", scenario("tm-uac-cancel.xml")], f"127.0.0.1:{uas_port}", proxy.port, calls=3,
                            transport=transport, rate=5, name=f"{tag}-uac")
        si.stop(uas)
        expect_clean(stats, 3, run, f"{tag}-uac")
        si.check(len(requests_in(run, f"{tag}-uas", "CANCEL")) == 3, f"{tag}: the callee did not get 3 CANCELs")
        si.check(len(requests_in(run, f"{tag}-uas", "ACK")) >= 3, f"{tag}: the callee's 487s were not acknowledged")
        return statuses_of(run, f"{tag}-uac")
    return run_scenario


def case_cancel(run, transport):
    results = compare_with_kamailio(run, "stateful-proxy", cancel_scenario(transport))
    codes = Counter(results["kamc"])
    si.check(codes[(487, "INVITE")] == 3 and codes[(200, "CANCEL")] == 3,
             f"expected 487 for each INVITE and 200 for each CANCEL, got {sorted(codes.items())}")


def timeout_scenario(transport):
    def run_scenario(run, proxy, tag, _holder):
        uas, uas_port = run.start_uas(["-sf", scenario("tm-uas-cancelled.xml")], transport=transport,
                                      name=f"{tag}-uas")
        started = time.monotonic()
        stats = run.run_uac(["-sf", scenario("tm-uac-timeout.xml")], f"127.0.0.1:{uas_port}", proxy.port, calls=2,
                            transport=transport, rate=5, name=f"{tag}-uac")
        elapsed = time.monotonic() - started
        si.stop(uas)
        expect_clean(stats, 2, run, f"{tag}-uac")
        si.check(elapsed >= FR_INV_TIMER_MS / 1000, f"{tag}: 408 came after {elapsed:.2f}s, before fr_inv_timer")
        si.check(len(requests_in(run, f"{tag}-uas", "CANCEL")) == 2,
                 f"{tag}: the ringing callee was not cancelled when fr_inv_timer fired")
        return statuses_of(run, f"{tag}-uac")
    return run_scenario


def case_fr_inv_timeout(run, transport):
    results = compare_with_kamailio(run, "stateful-proxy", timeout_scenario(transport))
    si.check(Counter(results["kamc"])[(408, "INVITE")] == 2, f"expected 408 twice, got {results['kamc']}")


def alternate_uri(transport):
    suffix = ";transport=tcp" if transport == "t1" else ""
    return lambda holder: f"sip:alternate@127.0.0.1:{holder['port']}{suffix}"


def failure_reroute_scenario(transport):
    def run_scenario(run, proxy, tag, holder):
        busy, busy_port = run.start_uas(["-sf", scenario("tm-uas-busy.xml")], transport=transport,
                                        name=f"{tag}-busy")
        second = start_uas_on(run, holder["port"], ["-sf", scenario("uas-rr.xml")], transport, f"{tag}-second")
        stats = run.run_uac(["-sf", scenario("tm-uac-call.xml")], f"127.0.0.1:{busy_port}", proxy.port, calls=3,
                            transport=transport, rate=5, name=f"{tag}-uac")
        si.stop(busy)
        si.stop(second)
        expect_clean(stats, 3, run, f"{tag}-uac")
        si.check(len(requests_in(run, f"{tag}-busy", "INVITE")) == 3, f"{tag}: the busy callee did not get 3 INVITEs")
        si.check(len(requests_in(run, f"{tag}-busy", "ACK")) == 3, f"{tag}: the 486s were not acknowledged hop by hop")
        second_invites = requests_in(run, f"{tag}-second", "INVITE")
        si.check(len(second_invites) == 3 and all(m.startswith("INVITE sip:alternate@") for m in second_invites),
                 f"{tag}: failure_route did not send the calls to the second callee")
        si.check(len(requests_in(run, f"{tag}-second", "BYE")) == 3, f"{tag}: the BYEs did not reach the second callee")
        return statuses_of(run, f"{tag}-uac")
    return run_scenario


def start_uas_on(run, port, scenario_args, transport, name):
    """A SIPp UAS on a port chosen before the proxy started (the proxy's ALTERNATE)."""
    command = [run.args.sipp, *scenario_args, "-t", transport, "-i", "127.0.0.1", "-p", str(port),
               "-mp", str(si.free_media_port()), "-nostdin", "-trace_msg", "-message_file", str(run.dir / f"{name}-msg.log"),
               "-trace_err", "-error_file", str(run.dir / f"{name}-err.log")]
    process = si.start(command, run.dir / f"{name}.out")
    kind = socket.SOCK_DGRAM if transport == "u1" else socket.SOCK_STREAM
    si.wait_until(lambda: process.poll() is not None or si.port_is_bound(port, kind), 10, "SIPp UAS to bind")
    si.check(process.poll() is None, f"SIPp UAS exited: {run.log(name + '.out')}")
    return process


def case_failure_reroute(run, transport):
    results = compare_with_kamailio(run, "failure-reroute", failure_reroute_scenario(transport),
                                    alternate_for=alternate_uri(transport))
    codes = Counter(results["kamc"])
    si.check(codes[(200, "INVITE")] == 3 and codes[(486, "INVITE")] == 0,
             f"the caller must see the second callee's 200, never the 486: {sorted(codes.items())}")
    si.check("failure_route: 486 on branch 1 of sip:service@" in run.log_full("runtime.log"),
             "failure_route's xlog with $T_reply_code, $T_branch_idx and $T_req($ru) is missing")


def fork_scenario(transport):
    def run_scenario(run, proxy, tag, holder):
        first, first_port = run.start_uas(["-sf", scenario("tm-uas-ring-then-answer.xml")], transport=transport,
                                          name=f"{tag}-first")
        second = start_uas_on(run, holder["port"], ["-sf", scenario("tm-uas-cancelled.xml")], transport,
                              f"{tag}-second")
        stats = run.run_uac(["-sf", scenario("tm-uac-call.xml")], f"127.0.0.1:{first_port}", proxy.port, calls=2,
                            transport=transport, rate=2, name=f"{tag}-uac")
        si.stop(first)
        si.stop(second)
        expect_clean(stats, 2, run, f"{tag}-uac")
        first_invites = requests_in(run, f"{tag}-first", "INVITE")
        second_invites = requests_in(run, f"{tag}-second", "INVITE")
        si.check(len(first_invites) == 2 and all("\nX-Branch: 0" in m for m in first_invites),
                 f"{tag}: the first callee's INVITEs lack branch_route's 'X-Branch: 0'")
        si.check(len(second_invites) == 2 and all("\nX-Branch: 1" in m for m in second_invites),
                 f"{tag}: the second callee's INVITEs lack branch_route's 'X-Branch: 1'")
        si.check(len(requests_in(run, f"{tag}-second", "CANCEL")) == 2,
                 f"{tag}: the branch that lost was not cancelled when the other answered")
        return statuses_of(run, f"{tag}-uac")
    return run_scenario


def case_fork(run, transport):
    results = compare_with_kamailio(run, "fork-two", fork_scenario(transport), alternate_for=alternate_uri(transport))
    codes = Counter(results["kamc"])
    si.check(codes[(200, "INVITE")] == 2 and codes[(487, "INVITE")] == 0,
             f"the caller must get the 200 and never the cancelled branch's 487: {sorted(codes.items())}")


def fork_drop_scenario(run, proxy, tag, holder):
    first, first_port = run.start_uas(["-sf", scenario("tm-uas-busy.xml")], name=f"{tag}-first")
    second = start_uas_on(run, holder["port"], ["-sf", scenario("uas-rr.xml")], "u1", f"{tag}-second")
    stats = run.run_uac(["-sf", scenario("tm-uac-call.xml"), "-s", "drop"], f"127.0.0.1:{first_port}", proxy.port,
                        calls=2, rate=5, name=f"{tag}-uac")
    si.stop(first)
    si.stop(second)
    expect_clean(stats, 2, run, f"{tag}-uac")
    si.check(not requests_in(run, f"{tag}-first", "INVITE"), f"{tag}: the branch dropped in branch_route was sent")
    second_invites = requests_in(run, f"{tag}-second", "INVITE")
    # As in Kamailio, a branch dropped in branch_route takes no index: the next one is 0.
    si.check(len(second_invites) == 2 and all("\nX-Branch: 0" in m for m in second_invites),
             f"{tag}: the other branch was not sent, or not as branch 0")
    return statuses_of(run, f"{tag}-uac")


def case_fork_drop(run):
    compare_with_kamailio(run, "fork-two", fork_drop_scenario, alternate_for=alternate_uri("u1"))


# ---- a caller that ignores 100 Trying (a raw socket: SIPp answers repeated replies) -------

def invite_bytes(local_port, proxy_port, uas_port, call_id):
    return (f"INVITE sip:service@127.0.0.1:{uas_port} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.1:{local_port};branch=z9hG4bK-{call_id}-1\r\n"
            f"From: <sip:caller@127.0.0.1:{local_port}>;tag=caller-{call_id}\r\n"
            f"To: <sip:service@127.0.0.1:{uas_port}>\r\n"
            f"Call-ID: {call_id}\r\nCSeq: 1 INVITE\r\n"
            f"Contact: <sip:caller@127.0.0.1:{local_port}>\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n").encode()


def in_dialog_bytes(method, cseq, local_port, uas_port, call_id, to_header, branch):
    return (f"{method} sip:127.0.0.1:{uas_port} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.1:{local_port};branch=z9hG4bK-{call_id}-{branch}\r\n"
            f"From: <sip:caller@127.0.0.1:{local_port}>;tag=caller-{call_id}\r\n"
            f"{to_header}\r\nCall-ID: {call_id}\r\nCSeq: {cseq} {method}\r\n"
            f"Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n").encode()


def receive_reply(sock, deadline):
    sock.settimeout(max(0.01, deadline - time.monotonic()))
    try:
        return sock.recv(65535).decode(errors="replace")
    except socket.timeout:
        return None


def retransmitting_caller(proxy_port, uas_port, call_id):
    """Sends an INVITE, ignores the 100, sends the same INVITE again, then completes the
    call. Returns (code, CSeq method) of every reply, in order."""
    seen = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        local_port = sock.getsockname()[1]
        invite = invite_bytes(local_port, proxy_port, uas_port, call_id)
        sock.sendto(invite, ("127.0.0.1", proxy_port))
        first = receive_reply(sock, time.monotonic() + 2)
        seen.append(si.status_code(first))
        time.sleep(0.3)
        sock.sendto(invite, ("127.0.0.1", proxy_port))  # the retransmission the proxy must absorb
        final = None
        deadline = time.monotonic() + 5
        while final is None and time.monotonic() < deadline:
            reply = receive_reply(sock, deadline)
            if reply is None:
                break
            seen.append(si.status_code(reply))
            if si.status_code(reply) >= 200:
                final = reply
        si.check(final is not None and si.status_code(final) == 200, f"no 200 for {call_id}: saw {seen}")
        to_header = re.search(r"^To: .*$", final, flags=re.M).group(0)
        sock.sendto(in_dialog_bytes("ACK", 1, local_port, uas_port, call_id, to_header, "ack"), ("127.0.0.1", proxy_port))
        sock.sendto(in_dialog_bytes("BYE", 2, local_port, uas_port, call_id, to_header, "bye"), ("127.0.0.1", proxy_port))
        bye = receive_reply(sock, time.monotonic() + 3)
        seen.append(si.status_code(bye))
    return [(code, "INVITE") for code in seen[:-1]] + [(seen[-1], "BYE")]


def retransmission_scenario(run, proxy, tag, _holder):
    uas, uas_port = run.start_uas(["-sf", scenario("tm-uas-ring-then-answer.xml")], name=f"{tag}-uas")
    seen = retransmitting_caller(proxy.port, uas_port, f"retransmit-{tag}")
    time.sleep(0.3)
    si.stop(uas)
    invites = requests_in(run, f"{tag}-uas", "INVITE")
    si.check(len(invites) == 1, f"{tag}: the callee saw {len(invites)} INVITEs; the retransmission was not absorbed")
    si.check(seen[:2] == [(100, "INVITE"), (100, "INVITE")],
             f"{tag}: the retransmitted INVITE did not get the last reply (100) again: {seen}")
    return seen


def case_invite_retransmission(run):
    compare_with_kamailio(run, "stateful-proxy", retransmission_scenario)


CASES = {
    "relay_udp": lambda run: case_relay(run, "u1"),
    "relay_tcp": lambda run: case_relay(run, "t1"),
    "invite_retransmission": case_invite_retransmission,
    "cancel_udp": lambda run: case_cancel(run, "u1"),
    "cancel_tcp": lambda run: case_cancel(run, "t1"),
    "failure_reroute_udp": lambda run: case_failure_reroute(run, "u1"),
    "failure_reroute_tcp": lambda run: case_failure_reroute(run, "t1"),
    "fr_inv_timeout_udp": lambda run: case_fr_inv_timeout(run, "u1"),
    "fr_inv_timeout_tcp": lambda run: case_fr_inv_timeout(run, "t1"),
    "fork_udp": lambda run: case_fork(run, "u1"),
    "fork_tcp": lambda run: case_fork(run, "t1"),
    "fork_drop": case_fork_drop,
}


if __name__ == "__main__":
    sys.exit(si.run_case_main(CASES))
