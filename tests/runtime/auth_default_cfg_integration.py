#!/usr/bin/env python3
"""Kamailio's default kamailio.cfg with WITH_MYSQL, WITH_AUTH and WITH_USRLOCDB on a real
database server (issue 20): digest authentication of REGISTER and INVITE, nonces from
an earlier run, tampered and replayed nonces, and the location rows in the database.

    auth_default_cfg_integration.py {mysql|postgres} [--case auth|db_fault|stale_nonce]
                                    --server {kamailio|kamc-run|kamc-o} [--kamc PATH] [--kamailio PATH]

The database is a throwaway MariaDB or PostgreSQL server (integration/dbservers.py)
made from Kamailio's own schema files, with two subscribers. For postgres the default
cfg is used with db_postgres.so loaded in place of db_mysql.so (it has no WITH_PGSQL).
--server kamailio checks Kamailio's observations against what RFC 3261/2617 and the cfg
say (case db_fault: the database stops under the running proxy and comes back on the
same port; stale_nonce: the cfg with nonce_expire 3 s, answered after 5 s); a kamc server is checked the same way and, when --kamailio is given, compared
observation by observation with the real kamailio run in the same test as the oracle.
"""
import argparse
import hashlib
import re
import signal
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "integration"))
import dbservers  # noqa: E402
from sip_integration import TestFailure, check, stop_all  # noqa: E402
from registrar_integration import DEFAULT_CFG, Agent, Server, header, status  # noqa: E402


def stopped_cleanly(server, kind):
    """SIGTERM to the process group: kamc must exit 0. Kamailio's exit status then
    depends on whether a child or the main process handled the signal first, so for the
    oracle only the stop itself counts (the rows db_mode 2 writes at the stop are
    checked separately)."""
    code = server.stop()
    return kind == "kamailio" or code == 0

DOMAIN = "127.0.0.1"  # the From domain: `myself`, so the cfg authenticates against it
PASSWORDS = {"alice": "alice-secret", "bob": "bob-secret"}
SERVER_KINDS = {"kamailio": "kamailio", "kamc-run": "kamc", "kamc-o": "aot"}


# ---- digest (RFC 2617 without qop, as the cfg's auth_challenge("$fd", "0") asks) ------------

def challenge_of(reply):
    """The Digest challenge of a 401/407 as a dict of its parameters (unquoted)."""
    value = header(reply, "WWW-Authenticate") or header(reply, "Proxy-Authenticate")
    if not value or not value.lower().startswith("digest "):
        return None
    params = dict((k.lower(), v1 if v1 else v2)
                  for k, v1, v2 in re.findall(r'(\w+)\s*=\s*(?:"([^"]*)"|([^\s,]+))', value[7:]))
    return params


def challenge_shape(reply):
    """What a challenge says that does not change from run to run: its header, the
    realm, qop, algorithm and stale values, and which parameters it has."""
    params = challenge_of(reply)
    if params is None:
        return None
    which = "WWW-Authenticate" if header(reply, "WWW-Authenticate") else "Proxy-Authenticate"
    return (which, params.get("realm"), params.get("qop"), params.get("algorithm"),
            (params.get("stale") or "").lower() or None, tuple(sorted(params)))


def digest_header(user, password, realm, nonce, method, uri, opaque=None):
    ha1 = hashlib.md5(f"{user}:{realm}:{password}".encode()).hexdigest()
    ha2 = hashlib.md5(f"{method}:{uri}".encode()).hexdigest()
    response = hashlib.md5(f"{ha1}:{nonce}:{ha2}".encode()).hexdigest()
    text = (f'Digest username="{user}", realm="{realm}", nonce="{nonce}", uri="{uri}", '
            f'response="{response}", algorithm=MD5')
    return text + (f', opaque="{opaque}"' if opaque is not None else "")


def tampered(nonce):
    """The nonce with one character changed (still base64 of the same length)."""
    middle = len(nonce) // 2
    return nonce[:middle] + ("A" if nonce[middle] != "A" else "B") + nonce[middle + 1:]


# ---- requests ------------------------------------------------------------------------------

class Phone(Agent):
    """A user agent that registers with credentials and places INVITEs through the proxy.
    Its INVITEs come From the proxy's own host and port: the cfg authenticates only
    requests whose From URI is `myself` (which compares the port too) and relays others
    towards a local user unauthenticated."""

    def register_with(self, port, authorization=None, user=None, call_id=None):
        extra = f"Authorization: {authorization}\r\n" if authorization else ""
        return self.register(port, user=user, expires=600, extra=extra, call_id=call_id)

    def invite_text(self, port, callee, call_id, proxy_authorization=None, cseq=1):
        auth = f"Proxy-Authorization: {proxy_authorization}\r\n" if proxy_authorization else ""
        return (f"INVITE sip:{callee}@{DOMAIN}:{port} SIP/2.0\r\n"
                f"Via: SIP/2.0/UDP 127.0.0.1:{self.port};branch=z9hG4bK-{call_id}-{cseq};rport\r\n"
                f"From: <sip:{self.name}@{DOMAIN}:{port}>;tag=f-{call_id}\r\n"
                f"To: <sip:{callee}@{DOMAIN}>\r\n"
                f"Call-ID: {call_id}\r\nCSeq: {cseq} INVITE\r\nMax-Forwards: 70\r\n"
                f"Contact: <{self.contact()}>\r\n{auth}Content-Length: 0\r\n\r\n")

    def ack(self, port, reply, callee, call_id, cseq):
        """The ACK of a non-2xx final reply (RFC 3261 17.1.1.3): same branch, To tag."""
        tag = re.search(r";tag=([^;\s]+)", header(reply, "To") or "")
        self.send(port, f"ACK sip:{callee}@{DOMAIN}:{port} SIP/2.0\r\n"
                        f"Via: SIP/2.0/UDP 127.0.0.1:{self.port};branch=z9hG4bK-{call_id}-{cseq};rport\r\n"
                        f"From: <sip:{self.name}@{DOMAIN}:{port}>;tag=f-{call_id}\r\n"
                        f"To: <sip:{callee}@{DOMAIN}>{';tag=' + tag.group(1) if tag else ''}\r\n"
                        f"Call-ID: {call_id}\r\nCSeq: {cseq} ACK\r\nMax-Forwards: 70\r\n"
                        f"Content-Length: 0\r\n\r\n")

    def register_raw(self, port, domain, authorization=None):
        """A REGISTER of name@domain for this phone's contact; returns the reply."""
        self.cseq += 1
        auth = f"Authorization: {authorization}\r\n" if authorization else ""
        call_id = f"{self.call_id}-{domain}"
        self.send(port, f"REGISTER sip:{DOMAIN}:{port} SIP/2.0\r\n"
                        f"Via: SIP/2.0/UDP 127.0.0.1:{self.port};branch=z9hG4bK-{call_id}-{self.cseq};rport\r\n"
                        f"From: <sip:{self.name}@{domain}>;tag=f-{self.name}\r\n"
                        f"To: <sip:{self.name}@{domain}>\r\n"
                        f"Call-ID: {call_id}\r\nCSeq: {self.cseq} REGISTER\r\nMax-Forwards: 70\r\n"
                        f"Contact: <{self.contact()}>\r\nExpires: 600\r\n{auth}Content-Length: 0\r\n\r\n")
        return self.receive(want=r"SIP/2\.0 [2-6]", call_id=call_id)

    def in_dialog(self, port, method, target, route, call_id, to_tag, cseq, callee="bob"):
        """A request inside the dialog of call_id: to the peer's contact through the
        proxy's Record-Route (the first hop), with a branch of its own."""
        self.send(port, f"{method} {target} SIP/2.0\r\n"
                        f"Via: SIP/2.0/UDP 127.0.0.1:{self.port};branch=z9hG4bK-{call_id}-{method}-{cseq};rport\r\n"
                        f"Route: {route}\r\n"
                        f"From: <sip:{self.name}@{DOMAIN}:{port}>;tag=f-{call_id}\r\n"
                        f"To: <sip:{callee}@{DOMAIN}>;tag={to_tag}\r\n"
                        f"Call-ID: {call_id}\r\nCSeq: {cseq} {method}\r\nMax-Forwards: 70\r\n"
                        f"Content-Length: 0\r\n\r\n")

    def register_authenticated(self, port, password, user=None):
        """Challenge, then the digest answer to it; returns the second reply."""
        params = challenge_of(self.register_with(port, user=user)) or {}
        return self.register_with(port, digest_header(user or self.name, password, params.get("realm", DOMAIN),
                                                      params.get("nonce", ""), "REGISTER", f"sip:{DOMAIN}:{port}"),
                                  user=user)

    def invite_final(self, port, callee, call_id, proxy_authorization=None, cseq=1):
        """Sends an INVITE; returns its final reply (ACKed when not 2xx)."""
        self.send(port, self.invite_text(port, callee, call_id, proxy_authorization, cseq))
        reply = self.receive(5, want=r"SIP/2\.0 [2-6]", call_id=call_id)
        if reply and status(reply) >= 300:
            self.ack(port, reply, callee, call_id, cseq)
        return reply


def start_line(message):
    return (message or "").split("\r\n", 1)[0]


def reason(message):
    match = re.match(r"SIP/2\.0 \d{3} (.*)", start_line(message))
    return match.group(1) if match else None


# ---- one server's observations -------------------------------------------------------------

NONCE_EXPIRE = 3  # seconds, for the stale_nonce case


def default_cfg_for(db_kind, workdir, nonce_expire=None):
    """The default cfg; a copy when it must differ: for PostgreSQL it loads db_postgres.so
    where the original loads db_mysql.so (the cfg has no WITH_PGSQL); with nonce_expire
    it sets auth's nonce_expire (default 300 s) after the auth_db modparams."""
    if db_kind == "mysql" and nonce_expire is None:
        return DEFAULT_CFG
    text = DEFAULT_CFG.read_text()
    edits = []
    if db_kind == "postgres":
        edits.append(('loadmodule "db_mysql.so"', 'loadmodule "db_postgres.so"'))
    if nonce_expire is not None:
        anchor = 'modparam("auth_db", "use_domain", MULTIDOMAIN)'
        edits.append((anchor, f'{anchor}\nmodparam("auth", "nonce_expire", {nonce_expire})'))
    for old, new in edits:
        check(text.count(old) == 1, f"the default cfg no longer has `{old}` once")
        text = text.replace(old, new)
    cfg = workdir / f"kamailio-{db_kind}{'-nonce-expire' if nonce_expire else ''}.cfg"
    cfg.write_text(text)
    return cfg


def default_cfg_defines(db):
    return ["WITH_MYSQL", "WITH_AUTH", "WITH_USRLOCDB", f'DBURL="{db.db_url}"']


class Observations(list):
    """(name, value) pairs in the order observed, printed as they come."""

    def __init__(self, kind):
        super().__init__()
        self.kind = kind

    def note(self, name, value):
        self.append((name, value))
        print(f"  [{self.kind}] {name}: {value}", flush=True)


def observe(args, workdir, kind, db_kind):
    """Runs the default cfg under `kind` on a fresh database of `db_kind`; returns the
    observations as a list of (name, value), ports replaced by names."""
    observations = Observations(kind)
    note = observations.note

    db = dbservers.server(db_kind)
    with db:
        print(f"{db_kind} ready in {db.start_seconds:.2f}s (set up in {db.setup_seconds:.2f}s) at {db.db_url}")
        for user, password in PASSWORDS.items():
            db.add_subscriber(user, DOMAIN, password)
        cfg, defines = default_cfg_for(db_kind, workdir), default_cfg_defines(db)
        server = Server(args, workdir, kind=kind, cfg=cfg, defines=defines, name=f"{kind}-{db_kind}").start()
        port = server.port
        alice, bob, mallory = Phone("alice"), Phone("bob"), Phone("mallory")
        names = {str(port): "PROXY", str(alice.port): "ALICE", str(bob.port): "BOB", str(db.port): "DB"}
        def anonymous(text):
            return re.sub(r"\b(\d{4,5})\b", lambda m: names.get(m.group(1), m.group(1)), text or "")
        register_uri = f"sip:{DOMAIN}:{port}"

        # 1. REGISTER without credentials: a challenge for the From domain.
        first = alice.register_with(port)
        note("REGISTER without credentials", (status(first), reason(first), challenge_shape(first)))
        realm, nonce = (challenge_of(first) or {}).get("realm"), (challenge_of(first) or {}).get("nonce")
        check(nonce, f"{kind}: no nonce to answer in {first!r}\n{server.log()}")
        earlier_run_nonce = nonce

        # 2. The correct digest.
        good = digest_header("alice", PASSWORDS["alice"], realm, nonce, "REGISTER", register_uri)
        ok = alice.register_with(port, good)
        note("REGISTER with the correct digest",
             (status(ok), reason(ok), [anonymous(c) for c in re.findall(r"<([^>]+)>", header(ok, "Contact") or "")]))

        # 3. A replayed nonce: the same Authorization again, on a new CSeq.
        replay = alice.register_with(port, good)
        note("REGISTER replaying the accepted Authorization", (status(replay), challenge_shape(replay)))

        # 4. A wrong password, an unknown user, another user's AoR.
        fresh = challenge_of(alice.register_with(port)) or {}
        wrong = alice.register_with(port, digest_header("alice", "not-" + PASSWORDS["alice"], realm,
                                                        fresh.get("nonce", ""), "REGISTER", register_uri))
        note("REGISTER with a wrong password", (status(wrong), reason(wrong), challenge_shape(wrong)))
        unknown_challenge = challenge_of(mallory.register_with(port)) or {}
        unknown = mallory.register_with(port, digest_header("mallory", "guess", realm,
                                                            unknown_challenge.get("nonce", ""), "REGISTER",
                                                            register_uri))
        note("REGISTER of an unknown user", (status(unknown), reason(unknown), challenge_shape(unknown)))
        fresh = challenge_of(alice.register_with(port)) or {}
        foreign = alice.register_with(port, digest_header("alice", PASSWORDS["alice"], realm, fresh.get("nonce", ""),
                                                          "REGISTER", register_uri), user="bob", call_id="alice-as-bob")
        note("REGISTER of bob's AoR with alice's credentials", (status(foreign), challenge_shape(foreign)))

        # The realm is the From domain ($fd), not the proxy's address: a REGISTER of
        # alice@example.org (use_domain 0: the subscriber is found by its username).
        elsewhere = alice.register_raw(port, "example.org")
        params = challenge_of(elsewhere) or {}
        answered = alice.register_raw(port, "example.org", digest_header(
            "alice", PASSWORDS["alice"], params.get("realm", ""), params.get("nonce", ""), "REGISTER", register_uri))
        note("REGISTER of alice@example.org, without then with credentials",
             (status(elsewhere), challenge_shape(elsewhere), status(answered)))

        # 5. A tampered nonce.
        bad = alice.register_with(port, digest_header("alice", PASSWORDS["alice"], realm, tampered(nonce),
                                                      "REGISTER", register_uri))
        note("REGISTER with a tampered nonce", (status(bad), reason(bad), challenge_shape(bad)))

        # 6. bob registers; alice calls him without, then with credentials.
        bob_challenge = challenge_of(bob.register_with(port)) or {}
        bob_ok = bob.register_with(port, digest_header("bob", PASSWORDS["bob"], realm,
                                                       bob_challenge.get("nonce", ""), "REGISTER", register_uri))
        note("bob's REGISTER with the correct digest", (status(bob_ok), reason(bob_ok)))
        invite_uri = f"sip:bob@{DOMAIN}:{port}"
        unauthenticated = alice.invite_final(port, "bob", "call-1")
        note("INVITE without credentials", (status(unauthenticated), reason(unauthenticated),
                                            challenge_shape(unauthenticated)))
        proxy_nonce = (challenge_of(unauthenticated) or {}).get("nonce", "")
        credentials = digest_header("alice", PASSWORDS["alice"], realm, proxy_nonce, "INVITE", invite_uri)
        note("INVITE with credentials", relayed_invite(alice, bob, port, "call-2", credentials, anonymous))
        note("INVITE replaying the accepted Proxy-Authorization",
             relayed_invite(alice, bob, port, "call-3", credentials, anonymous))
        wrong_invite = alice.invite_final(port, "bob", "call-4", digest_header(
            "alice", "not-" + PASSWORDS["alice"], realm, proxy_nonce, "INVITE", invite_uri))
        note("INVITE with a wrong password", (status(wrong_invite), challenge_shape(wrong_invite)))

        # 7. A clean stop writes db_mode 2's bindings; the rows are Kamailio's location rows.
        check(stopped_cleanly(server, kind), f"{kind}: unclean shutdown:\n{server.log()}")
        rows = db.query("SELECT username, contact, expires > NOW(), cseq FROM location ORDER BY username")
        note("location rows after the stop", [tuple(anonymous(v) for v in row) for row in rows])

        # 8. Next run on the same port and database: a nonce of the earlier run, and
        #    bob's binding loaded from the database.
        # The same name: a kamc -o binary is built once; the first run's log is kept.
        log = workdir / f"{server.name}.log"
        log.rename(workdir / f"{server.name}-first-run.log")
        server = Server(args, workdir, kind=kind, cfg=cfg, defines=defines, port=port, name=server.name).start()
        stale = alice.register_with(port, digest_header("alice", PASSWORDS["alice"], realm, earlier_run_nonce,
                                                        "REGISTER", register_uri))
        note("REGISTER with a nonce of the earlier run", (status(stale), reason(stale), challenge_shape(stale)))
        again = alice.invite_final(port, "bob", "call-5")
        credentials = digest_header("alice", PASSWORDS["alice"], realm,
                                    (challenge_of(again) or {}).get("nonce", ""), "INVITE", invite_uri)
        note("INVITE after the restart to the binding loaded from the database",
             relayed_invite(alice, bob, port, "call-6", credentials, anonymous))
        check(stopped_cleanly(server, kind), f"{kind}: unclean shutdown after the restart:\n{server.log()}")
    return observations


def observe_db_fault(args, workdir, kind, db_kind):
    """The default cfg while its database stops and comes back on the same port: a call
    set up before; then, with the database down, OPTIONS keepalives, the call's BYE,
    REGISTERs and INVITEs that need auth_db; then REGISTERs until one succeeds again
    (bounded), with no restart of the proxy."""
    observations = Observations(kind)
    note = observations.note

    db = dbservers.server(db_kind)
    with db:
        for user, password in PASSWORDS.items():
            db.add_subscriber(user, DOMAIN, password)
        cfg, defines = default_cfg_for(db_kind, workdir), default_cfg_defines(db)
        server = Server(args, workdir, kind=kind, cfg=cfg, defines=defines, name=f"{kind}-{db_kind}-fault").start()
        port = server.port
        alice, bob = Phone("alice"), Phone("bob")
        note("alice and bob register with the database up",
             (status(alice.register_authenticated(port, PASSWORDS["alice"])),
              status(bob.register_authenticated(port, PASSWORDS["bob"]))))
        invite_uri = f"sip:bob@{DOMAIN}:{port}"
        params = challenge_of(alice.invite_final(port, "bob", "fault-call-0")) or {}
        credentials = digest_header("alice", PASSWORDS["alice"], params.get("realm", DOMAIN),
                                    params.get("nonce", ""), "INVITE", invite_uri)
        dialog = establish_call(alice, bob, port, "fault-call", credentials)
        note("call set up before the fault", dialog is not None)

        db.stop()
        began = time.monotonic()
        options = alice.request(port, "OPTIONS", None, call_id="fault-keepalive")
        note("OPTIONS keepalive with the database down", (status(options), reason(options)))
        bye = bye_reply = None
        if dialog is not None:
            alice.in_dialog(port, "BYE", *dialog, 2)
            bye = bob.receive(5, want=r"BYE ", call_id="fault-call")
            if bye:
                bob.answer(bye, 200, "OK")
            bye_reply = alice.receive(5, want=r"SIP/2\.0 [2-6]", call_id="fault-call")
        note("in-dialog BYE with the database down", (bye is not None, status(bye_reply)))
        unauthenticated = alice.register_with(port)
        note("REGISTER without credentials, database down", (status(unauthenticated), reason(unauthenticated),
                                                              challenge_shape(unauthenticated)))
        nonce = (challenge_of(unauthenticated) or {}).get("nonce", "")
        down = alice.register_with(port, digest_header("alice", PASSWORDS["alice"], DOMAIN, nonce, "REGISTER",
                                                       f"sip:{DOMAIN}:{port}"))
        extra = alice.receive(0.5, want=r"SIP/2\.0 ")  # a second reply, as sl_reply_error after save() gives
        note("REGISTER with the correct digest, database down",
             (status(down), reason(down), challenge_shape(down), status(extra)))
        invite_down = alice.invite_final(port, "bob", "fault-call-2", credentials)
        note("INVITE with credentials, database down", (status(invite_down), reason(invite_down),
                                                        challenge_shape(invite_down)))
        note("every reply with the database down came within 5 s", time.monotonic() - began < 5)

        db.start()
        attempts, recovered = 0, None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and attempts < 60:
            attempts += 1
            recovered = alice.register_authenticated(port, PASSWORDS["alice"])
            if status(recovered) == 200:
                break
            time.sleep(0.5)
        note("REGISTER with the correct digest once the database is back", status(recovered))
        print(f"  [{kind}] registered again after {attempts} attempt(s)")
        check(stopped_cleanly(server, kind), f"{kind}: unclean shutdown after the fault:\n{server.log()}")
        rows = db.query("SELECT username FROM location ORDER BY username")
        note("location rows after the stop", rows)
    return observations


def observe_stale_nonce(args, workdir, kind, db_kind):
    """The default cfg with nonce_expire 3 s: the answer to a challenge older than that,
    then the answer to the challenge that follows, for REGISTER and INVITE."""
    observations = Observations(kind)
    note = observations.note
    db = dbservers.server(db_kind)
    with db:
        for user, password in PASSWORDS.items():
            db.add_subscriber(user, DOMAIN, password)
        cfg = default_cfg_for(db_kind, workdir, nonce_expire=NONCE_EXPIRE)
        server = Server(args, workdir, kind=kind, cfg=cfg, defines=default_cfg_defines(db),
                        name=f"{kind}-{db_kind}-stale").start()
        port = server.port
        alice = Phone("alice")
        register_uri, invite_uri = f"sip:{DOMAIN}:{port}", f"sip:bob@{DOMAIN}:{port}"
        old_register = (challenge_of(alice.register_with(port)) or {}).get("nonce", "")
        old_invite = (challenge_of(alice.invite_final(port, "bob", "stale-0")) or {}).get("nonce", "")
        time.sleep(NONCE_EXPIRE + 2)
        stale = alice.register_with(port, digest_header("alice", PASSWORDS["alice"], DOMAIN, old_register,
                                                        "REGISTER", register_uri))
        note("REGISTER answering an expired nonce", (status(stale), reason(stale), challenge_shape(stale)))
        fresh = (challenge_of(stale) or {}).get("nonce", "")
        again = alice.register_with(port, digest_header("alice", PASSWORDS["alice"], DOMAIN, fresh, "REGISTER",
                                                        register_uri))
        note("REGISTER answering the challenge that came with it", (status(again), reason(again)))
        stale_invite = alice.invite_final(port, "bob", "stale-1", digest_header(
            "alice", PASSWORDS["alice"], DOMAIN, old_invite, "INVITE", invite_uri))
        note("INVITE answering an expired nonce", (status(stale_invite), reason(stale_invite),
                                                   challenge_shape(stale_invite)))
        check(stopped_cleanly(server, kind), f"{kind}: unclean shutdown:\n{server.log()}")
    return observations


def expect_stale_nonce_behaviour(kind, observations):
    seen = dict(observations)
    def expect(name, predicate, why):
        check(name in seen and predicate(seen[name]), f"{kind}: {name}: {seen.get(name)!r} — {why}")
    # Whether the new challenge says stale=true is compared with kamailio's, which in
    # this cfg (auth_check, then auth_challenge("$fd", "0")) does not say it.
    expect("REGISTER answering an expired nonce", lambda v: v[0] == 401 and v[2] is not None,
           "a new challenge: the password was right but the nonce is older than nonce_expire")
    expect("REGISTER answering the challenge that came with it", lambda v: v[0] == 200,
           "a 200: the same password with a nonce younger than nonce_expire")
    expect("INVITE answering an expired nonce", lambda v: v[0] == 407 and v[2] is not None,
           "a new Proxy-Authenticate challenge")


def establish_call(alice, bob, port, call_id, credentials):
    """alice's authenticated INVITE answered 200 by bob and ACKed; returns the in-dialog
    request's (target, route, call_id, to_tag) for Phone.in_dialog, or None."""
    alice.send(port, alice.invite_text(port, "bob", call_id, credentials))
    arrived = bob.receive(5, want=r"INVITE ", call_id=call_id)
    if arrived is None:
        return None
    bob.answer(arrived, 200, "OK")
    answered = alice.receive(5, want=r"SIP/2\.0 200", call_id=call_id)
    tag = re.search(r";tag=([^;\s>]+)", header(answered, "To") or "")
    if answered is None or tag is None:
        return None
    dialog = (bob.contact(), header(answered, "Record-Route"), call_id, tag.group(1))
    alice.in_dialog(port, "ACK", *dialog, 1)
    return dialog if bob.receive(5, want=r"ACK ", call_id=call_id) is not None else None


def relayed_invite(alice, bob, port, call_id, credentials, anonymous):
    """alice's authenticated INVITE: whether it reaches bob's contact and how (its
    Request-URI, whether the credentials were consumed, Record-Route), and the final
    reply alice gets once bob declines with 486."""
    alice.send(port, alice.invite_text(port, "bob", call_id, credentials))
    arrived = bob.receive(5, want=r"INVITE ", call_id=call_id)
    if arrived is None:
        reply = alice.receive(3, want=r"SIP/2\.0 [2-6]", call_id=call_id)
        if reply and status(reply) >= 300:
            alice.ack(port, reply, "bob", call_id, 1)
        return ("not relayed", status(reply), challenge_shape(reply))
    bob.answer(arrived, 486, "Busy Here")
    final = alice.receive(5, want=r"SIP/2\.0 [2-6]", call_id=call_id)
    if final and status(final) >= 300:
        alice.ack(port, final, "bob", call_id, 1)
    return ("relayed", anonymous(start_line(arrived)), header(arrived, "Proxy-Authorization") is not None,
            anonymous(header(arrived, "Record-Route")), status(final))


# ---- what must hold, for any server ----------------------------------------------------------

def expect_behaviour(kind, observations):
    seen = dict(observations)
    def expect(name, predicate, why):
        check(name in seen and predicate(seen[name]), f"{kind}: {name}: {seen.get(name)!r} — {why}")
    www = ("WWW-Authenticate", DOMAIN)
    expect("REGISTER without credentials", lambda v: v[0] == 401 and v[2] and v[2][:2] == www,
           "a 401 with a Digest WWW-Authenticate challenge for the From domain")
    expect("REGISTER with the correct digest", lambda v: v[0] == 200 and v[2] == ["sip:alice@127.0.0.1:ALICE"],
           "a 200 listing the new binding")
    expect("bob's REGISTER with the correct digest", lambda v: v[0] == 200, "a 200")
    expect("REGISTER of alice@example.org, without then with credentials",
           lambda v: v[0] == 401 and v[1] and v[1][1] == "example.org" and v[2] == 200,
           "the realm is the From domain, and the answer to that challenge is accepted")
    expect("REGISTER with a wrong password", lambda v: v[0] == 401 and v[2] and v[2][:2] == www,
           "a new challenge")
    expect("REGISTER of an unknown user", lambda v: v[0] == 401, "a new challenge")
    expect("REGISTER with a tampered nonce", lambda v: v[0] == 401, "a new challenge")
    expect("REGISTER with a nonce of the earlier run", lambda v: v[0] == 401,
           "a new challenge: the nonce's secret was the earlier run's")
    expect("INVITE without credentials", lambda v: v[0] == 407 and v[2] and v[2][:2] == ("Proxy-Authenticate", DOMAIN),
           "a 407 with a Proxy-Authenticate challenge")
    relayed = lambda v: v[0] == "relayed" and v[1].startswith("INVITE sip:bob@127.0.0.1:BOB") and v[4] == 486
    expect("INVITE with credentials", relayed, "relayed to bob's contact; bob's 486 back to alice")
    expect("INVITE with credentials", lambda v: v[2] is False, "consume_credentials() removed Proxy-Authorization")
    expect("INVITE with a wrong password", lambda v: v[0] == 407, "a new challenge")
    expect("location rows after the stop",
           lambda v: [(r[0], r[1]) for r in v] == [("alice", "sip:alice@127.0.0.1:ALICE"),
                                                  ("bob", "sip:bob@127.0.0.1:BOB")],
           "db_mode 2 wrote alice's and bob's bindings by the clean stop")
    expect("INVITE after the restart to the binding loaded from the database", relayed,
           "bob's binding came back from the database")


def compare(ours_kind, ours, theirs):
    differences = [f"  {name}:\n    {ours_kind}: {mine!r}\n    kamailio: {other!r}"
                   for (name, mine), (_, other) in zip(ours, theirs) if mine != other]
    names_differ = [n for n, _ in ours] != [n for n, _ in theirs]
    check(not differences and not names_differ,
          f"{ours_kind} and kamailio differ:\n" + "\n".join(differences))


def expect_db_fault_behaviour(kind, observations):
    seen = dict(observations)
    def expect(name, predicate, why):
        check(name in seen and predicate(seen[name]), f"{kind}: {name}: {seen.get(name)!r} — {why}")
    expect("alice and bob register with the database up", lambda v: v == (200, 200), "both get a 200")
    expect("call set up before the fault", lambda v: v is True, "INVITE, 200 and ACK through the proxy")
    expect("OPTIONS keepalive with the database down", lambda v: v == (200, "Keepalive"),
           "REQINIT answers keepalives without the database")
    expect("in-dialog BYE with the database down", lambda v: v == (True, 200),
           "loose-routed in-dialog requests need no database")
    expect("REGISTER without credentials, database down", lambda v: v[0] == 401 and v[2] is not None,
           "auth_challenge() needs no database")
    expect("REGISTER with the correct digest, database down", lambda v: v[0] is not None and v[0] >= 400,
           "an error reply (kamailio: a new challenge), not a 200 nor silence")
    expect("INVITE with credentials, database down", lambda v: v[0] is not None and v[0] >= 400,
           "an error reply (kamailio: a new challenge), not relayed nor silence")
    expect("every reply with the database down came within 5 s", lambda v: v is True, "nothing blocks")
    expect("REGISTER with the correct digest once the database is back", lambda v: v == 200,
           "the connection comes back without a restart of the proxy")
    expect("location rows after the stop", lambda v: v == [("alice",), ("bob",)],
           "db_mode 2 wrote the bindings once the database was back")


CASES = {"auth": (observe, expect_behaviour), "db_fault": (observe_db_fault, expect_db_fault_behaviour),
         "stale_nonce": (observe_stale_nonce, expect_stale_nonce_behaviour)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("database", choices=["mysql", "postgres"])
    parser.add_argument("--case", choices=sorted(CASES), default="auth")
    parser.add_argument("--server", choices=sorted(SERVER_KINDS), required=True)
    parser.add_argument("--kamc")
    parser.add_argument("--kamailio")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: (stop_all(), sys.exit(143)))
    if args.server != "kamailio" and not args.kamc:
        parser.error(f"--server {args.server} needs --kamc")
    if args.server == "kamailio" and not args.kamailio:
        parser.error("--server kamailio needs --kamailio")
    workdir = Path(tempfile.mkdtemp(prefix="kamc-dbauth-"))
    try:
        # The oracle first: when kamc fails, its log sits next to what kamailio did.
        observe_case, expect_case = CASES[args.case]
        theirs = observe_case(args, workdir, "kamailio", args.database) if args.kamailio else None
        if theirs is not None:
            expect_case("kamailio", theirs)
        if args.server != "kamailio":
            ours = observe_case(args, workdir, SERVER_KINDS[args.server], args.database)
            if theirs is not None:
                compare(args.server, ours, theirs)
            expect_case(args.server, ours)
    except (TestFailure, dbservers.DatabaseError) as failure:
        print(f"FAIL: {failure}\n(logs in {workdir})", file=sys.stderr)
        return 1
    finally:
        stop_all()
    print(f"PASS {args.database} {args.case} {args.server}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
