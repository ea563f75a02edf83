#!/usr/bin/env python3
"""Integration tests of the kamc SIP runtime with real SIPp on loopback.

One case per invocation:  sip_integration.py CASE --kamc PATH [--sipp PATH] [--sanitized-reply-only PATH]
The proxy under test is a config of cfg/ served by `kamc run`.
Every process is started in its own process group and killed by that group on every
exit path (normal end, failure, exception, SIGTERM/SIGINT from ctest). Ports are free
ports chosen at run time, never 5060-5062 or 5070. Every wait is bounded.
"""
import argparse
import csv
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

RESERVED_PORTS = {5060, 5061, 5062, 5070}
HERE = Path(__file__).resolve().parent
CFG = HERE / "cfg"
CORPUS = HERE.parents[2].parent / "shared" / "corpus"

_processes = []  # every Popen we started, killed by process group at exit


class TestFailure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise TestFailure(message)


# ---- processes ------------------------------------------------------------------------

def start(args, log_path, env=None):
    log = open(log_path, "wb")
    process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               start_new_session=True, env=env)
    _processes.append(process)
    return process


def stop(process, grace=5.0):
    """SIGTERM to the process group, SIGKILL after `grace` seconds; returns the exit code."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=grace)
    return process.returncode


def stop_all():
    for process in _processes:
        try:
            stop(process, grace=2.0)
        except Exception:  # keep stopping the others
            pass


def on_signal(signum, _frame):
    stop_all()
    sys.exit(128 + signum)


# ---- ports and readiness ----------------------------------------------------------------

def free_port():
    """A port free for both UDP and TCP on 127.0.0.1 (the runtime listens on both)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind(("127.0.0.1", 0))
            port = tcp.getsockname()[1]
            if port in RESERVED_PORTS:
                continue
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                try:
                    udp.bind(("127.0.0.1", port))
                except OSError:
                    continue
            return port
    raise TestFailure("no free port found")


def free_media_port():
    """SIPp's -mp: it binds that UDP port and the port 2 above it. Linux hands out odd
    ports for bind(0) (free_port), so an even pair cannot be another test's SIP port."""
    for _ in range(50):
        port = free_port() + 1
        if port + 2 < 65536 and port not in RESERVED_PORTS and not port_is_bound(port, socket.SOCK_DGRAM) \
                and not port_is_bound(port + 2, socket.SOCK_DGRAM):
            return port
    raise TestFailure("no free media port pair found")


def port_is_bound(port, kind):
    with socket.socket(socket.AF_INET, kind) as probe:
        try:
            probe.bind(("127.0.0.1", port))
            return False
        except OSError:
            return True


def start_keeping_port(launch, log_text, port, keep_port=False, attempts=3):
    """Starts a server with launch(port), which returns its process once it answers or
    exits; returns (process, port). A port free when picked may be taken by a parallel
    test's socket before the server binds it (kamc run and kamc -o compile first): then
    the server exits with "Address already in use" and is started again on another free
    port, unless the caller needs `port` itself (keep_port)."""
    for attempt in range(attempts):
        process = launch(port)
        lost_port = process.poll() is not None and "Address already in use" in log_text()
        if not lost_port or keep_port or attempt == attempts - 1:
            return process, port
        port = free_port()


def wait_until(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise TestFailure(f"timed out after {timeout}s waiting for {what}")


# ---- SIP over python sockets ------------------------------------------------------------

def sip_request(method, ruri, via_port, transport="UDP", max_forwards=70, call_id="probe", extra=""):
    return (f"{method} {ruri} SIP/2.0\r\n"
            f"Via: SIP/2.0/{transport} 127.0.0.1:{via_port};branch=z9hG4bK-{call_id};rport\r\n"
            f"From: <sip:tester@127.0.0.1>;tag=t-{call_id}\r\n"
            f"To: <{ruri}>\r\n"
            f"Call-ID: {call_id}\r\n"
            f"CSeq: 1 {method}\r\n"
            f"Max-Forwards: {max_forwards}\r\n"
            f"{extra}"
            f"Content-Length: 0\r\n\r\n").encode()


def udp_exchange(port, payload, timeout=1.0):
    """Sends one datagram; returns the first reply or None."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(timeout)
        if callable(payload):
            payload = payload(sock.getsockname()[1])
        sock.sendto(payload, ("127.0.0.1", port))
        try:
            return sock.recv(65535).decode(errors="replace")
        except socket.timeout:
            return None


def status_code(reply):
    match = re.match(r"SIP/2\.0 (\d{3}) ", reply or "")
    return int(match.group(1)) if match else None


def options_status(port, call_id="probe"):
    reply = udp_exchange(port, lambda p: sip_request("OPTIONS", f"sip:127.0.0.1:{port}", p, call_id=call_id))
    return status_code(reply)


# ---- the runtime and SIPp -----------------------------------------------------------------

class Run:
    def __init__(self, args):
        self.args = args
        self.dir = Path(tempfile.mkdtemp(prefix="kamc-rt-it-"))

    def start_runtime(self, cfg="stateless-proxy", defines=(), children=2, extra=(), proxy=None, env=None,
                      listen=("udp:127.0.0.1:{port}", "tcp:127.0.0.1:{port}")):
        """Serves cfg/CFG.cfg with `kamc run` (-A for each define), or runs `proxy`, an
        executable built from a config, with the same flags, on a free port (another one
        when a parallel test took it first)."""
        pid_file = self.dir / "runtime.pid"
        define_args = [arg for define in defines for arg in ("-A", define)]
        program = [proxy] if proxy else [self.args.kamc, "run", str(CFG / f"{cfg}.cfg"), *define_args]

        def launch(port):
            listen_args = [arg for value in listen for arg in ("-l", value.format(port=port))]
            command = [*program, "-D", "-E", "-n", str(children), "-P", str(pid_file), *listen_args, *extra]
            process = start(command, self.dir / "runtime.log", env=env)
            wait_until(lambda: process.poll() is not None or options_status(port) is not None, 10,
                       "the runtime to answer")
            return process

        process, port = start_keeping_port(launch, lambda: self.log_full("runtime.log"), free_port())
        check(process.poll() is None, f"runtime exited at start-up: {self.log('runtime.log')}")
        return process, port

    def start_kamailio(self, cfg, defines=()):
        """Serves cfg/CFG.cfg with the real kamailio (the oracle) on UDP and TCP of a free
        port, -A for each define."""
        port = free_port()
        define_args = [arg for define in defines for arg in ("-A", define)]
        command = [self.args.kamailio, "-DD", "-E", "-m", "64", "-M", "8", "-f", str(CFG / f"{cfg}.cfg"),
                   "-l", f"udp:127.0.0.1:{port}", "-l", f"tcp:127.0.0.1:{port}", *define_args,
                   "-Y", str(self.dir), "-P", str(self.dir / "kamailio.pid")]
        process = start(command, self.dir / "kamailio.log")
        wait_until(lambda: process.poll() is not None or options_status(port) is not None, 20, "kamailio to answer")
        check(process.poll() is None, f"kamailio exited at start-up: {self.log('kamailio.log')}")
        return process, port

    def start_uas(self, scenario_args, transport="u1", name="uas"):
        port = free_port()
        command = [self.args.sipp, *scenario_args, "-t", transport, "-i", "127.0.0.1", "-p", str(port),
                   "-mp", str(free_media_port()), "-nostdin", "-trace_msg", "-message_file", str(self.dir / f"{name}-msg.log"),
                   "-trace_err", "-error_file", str(self.dir / f"{name}-err.log")]
        process = start(command, self.dir / f"{name}.out")
        kind = socket.SOCK_DGRAM if transport == "u1" else socket.SOCK_STREAM
        wait_until(lambda: process.poll() is not None or port_is_bound(port, kind), 10, "SIPp UAS to bind")
        check(process.poll() is None, f"SIPp UAS exited: {self.log(name + '.out')}")
        return process, port

    def run_uac(self, scenario_args, remote, proxy_port, calls, transport="u1", rate=20, name="uac"):
        """Runs a bounded SIPp UAC through the runtime; returns its final statistics."""
        stat_file = self.dir / f"{name}-stat.csv"
        command = [self.args.sipp, *scenario_args, remote, "-rsa", f"127.0.0.1:{proxy_port}", "-t", transport,
                   "-i", "127.0.0.1", "-p", str(free_port()), "-mp", str(free_media_port()), "-m", str(calls),
                   "-r", str(rate), "-nostdin", "-trace_stat", "-stf", str(stat_file), "-fd", "1",
                   "-trace_msg", "-message_file", str(self.dir / f"{name}-msg.log"),
                   "-trace_err", "-error_file", str(self.dir / f"{name}-err.log"),
                   "-timeout", "30s", "-timeout_error"]
        process = start(command, self.dir / f"{name}.out")
        try:
            process.wait(timeout=calls / rate + 30)
        except subprocess.TimeoutExpired:
            stop(process)
            raise TestFailure(f"SIPp UAC did not finish in time: {self.log(name + '-err.log')}")
        return self.read_stats(stat_file)

    @staticmethod
    def read_stats(path):
        rows = list(csv.reader(open(path), delimiter=";")) if path.exists() else []
        check(len(rows) >= 2, f"no SIPp statistics in {path}")
        return dict(zip(rows[0], rows[-1]))

    def log(self, name):
        path = self.dir / name
        return path.read_text(errors="replace")[-3000:] if path.exists() else "(no log)"

    def log_full(self, name):
        path = self.dir / name
        return path.read_text(errors="replace") if path.exists() else ""

    def uac_transport_scenario(self):
        """SIPp's built-in uac with ;transport=[transport] in its Request-URIs: a TCP UA
        says so in the URI, since a proxy forwards to a URI without it over UDP."""
        builtin = subprocess.run([self.args.sipp, "-sd", "uac"], capture_output=True, text=True, timeout=10).stdout
        check("INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0" in builtin, "unexpected sipp -sd uac output")
        path = self.dir / "uac-transport.xml"
        path.write_text(builtin.replace("@[remote_ip]:[remote_port] SIP/2.0",
                                        "@[remote_ip]:[remote_port];transport=[transport] SIP/2.0"))
        return path


def expect_clean_calls(stats, calls, run, name="uac"):
    ok = stats.get("SuccessfulCall(C)") == str(calls) and stats.get("FailedCall(C)") == "0"
    check(ok, f"expected {calls} successful and 0 failed calls, got successful={stats.get('SuccessfulCall(C)')} "
              f"failed={stats.get('FailedCall(C)')}\n{run.log(name + '-err.log')}\nruntime log:\n{run.log('runtime.log')}")


def expect_clean_shutdown(run, runtime):
    code = stop(runtime)
    check(code == 0, f"runtime exited with {code} on SIGTERM:\n{run.log('runtime.log')}")
    check(not (run.dir / "runtime.pid").exists(), "the pid file was not removed on shutdown")


# ---- cases -------------------------------------------------------------------------------

def case_options(run):
    runtime, port = run.start_runtime()
    scenario = HERE / "sipp" / "options.xml"
    stats = run.run_uac(["-sf", str(scenario)], f"127.0.0.1:{port}", port, calls=5, rate=10)
    expect_clean_calls(stats, 5, run)
    check("SIP/2.0 200 Keepalive" in run.log("uac-msg.log"), "the 200 did not come from sl_send_reply's reason")
    expect_clean_shutdown(run, runtime)


def case_max_forwards_zero(run):
    runtime, port = run.start_runtime()
    reply = udp_exchange(port, lambda p: sip_request("INVITE", "sip:bob@127.0.0.1:1", p, max_forwards=0, call_id="mf0"))
    check(status_code(reply) == 483, f"expected 483 for Max-Forwards: 0, got: {reply}")
    reply = udp_exchange(port, lambda p: sip_request("OPTIONS", f"sip:127.0.0.1:{port}", p, max_forwards=0, call_id="mf0b"))
    check(status_code(reply) == 483, f"expected 483 for an OPTIONS with Max-Forwards: 0, got: {reply}")
    expect_clean_shutdown(run, runtime)


def relay(run, transport):
    runtime, port = run.start_runtime()
    _uas, uas_port = run.start_uas(["-sn", "uas"], transport=transport)
    scenario = ["-sn", "uac"] if transport == "u1" else ["-sf", str(run.uac_transport_scenario())]
    stats = run.run_uac(scenario, f"127.0.0.1:{uas_port}", port, calls=50, transport=transport, rate=25)
    expect_clean_calls(stats, 50, run)
    check(stats.get("Retransmissions(C)") == "0", f"UAC had to retransmit: {stats.get('Retransmissions(C)')}")
    expect_clean_shutdown(run, runtime)


def case_relay_udp(run):
    relay(run, "u1")


def case_relay_tcp(run):
    relay(run, "t1")


def messages_in(log_text, start_line_pattern):
    """The SIP messages of a SIPp -trace_msg log whose start line matches the pattern."""
    found = []
    for block in re.split(r"^-{20,}.*$", log_text, flags=re.M):
        lines = block.splitlines()
        for i, line in enumerate(lines):
            if re.match(start_line_pattern, line.strip()):
                found.append("\n".join(lines[i:]))
                break
    return found


def case_record_route(run):
    runtime, port = run.start_runtime()
    _uas, uas_port = run.start_uas(["-sf", str(HERE / "sipp" / "uas-rr.xml")])
    stats = run.run_uac(["-sf", str(HERE / "sipp" / "uac-rr.xml")], f"127.0.0.1:{uas_port}", port, calls=10, rate=10)
    expect_clean_calls(stats, 10, run)
    our_rr = f"Record-Route: <sip:127.0.0.1:{port};lr;ftag="  # rr's append_fromtag is on by default
    uas_log = run.log_full("uas-msg.log")
    invites = messages_in(uas_log, r"INVITE sip:")
    byes = messages_in(uas_log, r"BYE sip:")
    check(invites and all(our_rr in m for m in invites), f"INVITEs at the UAS lack '{our_rr}'")
    check(len(byes) >= 10, f"expected 10 BYEs at the UAS, found {len(byes)}")
    check(all("\nRoute:" not in m for m in byes), "a BYE reached the UAS with the proxy's Route header still in it")
    uac_byes = messages_in(run.log_full("uac-msg.log"), r"BYE sip:")
    check(uac_byes and all(f"Route: <sip:127.0.0.1:{port};lr;ftag=" in m for m in uac_byes),
          "the UAC's BYEs did not carry the proxy's Route (the test would not prove loose routing)")
    expect_clean_shutdown(run, runtime)


def case_double_record_route(run):
    """UDP in, TCP out: rr's double Record-Route (enable_double_rr's default). The INVITE
    reaches the TCP UAS with two Record-Routes, the sending socket's first, both ;r2=on; the
    UAC's ACK and BYE come back over UDP with both as Route, and loose_route removes both
    before the BYE goes to the UAS over TCP."""
    runtime, port = run.start_runtime()
    _uas, uas_port = run.start_uas(["-sf", str(HERE / "sipp" / "uas-rr.xml")], transport="t1")
    uac = run.dir / "uac-rr-to-tcp.xml"
    uac.write_text((HERE / "sipp" / "uac-rr.xml").read_text().replace(
        "INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0",
        "INVITE sip:[service]@[remote_ip]:[remote_port];transport=tcp SIP/2.0"))
    stats = run.run_uac(["-sf", str(uac)], f"127.0.0.1:{uas_port}", port, calls=10, rate=10)
    expect_clean_calls(stats, 10, run)
    outbound = f"<sip:127.0.0.1:{port};transport=tcp;r2=on;lr;ftag="
    inbound = f"<sip:127.0.0.1:{port};r2=on;lr;ftag="
    uas_log = run.log_full("uas-msg.log")
    invites = messages_in(uas_log, r"INVITE sip:")
    check(invites, "no INVITE reached the UAS")
    for invite in invites:
        check(0 <= invite.find(outbound) < invite.find(inbound),
              f"the INVITE at the UAS lacks '{outbound}' followed by '{inbound}':\n{invite}")
    uac_byes = messages_in(run.log_full("uac-msg.log"), r"BYE sip:")
    check(uac_byes and all(outbound in m and inbound in m for m in uac_byes),
          "the UAC's BYEs did not carry both of the proxy's Routes")
    byes = messages_in(uas_log, r"BYE sip:")
    check(len(byes) >= 10, f"expected 10 BYEs at the UAS over TCP, found {len(byes)}")
    check(all("\nRoute:" not in m for m in byes), "a BYE reached the UAS with one of the proxy's Routes left")
    expect_clean_shutdown(run, runtime)


def case_advertise(run):
    """A proxy behind NAT: `-l udp:127.0.0.1:PORT/192.0.2.7:5999` (kamailio's -l form of
    listen's advertise). The UAS sees the advertised address in our Via and Record-Route;
    its replies (top Via 192.0.2.7:5999) and the UAC's ACK and BYE (Route to 192.0.2.7:5999)
    are recognised as ours, so the calls complete."""
    advertised = "192.0.2.7:5999"
    runtime, port = run.start_runtime(listen=(f"udp:127.0.0.1:{{port}}/{advertised}",))
    _uas, uas_port = run.start_uas(["-sf", str(HERE / "sipp" / "uas-rr.xml")])
    stats = run.run_uac(["-sf", str(HERE / "sipp" / "uac-rr.xml")], f"127.0.0.1:{uas_port}", port, calls=10, rate=10)
    expect_clean_calls(stats, 10, run)
    uas_log = run.log_full("uas-msg.log")
    invites = messages_in(uas_log, r"INVITE sip:")
    check(invites and all(f"Via: SIP/2.0/UDP {advertised};branch=" in m for m in invites),
          f"INVITEs at the UAS lack our Via with {advertised}")
    check(all(f"Record-Route: <sip:{advertised};lr;ftag=" in m for m in invites),
          f"INVITEs at the UAS lack our Record-Route with {advertised}")
    uac_byes = messages_in(run.log_full("uac-msg.log"), r"BYE sip:")
    check(uac_byes and all(f"Route: <sip:{advertised};lr;ftag=" in m for m in uac_byes),
          "the UAC's BYEs did not carry the advertised Route")
    byes = messages_in(uas_log, r"BYE sip:")
    check(len(byes) >= 10 and all("\nRoute:" not in m for m in byes),
          "the BYEs did not reach the UAS with the advertised Route removed")
    expect_clean_shutdown(run, runtime)


class DnsResponder:
    """A minimal DNS server on a free loopback UDP port: SRV answers from `zone`, NXDOMAIN
    for other names, no answers for other types of a known name. Records every question."""

    def __init__(self, zone):
        self.zone = {name.lower(): records for name, records in zone.items()}
        self.questions = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    @staticmethod
    def name_bytes(name):
        return b"".join(bytes([len(label)]) + label.encode() for label in name.split(".") if label) + b"\0"

    def answer(self, query):
        at, labels = 12, []
        while at < len(query) and query[at]:
            labels.append(query[at + 1:at + 1 + query[at]].decode(errors="replace"))
            at += 1 + query[at]
        if at + 5 > len(query):
            return None
        qtype = struct.unpack("!H", query[at + 1:at + 3])[0]
        name = ".".join(labels).lower()
        self.questions.append(name)
        records = self.zone.get(name, []) if qtype == 33 else []
        rcode = 0 if name in self.zone else 3
        answers = b""
        for priority, weight, port, target in records:
            rdata = struct.pack("!HHH", priority, weight, port) + self.name_bytes(target)
            answers += struct.pack("!HHHIH", 0xC00C, 33, 1, 60, len(rdata)) + rdata
        header = query[:2] + struct.pack("!HHHHH", 0x8180 | rcode, 1, len(records), 0, 0)
        return header + query[12:at + 5] + answers

    def serve(self):
        while not self.stopping.is_set():
            try:
                query, peer = self.sock.recvfrom(512)
            except socket.timeout:
                continue
            reply = self.answer(query)
            if reply:
                self.sock.sendto(reply, peer)

    def stop(self):
        self.stopping.set()
        self.thread.join(timeout=2)
        self.sock.close()


def case_dns_srv(run):
    """A Request-URI host without port is looked up by SRV (RFC 3263): _sip._udp.sip.test
    points at the UAS through localhost, so calls to sip:service@sip.test reach it. The
    runtime asks the test's DNS server (KAMC_RT_DNS_NAMESERVER), never the network."""
    _uas, uas_port = run.start_uas(["-sn", "uas"])
    responder = DnsResponder({"_sip._udp.sip.test": [(10, 5, uas_port, "localhost")]})
    try:
        env = dict(os.environ, KAMC_RT_DNS_NAMESERVER=f"127.0.0.1:{responder.port}")
        runtime, port = run.start_runtime(env=env)
        builtin = subprocess.run([run.args.sipp, "-sd", "uac"], capture_output=True, text=True, timeout=10).stdout
        check("sip:[service]@[remote_ip]:[remote_port] SIP/2.0" in builtin, "unexpected sipp -sd uac output")
        scenario = run.dir / "uac-srv.xml"
        scenario.write_text(builtin.replace("sip:[service]@[remote_ip]:[remote_port] SIP/2.0",
                                            "sip:[service]@sip.test SIP/2.0"))
        stats = run.run_uac(["-sf", str(scenario)], f"127.0.0.1:{uas_port}", port, calls=10, rate=10)
        expect_clean_calls(stats, 10, run)
        check("_sip._udp.sip.test" in responder.questions,
              f"the runtime did not ask for the SRV record; questions: {responder.questions[:5]}")
        check(all(q == "_sip._udp.sip.test" for q in responder.questions),
              f"unexpected DNS questions: {sorted(set(responder.questions))}")
        expect_clean_shutdown(run, runtime)
    finally:
        responder.stop()


MALFORMED = [
    b"",
    b"\r\n\r\n",
    b"garbage that is not SIP\r\n\r\n",
    b"\x00\xff\xfe\x00" * 64,
    b"INVITE sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK1\r\n",  # no blank line
    b"INVITE  sip:bob@127.0.0.1  SIP/2.0\r\n\r\n",
    b"INVITE sip:bob@127.0.0.1 SIP/7.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9\r\n\r\n",
    b"SIP/2.0 999 Nope\r\n\r\n",
    b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK1\r\n\r\n",  # reply not through us
    b"OPTIONS sip:x SIP/2.0\r\nContent-Length: 99999999999999999999\r\n\r\n",
    b"OPTIONS sip:x SIP/2.0\r\n" + b"X-Long: " + b"a" * 60000 + b"\r\n\r\n",
    b"OPTIONS sip:x SIP/2.0\r\n" + b"Via: SIP/2.0/UDP h;branch=b\r\n" * 2000 + b"\r\n",
]


def malformed_with_reply(via_port):
    """Well framed, with a usable Via, but a broken From: must be answered 400."""
    return sip_request("OPTIONS", "sip:127.0.0.1", via_port, call_id="bad-from").replace(
        b"From: <sip:tester@127.0.0.1>", b"From: <sip:tester@127.0.0.1")


def case_malformed(run):
    # reply-only answers every valid request itself, so torture messages that happen to
    # be valid are never forwarded off the box. The same config built with the sanitized
    # runtime (tests/runtime/CMakeLists.txt) catches memory errors.
    runtime, port = run.start_runtime(cfg="reply-only", proxy=run.args.sanitized_reply_only)
    reply = udp_exchange(port, malformed_with_reply)
    check(status_code(reply) == 400, f"expected 400 for a broken From header, got: {reply}")
    for payload in MALFORMED:
        reply = udp_exchange(port, payload, timeout=0.2)
        check(reply is None or status_code(reply) in (400, 505), f"unexpected reply {reply!r} to {payload[:60]!r}")
    corpus_files = sorted((CORPUS / "rfc4475").glob("*.dat")) + sorted((CORPUS / "rfc5118").glob("*.dat"))
    check(len(corpus_files) >= 50, f"torture corpus not found under {CORPUS}")
    for path in corpus_files:
        udp_exchange(port, path.read_bytes(), timeout=0.1)
    with socket.create_connection(("127.0.0.1", port), timeout=2) as stream:
        stream.sendall(b"NOT SIP AT ALL\r\nfoo\r\n\r\n")  # no Content-Length: the stream is closed
        stream.settimeout(2)
        try:
            leftover = stream.recv(100)
        except (socket.timeout, ConnectionResetError):
            leftover = b"timeout"
        check(leftover in (b"", b"timeout") or leftover.startswith(b"SIP/2.0 400"),
              f"unexpected answer on a broken stream: {leftover!r}")
    check(runtime.poll() is None, f"runtime died on malformed input:\n{run.log('runtime.log')}")
    check(options_status(port, call_id="after") == 200, "the runtime no longer answers OPTIONS after malformed input")
    expect_clean_shutdown(run, runtime)


def case_tcp_idle_timeout(run):
    runtime, port = run.start_runtime(extra=["--tcp-idle-timeout=1"])
    with socket.create_connection(("127.0.0.1", port), timeout=2) as stream:
        stream.sendall(sip_request("OPTIONS", f"sip:127.0.0.1:{port}", stream.getsockname()[1], transport="TCP"))
        stream.settimeout(2)
        check(status_code(stream.recv(4096).decode(errors="replace")) == 200, "no 200 over TCP")
        stream.settimeout(5)
        started = time.monotonic()
        closed = stream.recv(100)
        check(closed == b"" and time.monotonic() - started < 4.5, "the idle connection was not closed by the runtime")
    expect_clean_shutdown(run, runtime)


def case_log_prefix(run):
    """log_prefix is printed, with the message's own values, only in lines logged for a
    message (Kamailio's behaviour); start-up lines carry none."""
    runtime, port = run.start_runtime(cfg="log-prefix")
    for call_id in ("prefix-1", "prefix-2"):
        reply = udp_exchange(port, lambda p, c=call_id: sip_request("OPTIONS", f"sip:alice@127.0.0.1:{port}", p,
                                                                     call_id=c))
        check(status_code(reply) == 200, f"no 200 for {call_id}: {reply!r}")
    expect_clean_shutdown(run, runtime)
    log = run.log_full("runtime.log")
    for call_id in ("prefix-1", "prefix-2"):
        check(re.search(rf"INFO: \{{OPTIONS {call_id}\}} .*seen alice", log),
              f"no prefixed xlog line for {call_id}:\n{log[-2000:]}")
    startup = [line for line in log.splitlines() if "listening on" in line]
    check(startup and all("{" not in line for line in startup), f"a start-up line carries the prefix: {startup}")


def run_case_main(cases, prepare_args=None, add_arguments=None):
    """The main() of the runtime's integration scripts: CASE --kamc PATH [--sipp PATH]
    [--kamailio PATH], and what add_arguments adds. Logs are kept only when the case
    fails."""
    parser = argparse.ArgumentParser()
    parser.add_argument("case", choices=sorted(cases))
    parser.add_argument("--kamc", required=True)
    parser.add_argument("--sipp", default="/usr/bin/sipp")
    parser.add_argument("--kamailio")
    if add_arguments:
        add_arguments(parser)
    args = parser.parse_args()
    if not hasattr(args, "sanitized_reply_only"):
        args.sanitized_reply_only = None
    if prepare_args:
        prepare_args(args)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    run = Run(args)
    cwd = os.getcwd()
    try:
        cases[args.case](run)
    except TestFailure as failure:
        print(f"FAIL {args.case}: {failure}\n(logs in {run.dir})", file=sys.stderr)
        return 1
    finally:
        stop_all()
        os.chdir(cwd)  # a case may change directory
    shutil.rmtree(run.dir, ignore_errors=True)
    print(f"PASS {args.case}")
    return 0


CASES = {
    "options": case_options,
    "max_forwards_zero": case_max_forwards_zero,
    "relay_udp": case_relay_udp,
    "relay_tcp": case_relay_tcp,
    "record_route": case_record_route,
    "double_record_route": case_double_record_route,
    "advertise": case_advertise,
    "dns_srv": case_dns_srv,
    "malformed": case_malformed,
    "tcp_idle_timeout": case_tcp_idle_timeout,
    "log_prefix": case_log_prefix,
}


def sanitized_reply_only_argument(parser):
    parser.add_argument("--sanitized-reply-only", help="cfg/reply-only.cfg built with the sanitized runtime")


if __name__ == "__main__":
    sys.exit(run_case_main(CASES, add_arguments=sanitized_reply_only_argument))
