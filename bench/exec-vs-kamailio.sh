#!/usr/bin/env bash
# The exec module (issue 15) under kamc and under the real Kamailio 5.6, on the same cfg
# (tests/runtime/integration/cfg/exec.cfg), both with 2 workers:
#  - exec calls per second and their latency (p50/p99) for a trivial command,
#    exec_avp("echo quick"), with 8 UDP clients each waiting for its reply;
#  - the SIP throughput (OPTIONS answered by sl, no exec) with no command running, and
#    while 2 scripts hang (exec-hang.sh, time_to_kill=5, measured in the first 3 s).
# Usage: bench/exec-vs-kamailio.sh [build dir] [exec calls]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath "${1:-$here/build}")
calls=${2:-3000}
kamc=$build/tools/kamc/kamc
kamailio=$(command -v kamailio || echo /usr/sbin/kamailio)
[ -x "$kamc" ] || { echo "not built: $kamc" >&2; exit 2; }

exec python3 - "$here" "$kamc" "$kamailio" "$calls" <<'PYTHON'
import os, signal, socket, sys, tempfile, threading, time
from pathlib import Path

here, kamc, kamailio, calls = Path(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
sys.path.insert(0, str(here / "tests" / "runtime" / "integration"))
import sip_integration as si  # noqa: E402

CFG = here / "tests" / "runtime" / "integration" / "cfg" / "exec.cfg"
SCRIPTS = here / "tests" / "runtime" / "integration" / "exec"
CLIENTS = 8
work = Path(tempfile.mkdtemp(prefix="kamc-exec-bench-"))


def environment(out):
    env = dict(os.environ)
    env["PATH"] = f"{SCRIPTS}:{env.get('PATH', '/usr/bin:/bin')}"
    env["EXEC_TEST_OUT"] = str(out)
    return env


def start(name):
    out = work / name
    out.mkdir()
    port = si.free_port()
    listen = ["-l", f"udp:127.0.0.1:{port}"]
    if name == "kamc":
        command = [kamc, "run", str(CFG), "-A", "TIME_TO_KILL=5", "-D", "-E", "-n", "2", *listen]
    else:
        command = [kamailio, "-DD", "-E", "-m", "128", "-M", "8", "-n", "2", "-w", str(out), "-f", str(CFG),
                   "-A", "TIME_TO_KILL=5", *listen, "-Y", str(work), "-P", str(work / "kamailio.pid")]
    process = si.start(command, work / f"{name}.log", env=environment(out))
    si.wait_until(lambda: process.poll() is not None or si.options_status(port) is not None, 20, f"{name} to answer")
    return process, port


def request(case, port, local, seq):
    head = f"MESSAGE sip:bench@127.0.0.1:{port}" if case else f"OPTIONS sip:127.0.0.1:{port}"
    return (f"{head} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{local};branch=z9hG4bK-b{local}-{seq};rport\r\n"
            f"From: <sip:bench@127.0.0.1>;tag=b{local}\r\nTo: <sip:bench@127.0.0.1>\r\n"
            f"Call-ID: b{local}-{seq}\r\nCSeq: {seq} {'MESSAGE' if case else 'OPTIONS'}\r\nMax-Forwards: 70\r\n"
            + (f"X-Case: {case}\r\n" if case else "") + "Content-Length: 0\r\n\r\n").encode()


def client(port, case, count, until, latencies, answered):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        local = sock.getsockname()[1]
        sock.settimeout(1.0)
        seq = 0
        while (count is None or seq < count) and (until is None or time.monotonic() < until):
            seq += 1
            started = time.monotonic()
            sock.sendto(request(case, port, local, seq), ("127.0.0.1", port))
            try:
                while True:
                    reply = sock.recv(65535)
                    if reply.startswith(b"SIP/2.0 200") and f"CSeq: {seq} ".encode() in reply:
                        break
            except socket.timeout:
                continue  # lost or blocked: not answered
            latencies.append(time.monotonic() - started)
            answered.append(1)


def run_clients(port, case, per_client=None, seconds=None):
    latencies, answered = [], []
    until = time.monotonic() + seconds if seconds else None
    threads = [threading.Thread(target=client, args=(port, case, per_client, until, latencies, answered))
               for _ in range(CLIENTS)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, len(answered), time.monotonic() - started


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000 if ordered else float("nan")


def hang(port):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.sendto(request("hang", port, sock.getsockname()[1], 1), ("127.0.0.1", port))


try:
    for name in ("kamc", "kamailio"):
        process, port = start(name)
        run_clients(port, "quick", per_client=20)  # warm-up
        latencies, done, took = run_clients(port, "quick", per_client=calls // CLIENTS)
        _, base, base_s = run_clients(port, None, seconds=3)
        hang(port)
        hang(port)
        time.sleep(0.3)
        _, hung, hung_s = run_clients(port, None, seconds=3)
        print(f"{name}: exec_avp(\"echo quick\") {done / took:.0f} calls/s ({done} of {calls // CLIENTS * CLIENTS}), "
              f"latency p50={percentile(latencies, 50):.2f} ms p99={percentile(latencies, 99):.2f} ms; "
              f"OPTIONS {base / base_s:.0f}/s idle, {hung / hung_s:.0f}/s while 2 scripts hang")
        si.stop(process)
        try:  # kamailio leaves its popen'd scripts running (they ignore SIGTERM)
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        time.sleep(0.5)
finally:
    si.stop_all()
PYTHON
