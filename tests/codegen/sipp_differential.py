#!/usr/bin/env python3
"""SIPp calls through one cfg run three ways -- the real kamailio, `kamc run`
(JIT) and a `kamc -o` binary (AOT). For each, a SIPp UAC places INVITE/ACK/BYE
calls via the proxy to a SIPp UAS; the test compares what each side saw: the
calls' outcome and the headers the script added to the requests reaching the UAS
(proxy ports normalized). Loopback only, free ports, every process killed by
process group, every wait bounded.

    sipp_differential.py --kamc PATH --kamailio PATH --sipp PATH --cfg FILE --scenarios DIR [--mode failover]
"""
import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

CALLS = 5


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(command, log_path):
    log = open(log_path, "wb")
    return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True)


def stop(proc):
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


def wait_udp(port, limit=20.0):
    """Until something answers an OPTIONS on the port (any reply), bounded."""
    deadline = time.monotonic() + limit
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        s.settimeout(0.3)
        while time.monotonic() < deadline:
            probe = (f"OPTIONS sip:127.0.0.1:{port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{s.getsockname()[1]};"
                     f"branch=z9hG4bKprobe{time.monotonic_ns()}\r\nFrom: <sip:probe@127.0.0.1>;tag=p\r\n"
                     f"To: <sip:127.0.0.1>\r\nCall-ID: probe{time.monotonic_ns()}\r\nCSeq: 1 OPTIONS\r\n"
                     f"Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n")
            s.sendto(probe.encode(), ("127.0.0.1", port))
            try:
                s.recv(65535)
                return True
            except socket.timeout:
                pass
    return False


def messages(log_text, first_line_pattern):
    """Messages in a SIPp -trace_msg log whose start line matches: each entry is a
    dashed separator line, a "UDP message received/sent" line, then the message."""
    found = []
    for chunk in re.split(r"^-{5,}.*$", log_text, flags=re.M):
        lines = [l for l in chunk.strip().splitlines() if not l.startswith("UDP message")]
        text = "\n".join(lines).strip()
        if re.match(first_line_pattern, text):
            found.append(text)
    return found


def uas_view(log_path, ports):
    """What one UAS saw: requests by method and the script-added headers, with the
    run's ports ({port: name}) and the UAC's random From tag normalized."""
    text = open(log_path, errors="replace").read() if os.path.exists(log_path) else ""

    def normalize(header):
        for port, label in ports.items():
            header = header.replace(f":{port}", f":{label}")
        return re.sub(r"ftag=[^;>]*", "ftag=TAG", header)
    headers = sorted({normalize(line) for m in messages(text, r"(INVITE|ACK|BYE) sip:")
                      for line in m.splitlines() if line.startswith(("X-Kamc-", "Record-Route:", "Route:"))})
    return {"invites": len(messages(text, r"INVITE sip:")), "byes": len(messages(text, r"BYE sip:")),
            "script_headers": headers}


def summary(name, proxy_command, proxy_port, uas_ports, args, work):
    """Runs the calls through one proxy; returns what the UASs and the UAC observed."""
    logs = {k: os.path.join(work, f"{name}-{k}.log") for k in ("proxy", "uac")}
    proxy = start(proxy_command, logs["proxy"])
    scenarios = ["uas-rr.xml"] if args.mode == "relay" else ["tm-uas-busy.xml", "uas-rr.xml"]
    uases = [start([args.sipp, "-sf", os.path.join(args.scenarios, scenario), "-i", "127.0.0.1", "-p", str(port),
                    "-m", str(CALLS), "-trace_msg", "-message_file", os.path.join(work, f"{name}-uas{i}.msg"),
                    "-nostdin"], os.path.join(work, f"{name}-uas{i}.log"))
             for i, (scenario, port) in enumerate(zip(scenarios, uas_ports))]
    labels = {proxy_port: "PROXY", **{port: f"UAS{i}" for i, port in enumerate(uas_ports)}}
    try:
        if not wait_udp(proxy_port):
            return {"error": f"{name} did not start: " + open(logs["proxy"], errors="replace").read()[-2000:]}
        uac = subprocess.run([args.sipp, "-sf", os.path.join(args.scenarios, "uac-rr.xml"), "-i", "127.0.0.1",
                              "-p", str(free_port()), "-s", "service", f"127.0.0.1:{uas_ports[0]}", "-rsa",
                              f"127.0.0.1:{proxy_port}", "-m", str(CALLS), "-r", "10", "-timeout", "30s",
                              "-trace_msg", "-message_file", logs["uac"] + ".msg", "-nostdin"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
        time.sleep(0.3)  # let the last BYE reach the UAS log
        return {"uac_exit": uac.returncode,
                "uas": [uas_view(os.path.join(work, f"{name}-uas{i}.msg"), labels) for i in range(len(uases))]}
    finally:
        for uas in uases:
            stop(uas)
        stop(proxy)


def main():
    ap = argparse.ArgumentParser()
    for option in ("--kamc", "--kamailio", "--sipp", "--cfg", "--scenarios"):
        ap.add_argument(option, required=True)
    ap.add_argument("--mode", choices=("relay", "failover"), default="relay",
                    help="relay: one UAS; failover: a busy UAS, then a second that answers (-A FIRST_DST/SECOND_DST)")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="kamc-sipp-diff-")
    results = {}
    for name in ("kamailio", "kamc-run", "kamc-aot"):
        port = free_port()
        uas_ports = [free_port() for _ in range(1 if args.mode == "relay" else 2)]
        defines = [] if args.mode == "relay" else [
            "-A", f'FIRST_DST="sip:first@127.0.0.1:{uas_ports[0]}"',
            "-A", f'SECOND_DST="sip:second@127.0.0.1:{uas_ports[1]}"']
        ours = ["-D", "-E", "-l", f"udp:127.0.0.1:{port}", "-n", "2"]
        if name == "kamc-aot":
            binary = os.path.join(work, "proxy")
            build = subprocess.run([args.kamc, "-o", binary, *defines, args.cfg], capture_output=True, text=True,
                                   timeout=120)
            if build.returncode != 0:
                print("kamc -o failed:\n" + build.stderr)
                return 1
        command = {"kamailio": [args.kamailio, "-f", args.cfg, *defines, "-DD", "-E", "-m", "64", "-M", "8",
                                "-Y", work, "-l", f"udp:127.0.0.1:{port}"],
                   "kamc-run": [args.kamc, "run", args.cfg, *defines, *ours],
                   "kamc-aot": [os.path.join(work, "proxy"), *ours]}[name]
        results[name] = summary(name, command, port, uas_ports, args, work)
        print(f"{name}: {results[name]}")
    reference = results["kamailio"]
    answering = reference.get("uas", [{}])[-1]
    ok = ("error" not in reference and reference["uac_exit"] == 0 and answering.get("invites") == CALLS
          and answering.get("byes") == CALLS and answering.get("script_headers"))
    if not ok:
        print("FAIL: the kamailio reference run itself did not complete the calls cleanly")
        return 1
    same = all(results[n] == reference for n in ("kamc-run", "kamc-aot"))
    print("all three agree" if same else "FAIL: kamc differs from kamailio")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
