#!/usr/bin/env python3
"""Registrar and usrloc over real sockets: samples/registrar.cfg (and Kamailio's default
kamailio.cfg) served by `kamc run`, `kamc -o` and, as the oracle, the real kamailio.

One case per invocation:
    registrar_integration.py CASE --kamc PATH [--kamailio PATH]
The user agents are plain UDP sockets of this script, so every header that arrives can
be checked. Every process runs in its own process group and is stopped by it; ports are
free ports picked at run time; every wait is bounded.
"""
import argparse
import hashlib
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "integration"))
from sip_integration import (TestFailure, check, free_port, start, stop, stop_all, wait_until,  # noqa: E402
                             port_is_bound, start_keeping_port)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SAMPLE = ROOT / "samples" / "registrar.cfg"
CORPUS = ROOT.parent / "shared" / "corpus"
DEFAULT_CFG = CORPUS / "kamailio-5.6" / "etc__kamailio.cfg"
KAMAILIO_MODULES = "/usr/lib/x86_64-linux-gnu/kamailio/modules"
KAMAILIO_SQLITE_SCHEMA = Path("/usr/share/kamailio/db_sqlite")


# ---- user agents ---------------------------------------------------------------------------

class Agent:
    """One UDP user agent on its own port: sends requests, collects what arrives."""

    def __init__(self, name):
        self.name = name
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.cseq = 0
        self.call_id = f"{name}-{self.port}-{time.monotonic_ns()}"

    def contact(self, user=None):
        return f"sip:{user or self.name}@127.0.0.1:{self.port}"

    def send(self, server_port, text):
        self.sock.sendto(text.encode(), ("127.0.0.1", server_port))

    def receive(self, timeout=2.0, want=None, call_id=None):
        """The next message (optionally the next whose start line matches `want`, of
        that Call-ID)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65535).decode(errors="replace")
            except socket.timeout:
                return None
            if (want is None or re.match(want, data)) and (call_id is None or header(data, "Call-ID") == call_id):
                return data

    def register(self, server_port, user=None, contacts=None, expires=None, cseq=None, call_id=None, extra=""):
        """REGISTER for user@127.0.0.1; contacts: list of Contact values ("" = none)."""
        self.cseq = cseq if cseq is not None else self.cseq + 1
        user = user or self.name
        contact_lines = "".join(f"Contact: {c}\r\n" for c in (contacts if contacts is not None
                                                              else [f"<{self.contact(user)}>"]))
        expires_line = f"Expires: {expires}\r\n" if expires is not None else ""
        text = (f"REGISTER sip:127.0.0.1:{server_port} SIP/2.0\r\n"
                f"Via: SIP/2.0/UDP 127.0.0.1:{self.port};branch=z9hG4bK-{self.name}-{self.cseq}-{time.monotonic_ns()};rport\r\n"
                f"From: <sip:{user}@127.0.0.1>;tag=f-{self.name}\r\n"
                f"To: <sip:{user}@127.0.0.1>\r\n"
                f"Call-ID: {call_id or self.call_id}\r\n"
                f"CSeq: {self.cseq} REGISTER\r\n"
                f"Max-Forwards: 70\r\n{contact_lines}{expires_line}{extra}"
                f"Content-Length: 0\r\n\r\n")
        self.send(server_port, text)
        return self.receive(want=r"SIP/2\.0 [2-6]")

    def invite(self, server_port, user, call_id):
        self.last_invite = (server_port, user, call_id)
        self.send(server_port, self._request("INVITE", server_port, user, call_id, "", "INVITE"))

    def request(self, server_port, method, user, call_id, to_tag=""):
        """A request and its final reply; user None addresses the server itself."""
        self.send(server_port, self._request(method, server_port, user, call_id, f";tag={to_tag}" if to_tag else "",
                                             method))
        return self.receive(want=r"SIP/2\.0 [2-6]", call_id=call_id)

    def _request(self, method, server_port, user, call_id, to_tag, cseq_method):
        request_uri = f"sip:{user}@127.0.0.1:{server_port}" if user else f"sip:127.0.0.1:{server_port}"
        return (f"{method} {request_uri} SIP/2.0\r\n"
                f"Via: SIP/2.0/UDP 127.0.0.1:{self.port};branch=z9hG4bK-{call_id};rport\r\n"
                f"From: <sip:{self.name}@127.0.0.1>;tag=f-{call_id}\r\n"
                f"To: <sip:{user or 'server'}@127.0.0.1>{to_tag}\r\n"
                f"Call-ID: {call_id}\r\nCSeq: 1 {cseq_method}\r\nMax-Forwards: 70\r\n"
                f"Contact: <{self.contact()}>\r\nContent-Length: 0\r\n\r\n")

    def final_reply(self, timeout=5):
        """The final reply to the last INVITE, acknowledged as RFC 3261 17.1.1.3 says."""
        server_port, user, call_id = self.last_invite
        reply = self.receive(timeout, want=r"SIP/2\.0 [2-6]", call_id=call_id)
        if reply and status(reply) >= 300:
            tag = re.search(r";tag=([^;\s]+)", header(reply, "To") or "")
            self.send(server_port, self._request("ACK", server_port, user, call_id,
                                                 f";tag={tag.group(1)}" if tag else "", "ACK"))
        return reply

    def answer(self, request, code, reason):
        """A reply to `request` sent back to the proxy (first Via's sent-by, rport)."""
        lines = request.split("\r\n")
        keep = [l for l in lines[1:] if re.match(r"(?i)(via|from|to|call-id|cseq|record-route):", l)]
        to_index = next(i for i, l in enumerate(keep) if re.match(r"(?i)to:", l))
        if ";tag=" not in keep[to_index]:
            keep[to_index] += f";tag=t-{self.name}"
        via = next(l for l in keep if re.match(r"(?i)via:", l))
        host, port = re.search(r"SIP/2\.0/UDP ([\d.]+):(\d+)", via).groups()
        text = f"SIP/2.0 {code} {reason}\r\n" + "\r\n".join(keep) + "\r\nContent-Length: 0\r\n\r\n"
        self.sock.sendto(text.encode(), (host, int(port)))


def status(message):
    match = re.match(r"SIP/2\.0 (\d{3}) ", message or "")
    return int(match.group(1)) if match else None


def header(message, name):
    for line in (message or "").split("\r\n"):
        if line.lower().startswith(name.lower() + ":"):
            return line.split(":", 1)[1].strip()
    return None


def contacts_of(reply):
    """The Contact URIs and their expires of a REGISTER's 200, in order."""
    value = header(reply, "Contact") or ""
    return [(uri, int(expires)) for uri, expires in re.findall(r"<([^>]+)>[^,]*?;expires=(\d+)", value)]


# ---- servers -------------------------------------------------------------------------------

class Server:
    """samples/registrar.cfg (or another cfg) served by kamc run, a kamc -o binary or kamailio."""

    def __init__(self, args, workdir, kind="kamc", cfg=SAMPLE, defines=(), name="server", port=None):
        self.args, self.dir, self.kind, self.cfg, self.name = args, workdir, kind, cfg, name
        self.defines = list(defines)
        self.fixed_port = port is not None
        self.port = port or free_port()
        self.process = None

    def command(self):
        defines = [arg for d in self.defines for arg in ("-A", d)]
        listen = ["-l", f"udp:127.0.0.1:{self.port}"]
        if self.kind == "kamailio":
            return [self.args.kamailio, "-f", str(self.cfg), "-L", KAMAILIO_MODULES, *defines, "-DD", "-E",
                    "-m", "512", "-M", "8", "-n", "2", "-Y", str(self.dir), *listen]
        if self.kind == "aot":
            binary = self.dir / f"{self.name}-proxy"
            if not binary.exists():
                build = subprocess.run([self.args.kamc, "-o", str(binary), str(self.cfg), *defines],
                                       capture_output=True, text=True, timeout=300)
                check(build.returncode == 0, f"kamc -o failed: {build.stderr[-2000:]}")
            return [str(binary), "-D", "-E", "-n", "2", *listen]
        return [self.args.kamc, "run", str(self.cfg), *defines, "-D", "-E", "-n", "2", *listen]

    def start(self):
        def launch(port):
            self.port = port
            self.launch()
            return self.process
        start_keeping_port(launch, self.log, self.port, keep_port=self.fixed_port)
        check(self.process.poll() is None, f"{self.name} exited at start-up:\n{self.log()}")
        return self

    def launch(self):
        log = self.dir / f"{self.name}.log"
        self.process = start(self.command(), log)
        probe = Agent("probe")
        def answers():
            probe.send(self.port, f"OPTIONS sip:127.0.0.1:{self.port} SIP/2.0\r\n"
                                  f"Via: SIP/2.0/UDP 127.0.0.1:{probe.port};branch=z9hG4bK-p{time.monotonic_ns()}\r\n"
                                  f"From: <sip:probe@127.0.0.1>;tag=p\r\nTo: <sip:probe@127.0.0.1>\r\n"
                                  f"Call-ID: probe-{time.monotonic_ns()}\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
                                  f"Content-Length: 0\r\n\r\n")
            return self.process.poll() is not None or probe.receive(0.2) is not None
        wait_until(answers, 60, f"{self.name} to answer")

    def stop(self, sig=signal.SIGTERM):
        if sig == signal.SIGKILL:
            import os
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
            return self.process.returncode
        return stop(self.process, grace=10)

    def log(self):
        path = self.dir / f"{self.name}.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else "(no log)"


def sqlite_url(path):
    return f'DB_URL="sqlite:///{path}"'  # Kamailio's reading: the absolute path after the empty host


def kamailio_schema_db(path):
    """A database made from Kamailio's own schema files, as `kamdbctl create` makes it."""
    connection = sqlite3.connect(path)
    for name in ("standard-create.sql", "usrloc-create.sql"):
        connection.executescript((KAMAILIO_SQLITE_SCHEMA / name).read_text())
    connection.commit()
    connection.close()


def rows(path, table="location"):
    connection = sqlite3.connect(path, timeout=5)
    try:
        return connection.execute(f"SELECT username, contact, q, callid, cseq FROM {table} ORDER BY id").fetchall()
    finally:
        connection.close()


# ---- cases ---------------------------------------------------------------------------------

def registration_transcript(port):
    """Register, refresh, add a contact, stale CSeq, query, remove, star: the replies'
    status codes, Contact URIs (expires rounded) and P-Registrar-Error, in order."""
    alice = Agent("alice")
    second = f"<sip:alice@127.0.0.1:{alice.port + 1}>;q=0.5"
    steps = [
        ("register", dict(expires=120)),
        ("refresh", dict(expires=300)),
        ("second contact", dict(contacts=[second], expires=None)),
        ("stale cseq", dict(contacts=[second], cseq=1)),
        ("query", dict(contacts=[], cseq=10)),
        ("remove one", dict(contacts=[f"<{alice.contact()}>"], expires=0, cseq=11)),
        ("star with expires", dict(contacts=["*"], expires=5, cseq=12)),
        ("bad expires", dict(contacts=[f"<{alice.contact()}>"], expires="soon", cseq=13)),
        ("star", dict(contacts=["*"], expires=0, cseq=14)),
        ("query empty", dict(contacts=[], cseq=15)),
    ]
    transcript = []
    for label, kwargs in steps:
        reply = alice.register(port, **kwargs)
        check(reply is not None, f"no reply to step '{label}'")
        extra = []
        while True:  # a second reply (sl_reply_error after a failed save) belongs to the step
            more = alice.receive(0.3, want=r"SIP/2\.0 [2-6]")
            if not more:
                break
            extra.append(status(more))
        contacts = [(uri, round(e, -1)) for uri, e in contacts_of(reply)]
        transcript.append((label, status(reply), contacts, header(reply, "P-Registrar-Error"), extra))
    return transcript


def case_register_cycle(args, workdir):
    server = Server(args, workdir, defines=["DB_MODE=0"]).start()
    transcript = registration_transcript(server.port)
    by_label = {t[0]: t for t in transcript}
    check(by_label["register"][1] == 200 and len(by_label["register"][2]) == 1, f"register: {by_label['register']}")
    check(by_label["refresh"][2][0][1] == 300, f"refresh did not set expires 300: {by_label['refresh']}")
    check(len(by_label["second contact"][2]) == 2 and by_label["second contact"][2][0][0].endswith(str(0)) is not None,
          f"second contact: {by_label['second contact']}")
    check(by_label["stale cseq"][1] == 400 and by_label["stale cseq"][3] == "Invalid CSeq number",
          f"stale CSeq: {by_label['stale cseq']}")
    check(len(by_label["query"][2]) == 2, f"query: {by_label['query']}")
    check(len(by_label["remove one"][2]) == 1, f"remove one: {by_label['remove one']}")
    check(by_label["star with expires"][1] == 400, f"star with expires: {by_label['star with expires']}")
    check(by_label["bad expires"][1] == 400, f"bad expires: {by_label['bad expires']}")
    check(by_label["star"][1] == 200 and by_label["star"][2] == [], f"star: {by_label['star']}")
    check(by_label["query empty"][2] == [], f"query empty: {by_label['query empty']}")
    server.stop()
    if args.kamailio:
        oracle = Server(args, workdir, kind="kamailio", defines=["DB_MODE=0"], name="kamailio").start()
        expected = registration_transcript(oracle.port)
        oracle.stop()
        for ours, theirs in zip(transcript, expected):
            # Contact URIs carry each run's own ports: compare everything else.
            strip = lambda t: (t[0], t[1], [e for _, e in t[2]], t[3], t[4])
            check(strip(ours) == strip(theirs), f"kamc and kamailio differ at '{ours[0]}':\n kamc: {ours}\n kamailio: {theirs}")


def register_two_and_call(port, caller, bob_a, bob_b):
    check(status(bob_a.register(port, user="bob", contacts=[f"<{bob_a.contact('bob')}>;q=0.9"])) == 200, "bob A")
    check(status(bob_b.register(port, user="bob", contacts=[f"<{bob_b.contact('bob')}>;q=0.5"])) == 200, "bob B")
    caller.invite(port, "bob", f"call-{time.monotonic_ns()}")
    got_a = bob_a.receive(3, want=r"INVITE ")
    got_b = bob_b.receive(3, want=r"INVITE ")
    return got_a, got_b


def case_fork(args, workdir):
    for kind in ["kamc", "aot"] + (["kamailio"] if args.kamailio else []):
        server = Server(args, workdir, kind=kind, defines=["DB_MODE=0"], name=kind).start()
        caller, bob_a, bob_b = Agent("carol"), Agent("boba"), Agent("bobb")
        got_a, got_b = register_two_and_call(server.port, caller, bob_a, bob_b)
        check(got_a and got_a.startswith(f"INVITE {bob_a.contact('bob')} "), f"{kind}: contact A got {got_a!r}")
        check(got_b and got_b.startswith(f"INVITE {bob_b.contact('bob')} "), f"{kind}: contact B got {got_b!r}")
        bob_a.answer(got_a, 486, "Busy Here")
        bob_b.answer(got_b, 486, "Busy Here")
        final = caller.final_reply()
        check(status(final) == 486, f"{kind}: the caller got {final!r} after both branches were busy")
        caller.invite(server.port, "nobody", f"nobody-{time.monotonic_ns()}")
        final = caller.final_reply()
        check(status(final) == 404, f"{kind}: INVITE to an unknown user got {final!r}")
        server.stop()


def case_expiry(args, workdir):
    db = workdir / "expiry.db"
    server = Server(args, workdir, defines=["DB_MODE=1", sqlite_url(db), "MIN_EXPIRES=1", "UL_TIMER=1"]).start()
    dave = Agent("dave")
    check(status(dave.register(server.port, expires=2)) == 200, "register")
    check(len(rows(db)) == 1, f"the binding was not written: {rows(db)}")
    deadline = time.monotonic() + 8
    while time.monotonic() < deadline and rows(db):
        time.sleep(0.2)
    check(rows(db) == [], f"the expired binding is still in the database: {rows(db)}")
    check(contacts_of(dave.register(server.port, contacts=[])) == [], "the expired binding is still listed")
    caller = Agent("erin")
    caller.invite(server.port, "dave", "expired-call")
    check(status(caller.final_reply()) == 404, "an expired user was still found")
    server.stop()


def case_write_through_crash(args, workdir):
    """db_mode 1: kill -9 in a stream of REGISTERs; after a restart every binding that
    got its 200 is there."""
    db = workdir / "crash.db"
    defines = ["DB_MODE=1", sqlite_url(db)]
    server = Server(args, workdir, defines=defines).start()
    acknowledged, stop_flag = [], threading.Event()

    def stream():
        agent = Agent("stream")
        for i in range(2000):
            if stop_flag.is_set():
                return
            reply = agent.register(server.port, user=f"user{i}", call_id=f"stream-{i}", cseq=1)
            if status(reply) == 200:
                acknowledged.append(f"user{i}")
    thread = threading.Thread(target=stream)
    thread.start()
    wait_until(lambda: len(acknowledged) >= 150, 30, "150 acknowledged REGISTERs")
    server.stop(signal.SIGKILL)
    stop_flag.set()
    thread.join(timeout=10)
    check(len(acknowledged) >= 150, f"only {len(acknowledged)} REGISTERs were acknowledged")
    stored = {row[0] for row in rows(db)}
    missing = [u for u in acknowledged if u not in stored]
    check(not missing, f"{len(missing)} acknowledged bindings are not in the database: {missing[:5]}")
    restarted = Server(args, workdir, defines=defines, port=server.port, name="restarted").start()
    probe = Agent("probe2")
    for user in acknowledged[:: max(1, len(acknowledged) // 20)]:
        listed = contacts_of(probe.register(restarted.port, user=user, contacts=[], call_id=f"q-{user}", cseq=2))
        check(len(listed) == 1, f"{user} has no binding after the restart: {listed}")
    restarted.stop()
    print(f"{len(acknowledged)} acknowledged before kill -9, all {len(stored)} rows kept")


def case_db_failure(args, workdir):
    """db_mode 1 with a database that fails (its table dropped under the running server):
    the REGISTER gets Kamailio's 500 usrloc_contact_insert failed; the server goes on."""
    db = workdir / "failing.db"
    server = Server(args, workdir, defines=["DB_MODE=1", sqlite_url(db)]).start()
    agent = Agent("dbfail")
    check(status(agent.register(server.port, user="before", call_id="before", cseq=1)) == 200, "first REGISTER")
    connection = sqlite3.connect(db, timeout=5)
    connection.execute("DROP TABLE location")
    connection.commit()
    connection.close()
    reply = agent.register(server.port, user="after", call_id="after", cseq=1)
    check(status(reply) == 500 and header(reply, "P-Registrar-Error") == "usrloc_contact_insert failed",
          f"a failed write answered {reply!r}")
    second = agent.receive(1.0, want=r"SIP/2\.0 ")  # the cfg's sl_reply_error() after save() failed
    check(status(second) == 500, f"sl_reply_error's reply: {second!r}")
    check(status(agent.register(server.port, user="before", contacts=[], call_id="before", cseq=2)) == 200,
          f"the server stopped answering after the failure:\n{server.log()}")
    check(server.stop() == 0, f"unclean shutdown after a database failure:\n{server.log()}")


def case_write_back_flush(args, workdir):
    """db_mode 2: nothing is written before the timer; SIGTERM flushes everything."""
    db = workdir / "writeback.db"
    server = Server(args, workdir, defines=["DB_MODE=2", sqlite_url(db), "UL_TIMER=600"]).start()
    agent = Agent("wb")
    for i in range(5):
        check(status(agent.register(server.port, user=f"wb{i}", call_id=f"wb-{i}", cseq=1)) == 200, f"wb{i}")
    check(rows(db) == [], f"db_mode 2 wrote before its timer: {rows(db)}")
    check(server.stop() == 0, f"unclean shutdown:\n{server.log()}")
    check(sorted(r[0] for r in rows(db)) == [f"wb{i}" for i in range(5)], f"after SIGTERM: {rows(db)}")


def case_db_only_two_nodes(args, workdir):
    """db_mode 3: two nodes over one database see each other's bindings."""
    two_nodes(args, workdir, ["DB_MODE=3", sqlite_url(workdir / "shared.db")])


def two_nodes(args, workdir, defines, kinds=("kamc", "kamc")):
    node_a = Server(args, workdir, kind=kinds[0], defines=defines, name="node_a").start()
    node_b = Server(args, workdir, kind=kinds[1], defines=defines, name="node_b").start()
    frank = Agent("frank")
    check(status(frank.register(node_a.port)) == 200, "register at node A")
    caller = Agent("gina")
    caller.invite(node_b.port, "frank", "cross-node")
    got = frank.receive(3, want=r"INVITE ")
    check(got and got.startswith(f"INVITE {frank.contact()} "), f"node B did not find frank: {got!r}")
    check(status(frank.register(node_b.port, contacts=["*"], expires=0)) == 200, "unregister at node B")
    caller.invite(node_a.port, "frank", "cross-node-2")
    check(status(caller.final_reply()) == 404, "node A still finds frank")
    node_a.stop()
    node_b.stop()


def database_server(kind, workdir):
    """A throwaway MariaDB or PostgreSQL with Kamailio's schema (integration/dbservers.py)."""
    import dbservers
    check(dbservers.available(kind), f"{kind} server programs are not installed (.ci/install-deps.sh)")
    server = dbservers.server(kind)
    server.start()
    return server


def server_db_defines(db, mode):
    flag = "WITH_MYSQL" if db.url_scheme == "mysql" else "WITH_PGSQL"
    return [flag, f'DB_URL="{db.db_url}"', f"DB_MODE={mode}"]


# Non-ASCII stays within Latin-1: Kamailio's MySQL schema leaves tables in the server's
# default character set (latin1 on a bare MariaDB), which has no room for others.
HOSTILE_USER_AGENT = "ua'); DELETE FROM location; -- \\' \" %_ \u00e9"


def hostile_values_stored_verbatim(args, workdir, db):
    """Quotes, backslashes and SQL in a header reach the row byte for byte."""
    server = Server(args, workdir, defines=server_db_defines(db, 3), name="hostile").start()
    agent = Agent("quoted")
    reply = agent.register(server.port, extra=f"User-Agent: {HOSTILE_USER_AGENT}\r\n")
    check(status(reply) == 200, f"REGISTER with a hostile User-Agent: {reply!r}")
    expected = hashlib.md5(HOSTILE_USER_AGENT.encode()).hexdigest()
    # MySQL hashes a column in its own character set: compare the UTF-8 text.
    column = "CONVERT(user_agent USING utf8mb4)" if db.url_scheme == "mysql" else "user_agent"
    stored = db.query(f"SELECT md5({column}) FROM location WHERE username='quoted'")
    check(stored == [(expected,)], f"user_agent stored as md5 {stored}, expected {expected}")
    listed = contacts_of(agent.register(server.port, contacts=[]))
    check([uri for uri, _ in listed] == [agent.contact()], f"the binding did not load back: {listed}")
    server.stop()


def case_mysql_two_nodes(args, workdir):
    """db_mode 3 on MariaDB: a node under kamc run and a kamc -o node share bindings."""
    db = database_server("mysql", workdir)
    try:
        hostile_values_stored_verbatim(args, workdir, db)
        two_nodes(args, workdir, server_db_defines(db, 3), kinds=("kamc", "aot"))
        check(db.query("SELECT COUNT(*) FROM location WHERE username='frank'") == [("0",)],
              "the unregister left rows behind")
    finally:
        db.close()


def case_postgres_two_nodes(args, workdir):
    """db_mode 3 on PostgreSQL: two kamc nodes share bindings."""
    db = database_server("postgres", workdir)
    try:
        hostile_values_stored_verbatim(args, workdir, db)
        two_nodes(args, workdir, server_db_defines(db, 3))
    finally:
        db.close()


def database_fault(args, workdir, kind):
    """The database stops under a running db_mode 3 registrar: REGISTERs get the cfg's
    error reply, requests that need no database are still served, and once the database
    is back registrations work again without restarting kamc."""
    db = database_server(kind, workdir)
    try:
        server = Server(args, workdir, defines=server_db_defines(db, 3)).start()
        agent = Agent("fault")
        check(status(agent.register(server.port, call_id="f1", cseq=1)) == 200, "REGISTER with the database up")
        db.stop()
        started = time.monotonic()
        reply = agent.register(server.port, call_id="f2", cseq=1)
        check(status(reply) == 500 and header(reply, "P-Registrar-Error") is not None,
              f"REGISTER with the database down answered {reply!r}")
        check(time.monotonic() - started < 5, "the error reply took longer than 5 s")
        in_dialog = agent.request(server.port, "BYE", "someone", call_id="dialog-1", to_tag="t1")
        check(status(in_dialog) == 404, f"an in-dialog request was not served: {in_dialog!r}")
        options = agent.request(server.port, "OPTIONS", None, call_id="keepalive-1")
        check(status(options) == 484, f"an OPTIONS keepalive was not served: {options!r}")
        db.start()
        def registers():
            return status(agent.register(server.port, call_id=f"f3-{time.monotonic_ns()}", cseq=1)) == 200
        wait_until(registers, 20, "a REGISTER to succeed after the database restarted")
        check(db.query("SELECT COUNT(*) FROM location WHERE username='fault'") != [("0",)],
              "no location row after the restart")
        check(server.stop() == 0, f"unclean shutdown:\n{server.log()}")
    finally:
        db.close()


def case_mysql_fault(args, workdir):
    database_fault(args, workdir, "mysql")


def case_postgres_fault(args, workdir):
    database_fault(args, workdir, "postgres")


def case_kamailio_database(args, workdir):
    """A database made by Kamailio's schema files works both ways: kamc writes rows that
    kamailio loads, and loads rows that kamailio wrote."""
    db = workdir / "kamailio.db"
    kamailio_schema_db(db)
    shared_database_both_ways(args, workdir, ["DB_MODE=1", sqlite_url(db)])


def case_check_without_database(args, workdir):
    """`-c` needs no database, as kamailio -c runs no mod_init: Kamailio's default cfg with
    WITH_MYSQL/WITH_AUTH/WITH_USRLOCDB and a db_url where nothing listens is checked
    "ok" by kamc -c (and by kamailio -c where given), while starting it fails."""
    defines = ["WITH_MYSQL", "WITH_AUTH", "WITH_USRLOCDB", 'DBURL="mysql://kamailio:kamailiorw@127.0.0.1:1/kamailio"']
    define_args = [arg for d in defines for arg in ("-A", d)]
    commands = {"kamc": [args.kamc, "-c", str(DEFAULT_CFG), *define_args]}
    if args.kamailio:
        commands["kamailio"] = [args.kamailio, "-c", "-f", str(DEFAULT_CFG), "-L", KAMAILIO_MODULES, *define_args]
    for name, command in commands.items():
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        check(result.returncode == 0 and "config file ok" in result.stderr,
              f"{name} -c failed without a database ({result.returncode}):\n{result.stderr[-2000:]}")
    server = Server(args, workdir, cfg=DEFAULT_CFG, defines=defines)
    started = start(server.command(), workdir / "server.log")
    try:
        started.wait(timeout=30)
    except subprocess.TimeoutExpired:
        raise TestFailure("kamc run started although its database cannot be reached")
    check(started.returncode != 0 and "cannot connect to MySQL" in server.log(),
          f"kamc run without its database: exit {started.returncode}\n{server.log()}")


def case_mysql_kamailio_database(args, workdir):
    """The same on MariaDB with Kamailio's MySQL schema: kamc and kamailio (db_mysql)
    read each other's location rows."""
    db = database_server("mysql", workdir)
    try:
        shared_database_both_ways(args, workdir, server_db_defines(db, 1))
    finally:
        db.close()


def case_postgres_kamailio_database(args, workdir):
    """The same on PostgreSQL with Kamailio's schema (kamailio's db_postgres)."""
    db = database_server("postgres", workdir)
    try:
        shared_database_both_ways(args, workdir, server_db_defines(db, 1))
    finally:
        db.close()


def shared_database_both_ways(args, workdir, defines):
    check(args.kamailio is not None, "this case needs --kamailio")
    ours = Server(args, workdir, defines=defines, name="kamc").start()
    henry = Agent("henry")
    check(status(henry.register(ours.port, expires=600)) == 200, "register at kamc")
    ours.stop()
    theirs = Server(args, workdir, kind="kamailio", defines=defines, name="kamailio").start()
    listed = contacts_of(henry.register(theirs.port, contacts=[]))
    check([uri for uri, _ in listed] == [henry.contact()], f"kamailio did not load kamc's row: {listed}")
    iris = Agent("iris")
    check(status(iris.register(theirs.port, expires=600)) == 200, "register at kamailio")
    theirs.stop()
    ours = Server(args, workdir, defines=defines, name="kamc2").start()
    listed = contacts_of(iris.register(ours.port, contacts=[]))
    check([uri for uri, _ in listed] == [iris.contact()], f"kamc did not load kamailio's row: {listed}")
    ours.stop()


def default_config_observations(server_port, tag):
    """Kamailio's default config: two users register, one calls the other (forked to two
    contacts), both branches decline; then one unregisters and is no longer found."""
    alice, bob_a, bob_b = Agent(f"alice{tag}"), Agent(f"boba{tag}"), Agent(f"bobb{tag}")
    observed = []
    observed.append(status(alice.register(server_port, user="alice")))
    got_a, got_b = register_two_and_call(server_port, alice, bob_a, bob_b)
    observed.append(bool(got_a and got_a.startswith(f"INVITE {bob_a.contact('bob')} ")))
    observed.append(bool(got_b and got_b.startswith(f"INVITE {bob_b.contact('bob')} ")))
    if got_a and got_b:
        bob_a.answer(got_a, 486, "Busy Here")
        bob_b.answer(got_b, 603, "Decline")
        observed.append(status(alice.final_reply()))
    observed.append(status(bob_a.register(server_port, user="bob", contacts=["*"], expires=0)))
    alice.invite(server_port, "bob", f"after-{tag}")
    observed.append(status(alice.final_reply()))
    return observed


def case_default_config(args, workdir):
    results = {}
    for kind in ["kamc", "aot"] + (["kamailio"] if args.kamailio else []):
        server = Server(args, workdir, kind=kind, cfg=DEFAULT_CFG, name=f"default-{kind}").start()
        results[kind] = default_config_observations(server.port, kind)
        server.stop()
    print(results)
    check(results["kamc"][:3] == [200, True, True], f"kamc run: {results['kamc']}")
    check(results["kamc"] == results["aot"], f"kamc run and kamc -o differ: {results}")
    if "kamailio" in results:
        check(results["kamc"] == results["kamailio"], f"kamc and kamailio differ: {results}")


PATH_HOP = HERE / "integration" / "cfg" / "path-hop.cfg"
HOME_REGISTRAR = ROOT / "samples" / "home-registrar.cfg"


def path_topology(args, workdir, kind):
    """UA1 -> P1 (edge: add_path_received("Outbound"), use_received) -> P2 (add_path())
    -> home registrar (use_path=1, path_mode=2); then UA2 calls UA1 through the
    registrar. Returns what was observed, with each run's ports replaced by names."""
    db = workdir / f"path-{kind}.db"
    if kind == "kamailio":
        kamailio_schema_db(db)
    registrar = Server(args, workdir, kind=kind, cfg=HOME_REGISTRAR, name=f"{kind}-registrar",
                       defines=["DB_MODE=1", sqlite_url(db)]).start()
    p2 = Server(args, workdir, kind=kind, cfg=PATH_HOP, name=f"{kind}-p2",
                defines=[f'NEXT_HOP="sip:127.0.0.1:{registrar.port}"']).start()
    p1 = Server(args, workdir, kind=kind, cfg=PATH_HOP, name=f"{kind}-p1",
                defines=["EDGE", f'NEXT_HOP="sip:127.0.0.1:{p2.port}"']).start()
    ua1, ua2 = Agent("ua1"), Agent("ua2")
    names = {str(registrar.port): "REGISTRAR", str(p1.port): "P1", str(p2.port): "P2",
             str(ua1.port): "UA1", str(ua2.port): "UA2"}
    def anonymous(text):
        return re.sub(r"\b(\d{4,5})\b", lambda m: names.get(m.group(1), m.group(1)), text or "")

    observed = {}
    # UA1 is "behind NAT": its Contact is a private address nobody can reach, so the
    # INVITE reaches it only through the edge's received= (use_received).
    private = ["<sip:ua1@10.255.0.1:5999>"]
    strict = ua1.register(p1.port, contacts=private, expires=600)
    observed["without Supported: path"] = (status(strict), anonymous(header(strict, "Unsupported")),
                                           anonymous(header(strict, "Path")))
    ok = ua1.register(p1.port, contacts=private, expires=600, extra="Supported: path\r\n")
    observed["with Supported: path"] = (status(ok), anonymous(header(ok, "Path")),
                                        [anonymous(uri) for uri, _ in contacts_of(ok)])
    connection = sqlite3.connect(db, timeout=5)
    stored = connection.execute("SELECT contact, path, received FROM location").fetchall()
    connection.close()
    observed["stored"] = [tuple(anonymous(v) for v in row) for row in stored]
    ua2.invite(registrar.port, "ua1", f"path-call-{kind}")
    arrived = ua1.receive(5, want=r"INVITE ")
    vias = [anonymous(v) for v in re.findall(r"(?im)^Via: SIP/2\.0/UDP ([^;\r\n]+)", arrived or "")]
    observed["INVITE at UA1"] = (anonymous((arrived or "").split("\r\n")[0]), vias,
                                 anonymous(header(arrived, "Route")))
    for server in (p1, p2, registrar):
        server.stop()
    return observed


def case_path_topology(args, workdir):
    ours = path_topology(args, workdir, "kamc")
    print(ours)
    check(ours["without Supported: path"][0] == 420 and ours["without Supported: path"][1] == "path",
          f"strict path_mode without Supported: path: {ours['without Supported: path']}")
    check(ours["with Supported: path"][0] == 200 and "P1" in ours["with Supported: path"][1]
          and "P2" in ours["with Supported: path"][1], f"the 200 does not echo the Path: {ours['with Supported: path']}")
    check(ours["stored"] and "P2" in ours["stored"][0][1] and "received=" in ours["stored"][0][1],
          f"stored path: {ours['stored']}")
    check(ours["INVITE at UA1"][0].startswith("INVITE sip:ua1@10.255.0.1:5999"), f"at UA1: {ours['INVITE at UA1']}")
    check(ours["INVITE at UA1"][1][:3] == ["127.0.0.1:P1", "127.0.0.1:P2", "127.0.0.1:REGISTRAR"],
          f"the INVITE did not cross the registrar, P2 then P1: {ours['INVITE at UA1']}")
    if args.kamailio:
        theirs = path_topology(args, workdir, "kamailio")
        print(theirs)
        for key in ours:
            check(ours[key] == theirs[key], f"kamc and kamailio differ on {key}:\n kamc: {ours[key]}\n kamailio: {theirs[key]}")


def case_opensips_flags(args, workdir):
    """save("location", "p2v"): OpenSIPS' flags run with their meaning (strict Path,
    received from the Path), where samples/registrar.cfg has no Path modparams."""
    edge = "<sip:edge.example:5099;lr;received=sip:127.0.0.1:5999>"
    for flags, expected in (("p2v", 420), ("p0", 200), ("p1v", 200)):
        cfg = workdir / f"opensips-{flags}.cfg"
        cfg.write_text(SAMPLE.read_text().replace('save("location")', f'save("location", "{flags}")'))
        server = Server(args, workdir, cfg=cfg, defines=["DB_MODE=0"], name=f"opensips-{flags}").start()
        ua = Agent(f"os{flags}")
        reply = ua.register(server.port, extra=f"Path: {edge}\r\n")
        check(status(reply) == expected, f"save(..., \"{flags}\") answered {status(reply)}, expected {expected}")
        listed = ua.register(server.port, contacts=[], extra="Supported: path\r\n")
        if flags == "p1v":
            # v: the received= of the first Path URI became the binding's received address.
            check('received="sip:127.0.0.1:5999"' in (header(listed, "Contact") or ""), f"query: {listed!r}")
        server.stop()


def ulc_transcript(args, workdir, kind):
    block = ('\tif (is_method("OPTIONS") && $rU != $null) {\n'
             '\t\tif (reg_fetch_contacts("location", "$ru", "c")) {\n'
             '\t\t\tappend_to_reply("X-Count: $ulc(c=>count)\\r\\nX-Aor: $ulc(c=>aor)\\r\\n'
             'X-Addr: $(ulc(c=>addr)[1])\\r\\nX-Q: $(ulc(c=>q)[0])\\r\\nX-Callid: $(ulc(c=>callid)[0])\\r\\n");\n'
             '\t\t\treg_free_contacts("c");\n'
             '\t\t\tsl_send_reply("200", "Fetched");\n'
             '\t\t} else {\n\t\t\tsl_send_reply("404", "None");\n\t\t}\n\t\texit;\n\t}\n')
    cfg = workdir / f"ulc-{kind}.cfg"
    cfg.write_text(SAMPLE.read_text().replace('\tif (is_method("REGISTER")) {\n\t\troute(REGISTRAR);',
                                              block + '\tif (is_method("REGISTER")) {\n\t\troute(REGISTRAR);', 1))
    server = Server(args, workdir, kind=kind, cfg=cfg, defines=["DB_MODE=0"], name=f"ulc-{kind}").start()
    ua = Agent("uli")
    ua.register(server.port, contacts=["<sip:uli@10.0.0.1:5070>;q=0.8", "<sip:uli@10.0.0.2:5070>;q=0.4"],
                call_id="ulc-call")
    observed = []
    for user in ("uli", "nobody"):
        ua.send(server.port, f"OPTIONS sip:{user}@127.0.0.1:{server.port} SIP/2.0\r\n"
                             f"Via: SIP/2.0/UDP 127.0.0.1:{ua.port};branch=z9hG4bK-o{user};rport\r\n"
                             f"From: <sip:uli@127.0.0.1>;tag=o\r\nTo: <sip:{user}@127.0.0.1>\r\n"
                             f"Call-ID: o-{user}\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n")
        reply = ua.receive(3, want=r"SIP/2\.0 ", call_id=f"o-{user}")
        observed.append((status(reply), [header(reply, h) for h in ("X-Count", "X-Aor", "X-Addr", "X-Q", "X-Callid")]))
    server.stop()
    return observed


def case_ulc(args, workdir):
    ours = ulc_transcript(args, workdir, "kamc")
    print(ours)
    check(ours[0] == (200, ["2", "uli", "sip:uli@10.0.0.2:5070", "800", "ulc-call"]), f"$ulc: {ours[0]}")
    check(ours[1][0] == 404, f"reg_fetch_contacts found an unknown user: {ours[1]}")
    if args.kamailio:
        theirs = ulc_transcript(args, workdir, "kamailio")
        check(ours == theirs, f"kamc and kamailio differ:\n kamc: {ours}\n kamailio: {theirs}")


CASES = {name[5:]: fn for name, fn in globals().items() if name.startswith("case_")}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("case", choices=sorted(CASES))
    parser.add_argument("--kamc", required=True)
    parser.add_argument("--kamailio")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: (stop_all(), sys.exit(143)))
    import tempfile
    workdir = Path(tempfile.mkdtemp(prefix="kamc-registrar-"))
    try:
        CASES[args.case](args, workdir)
    except TestFailure as failure:
        print(f"FAIL: {failure}\n(logs in {workdir})", file=sys.stderr)
        return 1
    finally:
        stop_all()
    print(f"PASS {args.case}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
