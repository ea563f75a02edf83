#!/usr/bin/env python3
"""Runs one cfg three ways -- the real kamailio, `kamc run` (JIT) and a `kamc -o`
binary (AOT) -- sends the same SIP requests to each over loopback UDP, and
compares the replies' status lines byte for byte.

    differential.py --kamc PATH --kamailio PATH --cfg FILE --users a,b,c [--method OPTIONS]

Every process is started in its own session and killed by process group; every
wait is bounded. Exit status 0 when all three agree on every request."""
import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, name, command, port, log_path):
        self.name, self.port = name, port
        self.log = open(log_path, "wb")
        self.proc = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        self.log.close()


MAX_FORWARDS = 70


def request(method, user, port, local_port, call_id):
    uri = f"sip:{user}@127.0.0.1:{port}" if user else f"sip:127.0.0.1:{port}"
    return (f"{method} {uri} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.1:{local_port};branch=z9hG4bK{call_id}\r\n"
            f"From: <sip:tester@127.0.0.1>;tag={call_id}\r\n"
            f"To: <{uri}>\r\n"
            f"Call-ID: {call_id}@differential\r\n"
            f"CSeq: 1 {method}\r\n"
            f"Max-Forwards: {MAX_FORWARDS}\r\n"
            f"Content-Length: 0\r\n\r\n").encode()


def status_line(sock, server, method, user, attempt_timeout=1.0, attempts=3):
    """The first line of the final reply, or None after a bounded number of tries."""
    for attempt in range(attempts):
        call_id = f"{server.name}-{user}-{attempt}-{time.monotonic_ns()}"
        sock.sendto(request(method, user, server.port, sock.getsockname()[1], call_id), ("127.0.0.1", server.port))
        deadline = time.monotonic() + attempt_timeout
        while time.monotonic() < deadline:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                data = sock.recv(65535).decode(errors="replace")
            except socket.timeout:
                break
            if call_id in data and not data.startswith("SIP/2.0 1"):
                return data.split("\r\n", 1)[0]
    return None


def wait_ready(sock, server, limit=20.0):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            return False
        if status_line(sock, server, "OPTIONS", "", attempt_timeout=0.3, attempts=1) is not None:
            return True
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kamc", required=True)
    ap.add_argument("--kamailio", required=True)
    ap.add_argument("--cfg", required=True)
    ap.add_argument("--users", required=True,
                    help="comma-separated R-URI users, one request each; '-' is a request without a user")
    ap.add_argument("--max-forwards", type=int, default=70, help="Max-Forwards of the compared requests")
    ap.add_argument("--method", default="OPTIONS")
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="kamc-diff-")
    binary = os.path.join(work, "proxy")
    build = subprocess.run([args.kamc, "-o", binary, args.cfg], capture_output=True, text=True, timeout=120)
    if build.returncode != 0:
        print(f"kamc -o failed:\n{build.stderr}")
        return 1

    ports = [free_udp_port() for _ in range(3)]
    flags = lambda port: ["-D", "-E", "-l", f"udp:127.0.0.1:{port}", "-n", "1"]
    commands = {
        "kamailio": [args.kamailio, "-f", args.cfg, "-DD", "-E", "-m", "64", "-M", "8", "-Y", work,
                     "-l", f"udp:127.0.0.1:{ports[0]}"],
        "kamc-run": [args.kamc, "run", args.cfg, *flags(ports[1])],
        "kamc-aot": [binary, *flags(ports[2])],
    }
    servers = []
    try:
        for (name, command), port in zip(commands.items(), ports):
            servers.append(Server(name, command, port, os.path.join(work, name + ".log")))
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", 0))
        for server in servers:
            if not wait_ready(sock, server):
                print(f"{server.name} did not answer on port {server.port}; log:")
                server.stop()
                print(open(os.path.join(work, server.name + ".log"), errors="replace").read()[-3000:])
                return 1
        global MAX_FORWARDS
        MAX_FORWARDS = args.max_forwards  # after the readiness probes, which must pass
        failures = 0
        for user in args.users.split(","):
            lines = {s.name: status_line(sock, s, args.method, "" if user == "-" else user) for s in servers}
            same = len(set(lines.values())) == 1 and None not in lines.values()
            failures += not same
            print(f"{'ok  ' if same else 'DIFF'} {user}")
            for name, line in lines.items():
                print(f"     {name:9} {line}")
        print(f"{len(args.users.split(',')) - failures}/{len(args.users.split(','))} requests answered identically")
        return 1 if failures else 0
    finally:
        for server in servers:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
