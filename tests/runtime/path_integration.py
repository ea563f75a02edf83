#!/usr/bin/env python3
"""SIPp integration tests of path at the edge proxy and tmx's t_precheck_trans (issue 14).

One case per invocation:
    path_integration.py CASE --kamc PATH [--sipp PATH] [--kamailio PATH]

Each case runs its proxies as `kamc run` of a config of integration/cfg/, then, where
--kamailio is given, as the real Kamailio 5.6 with the same config, -A defines and -l
addresses (the oracle), and compares what arrived. Processes, free ports, bounded waits and
clean-up come from integration/sip_integration.py: every process is killed by its process
group on every exit path; ports are free loopback ports (never 5060-5062 or 5070).

    path_register_udp, _tcp     UA -> edge (add_path_received("Outbound")) -> proxy
                                (add_path()) -> a SIPp registrar stand-in: the exact Path
                                headers that reach it, the same under kamailio
    path_register_r2_tcp        the same with the edge's enable_r2 and received_format 1
    path_use_received           an INVITE whose Route set is the stored Path (the proxy,
                                then the edge with received=): each loose_route()
                                consumes its entry and the call reaches the received
                                address through both, not the Request-URI
    path_use_received_tcp       a UA behind NAT (a TCP client that never listens)
                                registers through the edge; a call routed by the edge's
                                Path entry comes back on that connection
    tmx_precheck                a retransmitted INVITE that reaches another worker while
                                the first copy is still in request_route
"""
import re
import socket
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "integration"))
import sip_integration as si  # noqa: E402

SCENARIOS = HERE / "integration" / "sipp"


def scenario(name):
    return str(SCENARIOS / name)


# ---- proxies: kamc run or kamailio, each with its own name, port, log and pid file ----------

class Proxy:
    def __init__(self, engine, name, process, port):
        self.engine, self.name, self.process, self.port = engine, name, process, port


def start_proxy(run, engine, name, cfg, defines=(), port=None, children=2):
    port = port or si.free_port()
    listen = [arg for value in (f"udp:127.0.0.1:{port}", f"tcp:127.0.0.1:{port}") for arg in ("-l", value)]
    define_args = [arg for define in defines for arg in ("-A", define)]
    cfg_path = str(si.CFG / f"{cfg}.cfg")
    pid_file = run.dir / f"{name}.pid"
    if engine == "kamc":
        command = [run.args.kamc, "run", cfg_path, *define_args, "-D", "-E", "-n", str(children), "-P", str(pid_file),
                   *listen]
    else:
        command = [run.args.kamailio, "-DD", "-E", "-m", "64", "-M", "8", "-n", str(children), "-f", cfg_path, *listen,
                   *define_args, "-Y", str(run.dir), "-P", str(pid_file)]
    process = si.start(command, run.dir / f"{name}.log")
    si.wait_until(lambda: process.poll() is not None or si.options_status(port) is not None, 20,
                  f"{name} to answer")
    si.check(process.poll() is None, f"{name} exited at start-up: {run.log(name + '.log')}")
    return Proxy(engine, name, process, port)


def stop_proxy(run, proxy):
    code = si.stop(proxy.process)
    if proxy.engine == "kamc":
        si.check(code == 0, f"{proxy.name} exited with {code} on SIGTERM:\n{run.log(proxy.name + '.log')}")


def engines(run):
    if not run.args.kamailio:
        print("note: no --kamailio, the comparison with Kamailio was skipped")
    return ["kamc"] + (["kamailio"] if run.args.kamailio else [])


def header_lines(message, name):
    return [line for line in message.splitlines() if re.match(rf"{name}\s*:", line, flags=re.I)]


# ---- register_*: the Path headers a REGISTER collects on its way ----------------------------

def register_through_two_proxies(run, engine, transport, edge_defines=()):
    """UA -(transport)-> edge -(udp)-> proxy -(udp)-> registrar stand-in. Returns the Path
    lines that reached the stand-in, with every port replaced by the name of its owner."""
    tag = f"{engine}-{transport}"
    registrar, registrar_port = run.start_uas(["-sf", scenario("path-register-uas.xml")], name=f"{tag}-registrar")
    second = start_proxy(run, engine, f"{tag}-proxy", "path-hop", [f'NEXT_HOP="sip:127.0.0.1:{registrar_port}"'])
    edge = start_proxy(run, engine, f"{tag}-edge", "path-hop",
                       ["EDGE", f'NEXT_HOP="sip:127.0.0.1:{second.port}"', *edge_defines])
    stats = run.run_uac(["-sf", scenario("path-register-uac.xml")], f"127.0.0.1:{edge.port}", edge.port, calls=1,
                        transport=transport, rate=1, name=f"{tag}-ua")
    si.stop(registrar)
    stop_proxy(run, edge)
    stop_proxy(run, second)
    si.expect_clean_calls(stats, 1, run, name=f"{tag}-ua")
    registers = si.messages_in(run.log_full(f"{tag}-registrar-msg.log"), r"REGISTER sip:")
    si.check(len(registers) == 1, f"{tag}: the registrar stand-in saw {len(registers)} REGISTERs")
    register = registers[0]
    # The UA's source port, as the edge saw it: the rport= the edge filled into its Via.
    ua_via = [line for line in header_lines(register, "Via") if "127.0.0.1" in line][-1]
    ua_port = re.search(r";rport=(\d+)", ua_via)
    si.check(ua_port is not None, f"{tag}: no rport= in the UA's Via: {ua_via}")
    names = {str(edge.port): "EDGE", str(second.port): "PROXY", ua_port.group(1): "UA"}
    return [re.sub(r"(?<=[:~])(\d+)", lambda m: names.get(m.group(1), m.group(1)), line)
            for line in header_lines(register, "Path")]


def case_register(run, transport):
    received = "sip:127.0.0.1:UA" + ("%3Btransport%3Dtcp" if transport == "t1" else "")
    expected = ["Path: <sip:127.0.0.1:PROXY;lr>",
                f"Path: <sip:Outbound@127.0.0.1:EDGE;lr;received={received}>"]
    compare_register(run, transport, expected)


def case_register_r2(run):
    """UA over TCP, edge out over UDP: with enable_r2 a line for each socket (the sending
    one first), and received= as IP~PORT~PROTO (2: tcp) with received_format 1."""
    expected = ["Path: <sip:127.0.0.1:PROXY;lr>",
                "Path: <sip:Outbound@127.0.0.1:EDGE;lr;received=127.0.0.1~UA~2;r2=on>",
                "Path: <sip:Outbound@127.0.0.1:EDGE;transport=tcp;lr;received=127.0.0.1~UA~2;r2=on>"]
    compare_register(run, "t1", expected, ["R2_FORMAT1"])


def compare_register(run, transport, expected, edge_defines=()):
    results = {engine: register_through_two_proxies(run, engine, transport, edge_defines) for engine in engines(run)}
    si.check(results["kamc"] == expected, f"kamc's Path headers {results['kamc']}, expected {expected}")
    if "kamailio" in results:
        si.check(results["kamailio"] == results["kamc"],
                 f"Path headers differ: kamc {results['kamc']}, kamailio {results['kamailio']}")
    print("\n".join(results["kamc"]))


# ---- use_received: the edge sends to the received= of its own Route entry -------------------

def routed_call(run, engine):
    """What a registrar's lookup() sends to a UA registered through the proxy and the edge:
    an INVITE (then ACK, BYE) to the proxy whose Route set is the stored Path, the proxy's
    entry, then the edge's naming the UA (the SIPp UAS) as the received address; its
    Request-URI names a port nobody listens on. Returns the UA's view: the methods, and
    each request's Via sent-by ports with the proxies named."""
    tag = f"{engine}-routed"
    uas, uas_port = run.start_uas(["-sn", "uas"], name=f"{tag}-ua")
    edge = start_proxy(run, engine, f"{tag}-edge", "path-hop", ["EDGE"])
    second = start_proxy(run, engine, f"{tag}-proxy", "path-hop")
    nobody = si.free_port()
    route = (f"<sip:127.0.0.1:{second.port};lr>, "
             f"<sip:Outbound@127.0.0.1:{edge.port};lr;received=sip:127.0.0.1:{uas_port}>")
    stats = run.run_uac(["-sf", scenario("path-routed-uac.xml"), "-key", "route", route,
                         "-key", "contact", f"sip:alice@127.0.0.1:{nobody}"],
                        f"127.0.0.1:{second.port}", second.port, calls=1, rate=1, name=f"{tag}-caller")
    si.stop(uas)
    stop_proxy(run, edge)
    stop_proxy(run, second)
    si.expect_clean_calls(stats, 1, run, name=f"{tag}-caller")
    arrived = run.log_full(f"{tag}-ua-msg.log")
    requests = si.messages_in(arrived, r"(INVITE|ACK|BYE) sip:")
    si.check("Route:" not in arrived, f"{tag}: a consumed Route reached the UA")
    names = {str(edge.port): "EDGE", str(second.port): "PROXY"}
    seen = []
    for request in requests:
        ports = [re.search(r"127\.0\.0\.1:(\d+)", via).group(1) for via in header_lines(request, "Via")]
        seen.append((request.split(" ", 1)[0], [names.get(port, "UAC") for port in ports]))
    return seen


def case_use_received(run):
    results = {engine: routed_call(run, engine) for engine in engines(run)}
    # ACK for a 2xx is end-to-end: the proxies forward it statelessly, with their Vias too.
    expected = [(method, ["EDGE", "PROXY", "UAC"]) for method in ("INVITE", "ACK", "BYE")]
    si.check(results["kamc"] == expected, f"the UA saw {results['kamc']}, expected {expected}")
    print(results["kamc"])
    if "kamailio" in results:
        si.check(results["kamailio"] == results["kamc"], f"kamc {results['kamc']}, kamailio {results['kamailio']}")


# ---- use_received over TCP: back through the connection the UA registered on -------------

class StreamReader:
    """SIP messages off a TCP socket, framed by Content-Length; every read is bounded."""
    def __init__(self, sock):
        self.sock, self.buffer = sock, b""

    def next_message(self, seconds):
        deadline = time.monotonic() + seconds
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end >= 0:
                head = self.buffer[:end].decode(errors="replace")
                length = re.search(r"^(?:Content-Length|l)\s*:\s*(\d+)", head, flags=re.M | re.I)
                total = end + 4 + (int(length.group(1)) if length else 0)
                if len(self.buffer) >= total:
                    message, self.buffer = self.buffer[:total], self.buffer[total:]
                    return message.decode(errors="replace")
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65535)
            except socket.timeout:
                return None
            if not chunk:
                return None
            self.buffer += chunk


def reply_to(request, code, reason, to_tag):
    """A UA's reply: the request's Vias, From, To (with our tag), Call-ID and CSeq."""
    lines = request.split("\r\n")
    keep = [line for line in lines if re.match(r"(Via|v|From|f|Call-ID|i|CSeq)\s*:", line, flags=re.I)]
    to = next(line for line in lines if re.match(r"(To|t)\s*:", line, flags=re.I))
    if ";tag=" not in to:
        to += f";tag={to_tag}"
    return (f"SIP/2.0 {code} {reason}\r\n" + "\r\n".join(keep) + f"\r\n{to}\r\n"
            "Contact: <sip:alice@127.0.0.1;transport=tcp>\r\nContent-Length: 0\r\n\r\n").encode()


def call_over_registered_connection(run, engine):
    """A UA that never listens (behind NAT) registers over TCP through the edge; then a call
    whose Route is the edge's Path entry must come back on that connection."""
    tag = f"{engine}-tcp-nat"
    registrar, registrar_port = run.start_uas(["-sf", scenario("path-register-uas.xml")], name=f"{tag}-registrar")
    edge = start_proxy(run, engine, f"{tag}-edge", "path-hop", ["EDGE", f'NEXT_HOP="sip:127.0.0.1:{registrar_port}"'])
    seen = []
    with socket.create_connection(("127.0.0.1", edge.port), timeout=5) as ua:
        ua_port = ua.getsockname()[1]
        reader = StreamReader(ua)
        ua.sendall((f"REGISTER sip:example.com SIP/2.0\r\n"
                    f"Via: SIP/2.0/TCP 127.0.0.1:{ua_port};branch=z9hG4bK-nat-reg;rport\r\n"
                    f"From: <sip:alice@example.com>;tag=nat-ua\r\nTo: <sip:alice@example.com>\r\n"
                    f"Call-ID: nat-reg@127.0.0.1\r\nCSeq: 1 REGISTER\r\n"
                    f"Contact: <sip:alice@10.0.0.2:5060;transport=tcp>\r\nSupported: path\r\n"
                    f"Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n").encode())
        registered = reader.next_message(5)
        si.check(registered is not None and first_line(registered) == "SIP/2.0 200 OK",
                 f"{tag}: the REGISTER got {registered and first_line(registered)}")
        register = si.messages_in(run.log_full(f"{tag}-registrar-msg.log"), r"REGISTER sip:")
        path = header_lines(register[0], "Path") if register else []
        received = f"sip:127.0.0.1:{ua_port}%3Btransport%3Dtcp"
        si.check(path == [f"Path: <sip:Outbound@127.0.0.1:{edge.port};lr;received={received}>"],
                 f"{tag}: the registrar stand-in got {path}")
        route = f"<sip:Outbound@127.0.0.1:{edge.port};lr;received={received}>"
        caller = start_caller(run, tag, edge.port, route)
        for _ in range(3):  # INVITE, ACK, BYE, each bounded
            request = reader.next_message(10)
            if request is None:
                break
            method = request.split(" ", 1)[0]
            seen.append(method)
            if method != "ACK":
                ua.sendall(reply_to(request, 200, "OK", "nat-callee"))
        try:
            caller.wait(timeout=15)
        except Exception:
            si.stop(caller)
        stats = run.read_stats(run.dir / f"{tag}-caller-stat.csv")
    si.stop(registrar)
    stop_proxy(run, edge)
    si.expect_clean_calls(stats, 1, run, name=f"{tag}-caller")
    si.check(seen == ["INVITE", "ACK", "BYE"], f"{tag}: the UA's connection carried {seen}")
    return seen


def start_caller(run, tag, edge_port, route):
    """The path-routed-uac.xml caller over UDP, in the background (the test plays the UA)."""
    name = f"{tag}-caller"
    command = [run.args.sipp, "-sf", scenario("path-routed-uac.xml"), "-key", "route", route,
               "-key", "contact", f"sip:alice@10.0.0.2:{si.free_port()};transport=tcp", f"127.0.0.1:{edge_port}",
               "-t", "u1", "-i", "127.0.0.1", "-p", str(si.free_port()), "-mp", str(si.free_media_port()),
               "-m", "1", "-nostdin", "-trace_stat", "-stf", str(run.dir / f"{name}-stat.csv"), "-fd", "1",
               "-trace_msg", "-message_file", str(run.dir / f"{name}-msg.log"),
               "-trace_err", "-error_file", str(run.dir / f"{name}-err.log"), "-timeout", "20s", "-timeout_error"]
    return si.start(command, run.dir / f"{name}.out")


def case_use_received_tcp(run):
    results = {engine: call_over_registered_connection(run, engine) for engine in engines(run)}
    if "kamailio" in results:
        si.check(results["kamailio"] == results["kamc"], f"kamc {results['kamc']}, kamailio {results['kamailio']}")


# ---- precheck: a retransmission while the first copy is still being routed ------------------

def invite_bytes(sender_port, uas_port, hold):
    """The same INVITE from every sender (the Via names the first sender, with rport, so a
    reply goes to whoever sent the copy)."""
    return (f"INVITE sip:callee@127.0.0.1:{uas_port} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.1:{sender_port};branch=z9hG4bK-precheck-1;rport\r\n"
            f"From: <sip:caller@127.0.0.1>;tag=precheck-caller\r\n"
            f"To: <sip:callee@127.0.0.1:{uas_port}>\r\n"
            f"Call-ID: precheck-1@127.0.0.1\r\nCSeq: 1 INVITE\r\n"
            f"Contact: <sip:caller@127.0.0.1:{sender_port}>\r\nMax-Forwards: 70\r\n"
            + ("X-Hold: 1\r\n" if hold else "") + "Content-Length: 0\r\n\r\n").encode()


def ack_bytes(sender_port, uas_port, to_header):
    """The ACK for the 486 (same branch: it belongs to the INVITE transaction)."""
    return (f"ACK sip:callee@127.0.0.1:{uas_port} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.1:{sender_port};branch=z9hG4bK-precheck-1;rport\r\n"
            f"From: <sip:caller@127.0.0.1>;tag=precheck-caller\r\n{to_header}\r\n"
            f"Call-ID: precheck-1@127.0.0.1\r\nCSeq: 1 ACK\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n").encode()


def replies_within(sock, seconds):
    found = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            found.append(sock.recv(65535).decode(errors="replace"))
        except socket.timeout:
            break
    return found


def first_line(message):
    return message.split("\r\n", 1)[0]


def precheck_run(run, engine):
    """The first copy (X-Hold) spins in request_route for 1-2 s; meanwhile copies come from
    other ports until one reaches the other worker (kamc's workers each read their own
    socket, hashed by source port; kamailio's share one). Returns what the copies saw."""
    tag = f"{engine}-precheck"
    uas, uas_port = run.start_uas(["-sf", scenario("tm-uas-busy.xml")], name=f"{tag}-callee")
    proxy = start_proxy(run, engine, f"{tag}-proxy", "precheck")
    sockets = []
    try:
        first = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sockets.append(first)
        first.bind(("127.0.0.1", 0))
        first_port = first.getsockname()[1]
        first.sendto(invite_bytes(first_port, uas_port, hold=True), ("127.0.0.1", proxy.port))
        # Copies go only once the first is in its spin, so that none can be routed first.
        si.wait_until(lambda: "precheck.cfg: holding precheck-1@127.0.0.1" in run.log_full(proxy.name + ".log"), 5,
                      f"{tag}: the first copy to be held")
        matched = None
        for copies in range(1, 13):  # bounded: 12 copies from 12 ports, 0.1 s apart, inside the hold
            copy = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sockets.append(copy)
            copy.bind(("127.0.0.1", 0))
            copy.sendto(invite_bytes(first_port, uas_port, hold=False), ("127.0.0.1", proxy.port))
            replies = replies_within(copy, 0.1)
            if any(first_line(r) == "SIP/2.0 500 Being Handled Elsewhere" for r in replies):
                matched = copy
                print(f"{tag}: copy {copies} was reported as being handled elsewhere")
                break
        si.check(matched is not None, f"{tag}: no copy was reported as being handled elsewhere:\n"
                                      f"{run.log(proxy.name + '.log')}")
        final = [r for r in replies_within(first, 5) if re.match(r"SIP/2\.0 [2-6]\d\d ", r)]
        si.check(final and first_line(final[0]) == "SIP/2.0 486 Busy Here",
                 f"{tag}: the first copy's caller got {[first_line(r) for r in final]}")
        # Once the first copy left request_route its identity is gone: the caller's own
        # retransmission now is an ordinary one, which t_check_trans() answers with the 486.
        replies_within(first, 0.3)  # the 486 again for the copies the busy worker absorbed
        first.sendto(invite_bytes(first_port, uas_port, hold=False), ("127.0.0.1", proxy.port))
        late_replies = [first_line(r) for r in replies_within(first, 1.0)]
        si.check("SIP/2.0 486 Busy Here" in late_replies and "SIP/2.0 500 Being Handled Elsewhere" not in late_replies,
                 f"{tag}: a retransmission after the first copy was routed got {late_replies}")
        to_header = re.search(r"^To: .*$", final[0], flags=re.M | re.I).group(0)
        first.sendto(ack_bytes(first_port, uas_port, to_header), ("127.0.0.1", proxy.port))
    finally:
        for sock in sockets:
            sock.close()
    time.sleep(0.6)  # the callee's ACK and timewait
    si.stop(uas)
    stop_proxy(run, proxy)
    invites = si.messages_in(run.log_full(f"{tag}-callee-msg.log"), r"INVITE sip:")
    si.check(len(invites) == 1, f"{tag}: the callee saw {len(invites)} INVITEs")
    return "one INVITE relayed, a copy reported by t_precheck_trans(), a later retransmission absorbed"


def case_precheck(run):
    results = {engine: precheck_run(run, engine) for engine in engines(run)}
    print(results)


CASES = {
    "path_register_udp": lambda run: case_register(run, "u1"),
    "path_register_tcp": lambda run: case_register(run, "t1"),
    "path_register_r2_tcp": case_register_r2,
    "path_use_received": case_use_received,
    "path_use_received_tcp": case_use_received_tcp,
    "tmx_precheck": case_precheck,
}


if __name__ == "__main__":
    sys.exit(si.run_case_main(CASES))
