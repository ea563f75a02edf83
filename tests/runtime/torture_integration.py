#!/usr/bin/env python3
"""RFC 4475 and RFC 5118 messages whose treatment could depend on the transport, over UDP and TCP,
under `kamc run` and, where given, the real kamailio (issue 18).

    torture_integration.py CASE --kamc PATH [--kamailio PATH]

- wsinv (3.1.1.1, valid: leading-zero CSeq number, method on a folded line) is accepted
  over both transports, with and without sanity_check. Kamailio 5.6 drops it (its CSeq
  parser does not unfold): kamc does better on purpose, so kamailio is not compared.
- dblreq, ipv4-mapped-ipv6, ipv6-in-sdp, mult-ip-in-sdp carry a Content-Length that does
  not match the datagram's remaining octets. RFC 3261 18.3: over UDP the octets past
  Content-Length are discarded, so the core accepts them on both transports. sanity's
  Content-Length check (part of the default cfg's "17895") is stricter, and only over
  UDP, as Kamailio's: 400 Content-Length mis-match on UDP, 200 on TCP. kamailio must give
  the same status on each transport.
- shutdown_under_tcp_load: SIGTERM with 2,000 TCP connections open (half of them in the
  middle of a message) stops the runtime within 1 s.
- tcp_connections_per_source: past --tcp-max-connections-per-source, a new connection from
  that address is closed at once; its open ones and other addresses are still served.
- tcp_connections_total: past tcp_max_connections, every new connection is closed at once.
Several sources on loopback: client sockets bound to 127.0.0.2, 127.0.0.3, ...
"""
import resource
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "integration"))
import sip_integration as si  # noqa: E402


def torture_file(name):
    """RFC 4475's messages, then RFC 5118's (the IPv6 ones)."""
    for directory in ("rfc4475", "rfc5118"):
        path = si.CORPUS / directory / f"{name}.dat"
        if path.exists():
            return path
    raise si.TestFailure(f"{name}.dat not found under {si.CORPUS}")

KAMC_ONLY = ["wsinv"]
LENGTH_MISMATCH = ["dblreq", "ipv4-mapped-ipv6", "ipv6-in-sdp", "mult-ip-in-sdp"]


def first_line(reply):
    return reply.split("\r\n", 1)[0] if reply else None


def over_udp(port, payload):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(1.0)
        sock.sendto(payload, ("127.0.0.1", port))
        try:
            return sock.recv(65535).decode(errors="replace")
        except socket.timeout:
            return None


def over_tcp(port, payload):
    with socket.create_connection(("127.0.0.1", port), timeout=2) as stream:
        stream.settimeout(1.0)
        stream.sendall(payload)
        try:
            return stream.recv(65535).decode(errors="replace") or None
        except (socket.timeout, ConnectionResetError):
            return None


def observe(port, names):
    """{(name, transport): first line of the reply or None}."""
    seen = {}
    for name in names:
        payload = torture_file(name).read_bytes()
        seen[(name, "udp")] = first_line(over_udp(port, payload))
        seen[(name, "tcp")] = first_line(over_tcp(port, payload))
    return seen


def run_case(run, defines, expected):
    process, port = run.start_runtime(cfg="torture", defines=defines)
    ours = observe(port, KAMC_ONLY + LENGTH_MISMATCH)
    for key, line in expected.items():
        si.check(ours[key] == line, f"{key}: kamc answered {ours[key]!r}, expected {line!r}")
    si.check(process.poll() is None, f"kamc died:\n{run.log('runtime.log')}")
    if not run.args.kamailio:
        print("note: no --kamailio, the comparison was skipped")
        return
    _, kamailio_port = run.start_kamailio("torture", defines)
    theirs = observe(kamailio_port, LENGTH_MISMATCH)
    for key, line in theirs.items():
        si.check(ours[key] == line, f"{key}: kamc answered {ours[key]!r}, kamailio {line!r}")


def case_with_sanity(run):
    expected = {(name, "udp"): "SIP/2.0 400 Content-Length mis-match" for name in LENGTH_MISMATCH}
    expected.update({(name, "tcp"): "SIP/2.0 200 OK" for name in LENGTH_MISMATCH})
    expected.update({("wsinv", t): "SIP/2.0 200 OK" for t in ("udp", "tcp")})
    run_case(run, ["WITH_SANITY"], expected)


def case_core_only(run):
    expected = {(name, t): "SIP/2.0 200 OK" for name in KAMC_ONLY + LENGTH_MISMATCH for t in ("udp", "tcp")}
    run_case(run, [], expected)


def case_shutdown_under_tcp_load(run):
    """SIGTERM to a runtime holding 2,000 open TCP connections ends it within 1 s."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 2000
    limit = min(hard, 8192) if hard != resource.RLIM_INFINITY else 8192
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, limit), hard))  # kamc inherits it
    si.check(limit > wanted + 200, f"the open-file limit ({limit}) is too low for {wanted} connections")
    process, port = run.start_runtime(cfg="torture")
    streams = []
    try:
        # From four addresses: one may hold only half of the default tcp_max_connections (2048).
        for i in range(wanted):
            streams.append(connect_from(f"127.0.0.{2 + i % 4}", port))
        half = [s for i, s in enumerate(streams) if i % 2 == 0]
        for stream in half:  # half of them mid-message: a request without its end
            stream.sendall(b"OPTIONS sip:x SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bK1\r\n")
        si.check(si.options_status(port) == 200, "the runtime stopped answering with the connections open")
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            raise si.TestFailure("the runtime did not stop within 10 s of SIGTERM")
        elapsed = time.monotonic() - started
        si.check(elapsed < 1.0, f"shutdown took {elapsed:.2f} s with {wanted} TCP connections")
        si.check(process.returncode == 0, f"exit status {process.returncode}:\n{run.log('runtime.log')}")
        print(f"stopped in {elapsed:.3f} s with {wanted} TCP connections open")
    finally:
        for stream in streams:
            stream.close()


def case_oversized_stream_message(run):
    """A message on a TCP stream that grows past 64 KB without ending its headers gets
    its connection closed; the runtime goes on serving."""
    process, port = run.start_runtime(cfg="torture")
    with socket.create_connection(("127.0.0.1", port), timeout=2) as stream:
        stream.sendall(b"OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nX-Long: " + b"a" * 70000)
        stream.settimeout(3)
        try:
            leftover = stream.recv(100)
        except socket.timeout:
            raise si.TestFailure("the connection stayed open past the 64 KB message limit")
        except ConnectionResetError:
            leftover = b""
    si.check(leftover == b"", f"expected the connection closed, got {leftover!r}")
    si.check(si.options_status(port) == 200, "the runtime stopped answering after an oversized message")
    si.check(process.poll() is None, f"the runtime died:\n{run.log('runtime.log')}")


def connect_from(source_ip, port):
    return socket.create_connection(("127.0.0.1", port), timeout=2, source_address=(source_ip, 0))


def options_over(stream, port, call_id):
    """The status of an OPTIONS sent on an open TCP connection; None when the runtime
    closed the connection without an answer."""
    request = si.sip_request("OPTIONS", f"sip:127.0.0.1:{port}", stream.getsockname()[1], transport="TCP",
                             call_id=call_id)
    stream.settimeout(2)
    try:
        stream.sendall(request)
        return si.status_code(stream.recv(65535).decode(errors="replace"))
    except (socket.timeout, ConnectionResetError, BrokenPipeError):
        return None


def open_answered(source_ip, port, count, label):
    """`count` connections from `source_ip`, each one answered before the next is opened
    (so the runtime has counted it: workers accept in parallel)."""
    streams = []
    for i in range(count):
        stream = connect_from(source_ip, port)
        streams.append(stream)
        si.check(options_over(stream, port, f"{label}-{i}") == 200,
                 f"connection {i + 1} of {count} from {source_ip} was not answered")
    return streams


def expect_refused(source_ip, port, label):
    with connect_from(source_ip, port) as stream:
        status = options_over(stream, port, label)
    si.check(status is None, f"a connection from {source_ip} past the limit was answered {status}")


def case_tcp_connections_per_source(run):
    """One address may hold `limit` TCP connections: the next ones are closed at once,
    while its open connections and another address are still served, and a closed
    connection frees its place."""
    limit = 4
    process, port = run.start_runtime(cfg="torture", extra=[f"--tcp-max-connections-per-source={limit}"])
    held = open_answered("127.0.0.2", port, limit, "held")
    try:
        for i in range(3):
            expect_refused("127.0.0.2", port, f"excess-{i}")
        with connect_from("127.0.0.3", port) as other:
            si.check(options_over(other, port, "other-source") == 200, "another source was not served")
        si.check(options_over(held[0], port, "held-again") == 200, "an open connection stopped being served")
        log = run.log_full("runtime.log")
        si.check("refused a tcp connection from 127.0.0.2" in log, f"no refusal logged:\n{log[-2000:]}")
        si.check(log.count("refused a tcp connection") < 3, "every refusal was logged, not one line a second")
        held.pop().close()
        si.wait_until(lambda: reconnect_answered("127.0.0.2", port), 3, "a freed place to be taken again")
        si.check(si.options_status(port) == 200, "the runtime stopped answering over UDP")
        si.check(process.poll() is None, f"the runtime died:\n{run.log('runtime.log')}")
    finally:
        for stream in held:
            stream.close()


def reconnect_answered(source_ip, port):
    with connect_from(source_ip, port) as stream:
        return options_over(stream, port, "reconnect") == 200


def case_tcp_connections_total(run):
    """tcp_max_connections counts every source: past it a new connection is closed at
    once, and the open ones are still served."""
    total = 6
    cfg = run.dir / "total-limit.cfg"
    cfg.write_text(f"tcp_max_connections={total}\n" + (si.CFG / "torture.cfg").read_text()
                   .replace('include_file "stateless.inc"', f'include_file "{si.CFG / "stateless.inc"}"'))
    # Path(CFG) / an absolute path is that path: the cfg written here.
    process, port = run.start_runtime(cfg=str(cfg.with_suffix("")))
    held = []
    try:
        for i in range(total):  # half from each address: within the per-source limit (total / 2)
            held += open_answered(f"127.0.0.{2 + i % 2}", port, 1, f"held-{i}")
        expect_refused("127.0.0.4", port, "past-total")
        si.check(options_over(held[-1], port, "held-again") == 200, "an open connection stopped being served")
        si.check(si.options_status(port) == 200, "the runtime stopped answering over UDP")
        log = run.log_full("runtime.log")
        si.check(f"tcp_max_connections ({total}) are open" in log, f"no refusal logged:\n{log[-2000:]}")
        si.check(process.poll() is None, f"the runtime died:\n{run.log('runtime.log')}")
    finally:
        for stream in held:
            stream.close()


CASES = {"with_sanity": case_with_sanity, "core_only": case_core_only,
         "shutdown_under_tcp_load": case_shutdown_under_tcp_load,
         "oversized_stream_message": case_oversized_stream_message,
         "tcp_connections_per_source": case_tcp_connections_per_source,
         "tcp_connections_total": case_tcp_connections_total}


if __name__ == "__main__":
    sys.exit(si.run_case_main(CASES))
