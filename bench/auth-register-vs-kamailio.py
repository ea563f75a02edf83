#!/usr/bin/env python3
"""Authenticated REGISTERs: Kamailio's default kamailio.cfg with -A WITH_MYSQL -A WITH_AUTH
-A WITH_USRLOCDB, under the real kamailio (-m 512 -M 8) and compiled with `kamc -o`, on
the same throwaway MariaDB (tests/runtime/integration/dbservers.py) holding N
subscribers. SIPp (bench/scenarios/register-auth.xml) registers user0 again and again with a
digest: REGISTER, 401, REGISTER with credentials, 200; auth_db reads the subscriber row
each time and usrloc (db_mode 2) writes the binding back on its timer.

Prints, per server, the median over alternating rounds of the CPU seconds per 1000
registrations (the server's whole process group, from /proc) and the rate achieved,
then the ratio kamc/kamailio.

Usage: bench/auth-register-vs-kamailio.py [--build DIR] [--rate R] [--calls N]
                                           [--rounds K] [--users U]
UDP on 127.0.0.1:5060 (server) and 5061 (SIPp), the benchmark harness's ports.
"""
import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "runtime" / "integration"))
import dbservers  # noqa: E402
import sip_integration as si  # noqa: E402

DEFAULT_CFG = ROOT.parent / "shared" / "corpus" / "kamailio-5.6" / "etc__kamailio.cfg"
SCENARIO = ROOT / "bench" / "scenarios" / "register-auth.xml"
SERVER_PORT, SIPP_PORT = 5060, 5061
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def group_cpu_seconds(pgid):
    """utime + stime of every live process in the process group."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # field 5 of stat, pgrp
            total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


def wait_until_answering(server):
    """Until the server answers OPTIONS on its port (bounded: 30 s)."""
    si.wait_until(lambda: server.poll() is not None or si.options_status(SERVER_PORT) is not None, 30,
                  "the server to answer")
    si.check(server.poll() is None, "the server exited at start-up")


def run_round(command, args, workdir):
    log = open(workdir / "server.log", "ab")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until_answering(server)
        stats = workdir / "sipp-stats.csv"
        stats.unlink(missing_ok=True)
        before = group_cpu_seconds(server.pid)
        started = time.monotonic()
        sipp = subprocess.run(["sipp", "-sf", str(SCENARIO), f"127.0.0.1:{SERVER_PORT}", "-i", "127.0.0.1",
                               "-p", str(SIPP_PORT), "-mp", "6200", "-s", "user0", "-au", "user0", "-ap", "pw0",
                               "-r", str(args.rate), "-m", str(args.calls), "-l", str(args.rate * 2),
                               "-trace_stat", "-stf", str(stats), "-fd", "1", "-nostdin", "-timeout",
                               str(args.calls // args.rate + 30), "-timeout_error"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=workdir,
                              timeout=args.calls / args.rate + 60)
        elapsed = time.monotonic() - started
        cpu = group_cpu_seconds(server.pid) - before
        with open(stats) as f:
            last = list(csv.DictReader(f, delimiter=";"))[-1]
        succeeded = int(last["SuccessfulCall(C)"])
        failed = int(last["FailedCall(C)"])
        return {"cpu_per_1000": cpu / max(succeeded, 1) * 1000, "rate": succeeded / elapsed,
                "succeeded": succeeded, "failed": failed, "sipp_rc": sipp.returncode}
    finally:
        si.stop(server, grace=10)
        log.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default=str(ROOT / "build"))
    parser.add_argument("--rate", type=int, default=500)
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--kamailio", default="/usr/sbin/kamailio")
    parser.add_argument("--servers", default="kamailio,kamc-aot", help="comma-separated subset")
    args = parser.parse_args()
    kamc = Path(args.build) / "tools" / "kamc" / "kamc"
    workdir = Path(tempfile.mkdtemp(prefix="kamc-bench-auth-"))
    with dbservers.mariadb() as db:
        users = [(f"user{i}", f"pw{i}") for i in range(args.users)]
        values = ", ".join(f"('{u}', '127.0.0.1', '{p}', '{dbservers.ha1(u, '127.0.0.1', p)}', "
                           f"'{dbservers.ha1b(u, '127.0.0.1', p)}')" for u, p in users)
        db.query(f"INSERT INTO subscriber (username, domain, password, ha1, ha1b) VALUES {values}")
        defines = ["-A", "WITH_MYSQL", "-A", "WITH_AUTH", "-A", "WITH_USRLOCDB", "-A", f'DBURL="{db.db_url}"']
        wanted = args.servers.split(",")
        binary = workdir / "kamailio-default"
        if "kamc-aot" in wanted:
            build = subprocess.run([str(kamc), "-o", str(binary), str(DEFAULT_CFG), *defines],
                                   capture_output=True, text=True, timeout=600)
            if build.returncode != 0:
                sys.exit(f"kamc -o failed:\n{build.stderr[-3000:]}")
        listen = ["-l", f"udp:127.0.0.1:{SERVER_PORT}"]
        commands = {
            "kamailio": [args.kamailio, "-f", str(DEFAULT_CFG), *defines, "-DD", "-E", "-m", "512", "-M", "8",
                         *listen],
            "kamc-aot": [str(binary), "-D", "-E", *listen],
        }
        commands = {name: command for name, command in commands.items() if name in wanted}
        results = {name: [] for name in commands}
        for _ in range(args.rounds):
            for name, command in commands.items():
                db.query("DELETE FROM location")
                results[name].append(run_round(command, args, workdir))
    print(f"authenticated REGISTER (default kamailio.cfg, MariaDB, {args.users} subscribers), "
          f"{args.calls} registrations at {args.rate}/s, median of {args.rounds} rounds:")
    medians = {}
    for name, runs in results.items():
        medians[name] = statistics.median(r["cpu_per_1000"] for r in runs)
        rate = statistics.median(r["rate"] for r in runs)
        failed = sum(r["failed"] for r in runs)
        each = " ".join(f"{r['cpu_per_1000']:.3f}" for r in runs)
        print(f"  {name} cpu_s_per_1000={medians[name]:.3f} achieved_per_s={rate:.0f} failed={failed} (runs: {each})")
    if len(medians) == 2:
        print(f"  ratio kamc/kamailio={medians['kamc-aot'] / medians['kamailio']:.2f}")


if __name__ == "__main__":
    main()
