#!/usr/bin/env python3
"""auth + auth_db over real sockets: cfg/auth-sqlite.cfg on a SQLite database made from
Kamailio's own schema files, served by `kamc run`, `kamc -o` and, as the oracle, the real
kamailio. The user agent is this script: it computes digests with hashlib, so every
header that comes back can be checked.

One case per invocation:
    auth_integration.py CASE --kamc PATH [--kamailio PATH]
Every process runs in its own process group and is stopped by it; ports are free ports
picked at run time; every wait is bounded.
"""
import hashlib
import re
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent / "integration"))
from sip_integration import check, run_case_main  # noqa: E402
from registrar_integration import Agent, Server, header, status  # noqa: E402

HERE = Path(__file__).resolve().parent
CFG = HERE / "integration" / "cfg" / "auth-sqlite.cfg"
KAMAILIO_SQLITE_SCHEMA = Path("/usr/share/kamailio/db_sqlite")
REALM = "127.0.0.1"  # the cfg challenges with realm $fd
PASSWORDS = {"alice": "wonderland", "bob": "builder"}


# ---- the database --------------------------------------------------------------------------

def subscriber_db(path, algorithm="md5"):
    """Kamailio's schema (standard + auth_db, as `kamdbctl create` makes it) with two
    subscribers; ha1 as kamdbctl computes it, for load_credentials to return."""
    connection = sqlite3.connect(path)
    for name in ("standard-create.sql", "auth_db-create.sql"):
        connection.executescript((KAMAILIO_SQLITE_SCHEMA / name).read_text())
    for user, password in PASSWORDS.items():
        ha1 = digest(algorithm, f"{user}:{REALM}:{password}")
        connection.execute("INSERT INTO subscriber (username, domain, password, ha1, ha1b) VALUES (?, ?, ?, ?, ?)",
                           (user, REALM, password, ha1, digest(algorithm, f"{user}@{REALM}:{REALM}:{password}")))
    connection.commit()
    connection.close()


def db_define(path):
    return f'DB_URL="sqlite:///{path}"'  # Kamailio's reading: the absolute path after the empty host


# ---- digests -------------------------------------------------------------------------------

def digest(algorithm, text):
    return (hashlib.sha256 if algorithm == "sha256" else hashlib.md5)(text.encode()).hexdigest()


def challenge_params(value):
    """The parameters of a WWW-/Proxy-Authenticate value."""
    check(value is not None and value.startswith("Digest "), f"not a digest challenge: {value!r}")
    return dict((k, v.strip('"')) for k, v in re.findall(r'(\w+)=("[^"]*"|[^,\s]+)', value))


def credentials(user, password, realm, nonce, method, uri, qop=None, nc=1, algorithm="md5", cnonce="0a4f113b",
                response=None):
    ha1 = digest(algorithm, f"{user}:{realm}:{password}")
    ha2 = digest(algorithm, f"{method}:{uri}")
    nc_text = f"{nc:08x}"
    if qop:
        expected = digest(algorithm, f"{ha1}:{nonce}:{nc_text}:{cnonce}:{qop}:{ha2}")
    else:
        expected = digest(algorithm, f"{ha1}:{nonce}:{ha2}")
    text = (f'Digest username="{user}", realm="{realm}", nonce="{nonce}", uri="{uri}", '
            f'response="{response or expected}"')
    if algorithm == "sha256":
        text += ", algorithm=SHA-256"
    if qop:
        text += f', qop={qop}, nc={nc_text}, cnonce="{cnonce}"'
    return text


# ---- requests ------------------------------------------------------------------------------

def request(agent, port, method, user, extra="", from_user=None, to_user=None, call_id=None, ruri=None):
    """A request from `agent` as `from_user`; returns the final reply."""
    agent.cseq += 1
    call_id = call_id or f"{method}-{agent.port}-{time.monotonic_ns()}"
    ruri = ruri or (f"sip:{REALM}:{port}" if method == "REGISTER" else f"sip:{user}@{REALM}:{port}")
    text = (f"{method} {ruri} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.1:{agent.port};branch=z9hG4bK-{call_id}-{agent.cseq};rport\r\n"
            f"From: <sip:{from_user or user}@{REALM}>;tag=f-{agent.cseq}\r\n"
            f"To: <sip:{to_user or user}@{REALM}>\r\n"
            f"Call-ID: {call_id}\r\nCSeq: {agent.cseq} {method}\r\nMax-Forwards: 70\r\n"
            f"Contact: <sip:{user}@127.0.0.1:{agent.port}>\r\n{extra}Content-Length: 0\r\n\r\n")
    agent.send(port, text)
    return agent.receive(want=r"SIP/2\.0 [2-6]", call_id=call_id), ruri


def challenge_shape(reply, name):
    """What a challenge says, with the nonce reduced to its length: the values differ
    between servers (random secrets) but the form must not."""
    value = header(reply, name)
    if value is None:
        return None
    params = challenge_params(value)
    shape = re.sub(r'nonce="[^"]*"', f'nonce=<{len(params.get("nonce", ""))} chars>', value)
    return shape


def observe(reply, *names):
    """The status line's code and reason, and the named headers."""
    check(reply is not None, "no reply")
    reason = reply.split("\r\n", 1)[0].split(" ", 2)[2]
    seen = [status(reply), reason]
    for name in names:
        if name in ("WWW-Authenticate", "Proxy-Authenticate"):
            seen.append(challenge_shape(reply, name))
        else:
            value = header(reply, name)
            seen.append(re.sub(r"(?<=[0-9]):[0-9]+\b", ":<port>", value) if value else value)  # own ports
    return seen


def authorized_register(agent, port, user, password, challenge_reply, call_id=None, **kwargs):
    params = challenge_params(header(challenge_reply, "WWW-Authenticate"))
    uri = f"sip:{REALM}:{port}"
    creds = credentials(user, password, params["realm"], params["nonce"], "REGISTER", uri, qop=params.get("qop"),
                        **kwargs)
    reply, _ = request(agent, port, "REGISTER", user, extra=f"Authorization: {creds}\r\n", call_id=call_id)
    return reply, creds


def transcript(port, algorithm="md5"):
    """REGISTER, INVITE, MESSAGE and SUBSCRIBE exchanges covering every auth outcome;
    a list of (step, observations)."""
    alice, callee = Agent("alice"), Agent("callee")
    steps = []
    www = ("X-Auth-Rc", "WWW-Authenticate")

    first, _ = request(alice, port, "REGISTER", "alice")
    steps.append(("register without credentials", observe(first, *www)))
    good, creds = authorized_register(alice, port, "alice", PASSWORDS["alice"], first, algorithm=algorithm)
    steps.append(("register with the right password", observe(good, "X-Auth-Rc", "X-Auth-User", "X-Is-Alice", "WWW-Authenticate")))
    replay, _ = request(alice, port, "REGISTER", "alice", extra=f"Authorization: {creds}\r\n")
    steps.append(("the same credentials again (replayed nonce)", observe(replay, *www)))
    wrong, _ = authorized_register(alice, port, "alice", "not-the-password", first, algorithm=algorithm)
    steps.append(("register with a wrong password", observe(wrong, *www)))
    params = challenge_params(header(first, "WWW-Authenticate"))
    unknown, _ = request(alice, port, "REGISTER", "mallory", extra="Authorization: " + credentials(
        "mallory", "x", REALM, params["nonce"], "REGISTER", f"sip:{REALM}:{port}", qop=params.get("qop"),
        algorithm=algorithm) + "\r\n")
    steps.append(("register an unknown user", observe(unknown, *www)))
    nonce = params["nonce"]
    for label, at in (("register with a nonce whose times were changed", 5),
                      ("register with a nonce whose signature was changed", 20)):
        forged = nonce[:at] + ("A" if nonce[at] != "A" else "B") + nonce[at + 1:]
        tampered, _ = authorized_register(alice, port, "alice", PASSWORDS["alice"],
                                          first.replace(nonce, forged), algorithm=algorithm)
        steps.append((label, observe(tampered, *www)))
    other_realm, _ = request(alice, port, "REGISTER", "alice", extra="Authorization: " + credentials(
        "alice", PASSWORDS["alice"], "elsewhere.org", nonce, "REGISTER", f"sip:{REALM}:{port}",
        algorithm=algorithm) + "\r\n")
    steps.append(("credentials for another realm", observe(other_realm, *www)))
    broken, _ = request(alice, port, "REGISTER", "alice", extra='Authorization: Digest username="alice, realm=\r\n')
    steps.append(("a malformed Authorization header", observe(broken, *www)))
    for label, probe, password in (("www_authenticate with a method argument", "method", PASSWORDS["alice"]),
                                   ("pv_www_authenticate with a method argument", "script method", "scriptsecret")):
        observed = []
        for method in ("NOTIFY", "REGISTER"):  # the response covers NOTIFY; the second one is wrong
            over_notify = credentials("alice", password, REALM, nonce, "NOTIFY", f"sip:{REALM}:{port}",
                                      qop=params.get("qop"), algorithm=algorithm)
            reply, _ = request(alice, port, "REGISTER", "alice",
                               extra=f"X-Probe: {probe}\r\nX-Method: {method}\r\nAuthorization: {over_notify}\r\n")
            observed.append(observe(reply, "X-Auth-Rc")[:3])
        steps.append((label, observed))
    built, _ = request(alice, port, "OPTIONS", "alice", extra="X-Probe: get_www_authenticate\r\n")
    steps.append(("auth_get_www_authenticate", observe(built, "WWW-Authenticate")))
    has, _ = request(alice, port, "REGISTER", "alice", extra=f"X-Probe: has_credentials\r\nAuthorization: {creds}\r\n")
    has_not, _ = request(alice, port, "REGISTER", "alice", extra="X-Probe: has_credentials\r\n")
    steps.append(("has_credentials", [header(has, "X-Has"), header(has_not, "X-Has")]))
    from_bob, _ = request(alice, port, "REGISTER", "alice", from_user="bob", extra="X-Probe: has_credentials\r\n")
    steps.append(("$Au and $AU without authorization come from From", [header(from_bob, "X-Acc")]))

    # INVITE: auth_check with the identity check, then relayed without the credentials.
    invite_first, ruri = request(alice, port, "INVITE", "callee", from_user="alice",
                                 ruri=f"sip:callee@127.0.0.1:{callee.port}")
    steps.append(("invite without credentials", observe(invite_first, "X-Auth-Rc", "Proxy-Authenticate")))
    alice.send(port, f"ACK {ruri} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{alice.port};branch=z9hG4bK-ack\r\n"
                     f"From: <sip:alice@{REALM}>\r\nTo: <sip:callee@{REALM}>\r\nCall-ID: x\r\nCSeq: 1 ACK\r\n"
                     f"Content-Length: 0\r\n\r\n")
    p = challenge_params(header(invite_first, "Proxy-Authenticate"))
    invite_creds = credentials("alice", PASSWORDS["alice"], p["realm"], p["nonce"], "INVITE", ruri,
                               qop=p.get("qop"), algorithm=algorithm)
    call_id = f"call-{alice.port}"
    alice.cseq += 1
    alice.send(port, f"INVITE {ruri} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{alice.port};branch=z9hG4bK-{call_id};rport\r\n"
                     f"From: <sip:alice@{REALM}>;tag=f-call\r\nTo: <sip:callee@{REALM}>\r\nCall-ID: {call_id}\r\n"
                     f"CSeq: {alice.cseq} INVITE\r\nMax-Forwards: 70\r\nContact: <sip:alice@127.0.0.1:{alice.port}>\r\n"
                     f"Proxy-Authorization: {invite_creds}\r\nContent-Length: 0\r\n\r\n")
    relayed = callee.receive(5, want=r"INVITE ")
    steps.append(("invite with credentials reaches the callee",
                  [relayed is not None, relayed is not None and header(relayed, "Proxy-Authorization") is None]))
    if relayed:
        callee.answer(relayed, 486, "Busy Here")
        final = alice.receive(5, want=r"SIP/2\.0 [2-6]", call_id=call_id)
        steps.append(("the callee's answer comes back", observe(final)))
    spoof_creds = invite_creds  # alice's credentials with bob in From: the identity check refuses
    spoof, _ = request(alice, port, "INVITE", "callee", from_user="bob", ruri=f"sip:callee@127.0.0.1:{callee.port}",
                       extra=f"Proxy-Authorization: {spoof_creds}\r\n")
    steps.append(("alice's credentials with bob's From", observe(spoof, "X-Auth-Rc", "Proxy-Authenticate")))

    # MESSAGE: pv_proxy_authorize with the password in the script.
    message_first, _ = request(alice, port, "MESSAGE", "alice")
    steps.append(("message without credentials", observe(message_first, "X-Auth-Rc", "Proxy-Authenticate")))
    p = challenge_params(header(message_first, "Proxy-Authenticate"))
    message_ok, _ = request(alice, port, "MESSAGE", "alice", extra="Proxy-Authorization: " + credentials(
        "alice", "scriptsecret", p["realm"], p["nonce"], "MESSAGE", f"sip:alice@{REALM}:{port}",
        algorithm=algorithm) + "\r\n")
    steps.append(("message with the script's password", observe(message_ok, "X-Auth-Rc")))

    # is_subscriber with the domain (flags 1) and without loading credentials (2).
    known, _ = request(alice, port, "SUBSCRIBE", "alice", extra=f"X-Check: sip:bob@{REALM}\r\n")
    unknown_subscriber, _ = request(alice, port, "SUBSCRIBE", "alice", extra=f"X-Check: sip:nobody@{REALM}\r\n")
    steps.append(("is_subscriber", [header(known, "X-Subscriber"), header(unknown_subscriber, "X-Subscriber")]))
    return steps


def stale_transcript(port, algorithm="md5"):
    """With nonce_expire 2: a nonce used after it expired gets -4 and stale=true."""
    alice = Agent("alice")
    first, _ = request(alice, port, "REGISTER", "alice")
    time.sleep(3.5)
    late, _ = authorized_register(alice, port, "alice", PASSWORDS["alice"], first, algorithm=algorithm)
    steps = [("register with an expired nonce", observe(late, "X-Auth-Rc", "WWW-Authenticate"))]
    fresh, _ = authorized_register(alice, port, "alice", PASSWORDS["alice"], late, algorithm=algorithm)
    steps.append(("register again with the stale challenge's nonce", observe(fresh, "X-Auth-Rc")))
    return steps


def otn_transcript(port):
    """one_time_nonce: the second use of a nonce is refused with -6."""
    alice = Agent("alice")
    first, _ = request(alice, port, "REGISTER", "alice")
    good, creds = authorized_register(alice, port, "alice", PASSWORDS["alice"], first)
    replay, _ = request(alice, port, "REGISTER", "alice", extra=f"Authorization: {creds}\r\n")
    return [("register without credentials", observe(first, "X-Auth-Rc", "WWW-Authenticate")),
            ("first use of the nonce", observe(good, "X-Auth-Rc")),
            ("second use of the nonce", observe(replay, "X-Auth-Rc", "WWW-Authenticate"))]


def nc_transcript(port):
    """nonce_count: each use of a nonce needs a larger nc; an nc seen before is stale."""
    alice = Agent("alice")
    first, _ = request(alice, port, "REGISTER", "alice")
    steps = [("register without credentials", observe(first, "X-Auth-Rc", "WWW-Authenticate"))]
    for label, nc in (("nc 1", 1), ("nc 1 again", 1), ("nc 2", 2), ("nc 5", 5), ("nc 3 after 5", 3),
                      ("nc 256", 256)):
        reply, _ = authorized_register(alice, port, "alice", PASSWORDS["alice"], first, nc=nc)
        steps.append((label, observe(reply, "X-Auth-Rc")))
        if label == "nc 2":
            steps.append(("Authentication-Info of nc 2", authentication_info_shape(reply, first, port, nc)))
    return steps


def authentication_info_shape(reply, challenge_reply, port, nc):
    """add_authinfo_hdr: the header's fields, and whether rspauth proves the server knows
    H(A1) (RFC 2617 3.2.3: A2 is ":" digest-uri)."""
    value = header(reply, "Authentication-Info")
    if value is None:
        return None
    fields = dict((k, v.strip('"')) for k, v in re.findall(r'(\w+)=("[^"]*"|[^,\s]+)', value))
    nonce = challenge_params(header(challenge_reply, "WWW-Authenticate"))["nonce"]
    ha1 = digest("md5", f"alice:{REALM}:{PASSWORDS['alice']}")
    expected = digest("md5", f"{ha1}:{nonce}:{nc:08x}:0a4f113b:auth:" + digest("md5", f":sip:{REALM}:{port}"))
    return [sorted(fields), fields.get("nextnonce") == nonce, fields.get("rspauth") == expected]


def checks_transcript(port):
    """auth_checks_register=2: the nonce is bound to the REGISTER's Call-ID."""
    alice = Agent("alice")
    call_id = f"reg-{alice.port}"
    first, _ = request(alice, port, "REGISTER", "alice", call_id=call_id)
    same, _ = authorized_register(alice, port, "alice", PASSWORDS["alice"], first, call_id=call_id)
    other, _ = authorized_register(alice, port, "alice", PASSWORDS["alice"], first, call_id=call_id + "-other")
    return [("register without credentials", observe(first, "X-Auth-Rc", "WWW-Authenticate")),
            ("the challenge's Call-ID", observe(same, "X-Auth-Rc")),
            ("another Call-ID", observe(other, "X-Auth-Rc", "WWW-Authenticate"))]


def realm_prefix_transcript(port):
    """realm_prefix: challenges name the stripped realm, credentials for it are found,
    and auth_check's identity check still applies."""
    alice, callee = Agent("alice"), Agent("callee")
    first, _ = request(alice, port, "REGISTER", "alice")
    params = challenge_params(header(first, "WWW-Authenticate"))
    uri = f"sip:{REALM}:{port}"
    good, _ = request(alice, port, "REGISTER", "alice", extra="Authorization: " + credentials(
        "alice", PASSWORDS["alice"], params["realm"], params["nonce"], "REGISTER", uri, qop=params.get("qop"),
        algorithm="md5") + "\r\n")
    ruri = f"sip:callee@127.0.0.1:{callee.port}"
    invite, _ = request(alice, port, "INVITE", "callee", from_user="alice", ruri=ruri)
    p = challenge_params(header(invite, "Proxy-Authenticate"))
    creds = credentials("alice", PASSWORDS["alice"], p["realm"], p["nonce"], "INVITE", ruri)
    spoof, _ = request(alice, port, "INVITE", "callee", from_user="bob", ruri=ruri,
                       extra=f"Proxy-Authorization: {creds}\r\n")
    return [("register without credentials", observe(first, "X-Auth-Rc", "WWW-Authenticate")),
            ("register with credentials for the stripped realm", observe(good, "X-Auth-Rc")),
            ("alice's credentials with bob's From", observe(spoof, "X-Auth-Rc"))]


# ---- cases ---------------------------------------------------------------------------------

def kinds(args):
    return ["kamc", "aot"] + (["kamailio"] if args.kamailio else [])


def compare(results, expectations):
    """Every server saw the same; the kamc transcript says what `expectations` says."""
    for kind, steps in results.items():
        print(f"--- {kind}")
        for label, seen in steps:
            print(f"  {label}: {seen}")
    reference = results["kamc"]
    for label, expected in expectations.items():
        seen = dict(reference).get(label)
        check(seen == expected, f"kamc run, '{label}': expected {expected}, saw {seen}")
    for kind, steps in results.items():
        check(steps == reference, f"{kind} differs from kamc run: " + "; ".join(
            f"{a[0]}: {a[1]} vs {b[1]}" for a, b in zip(steps, reference) if a != b))


def run_servers(args, workdir, defines, body, algorithm="md5", name="auth"):
    results = {}
    for kind in kinds(args):
        db = workdir / f"{name}-{kind}.db"
        subscriber_db(db, algorithm)
        server = Server(args, workdir, kind=kind, cfg=CFG, defines=[db_define(db), *defines],
                        name=f"{name}-{kind}").start()
        try:
            results[kind] = body(server.port)
        finally:
            server.stop()
    return results


def case_oracle_transcript(args, workdir):
    results = run_servers(args, workdir, [], transcript)
    challenge = 'Digest realm="127.0.0.1", nonce=<32 chars>, qop="auth"'
    compare(results, {
        "register without credentials": [401, "Unauthorized", "-5", challenge],
        "register with the right password": [200, "Authenticated", "1",
                                             "alice  alice realm=127.0.0.1 uri=sip:127.0.0.1:<port> alg= "
                                             f"ha1={digest('md5', 'alice:127.0.0.1:wonderland')} domain=127.0.0.1 acc=alice@127.0.0.1/alice", "yes", None],
        "register with a wrong password": [401, "Unauthorized", "-2", challenge],
        "register an unknown user": [401, "Unauthorized", "-3", challenge],
        "register with a nonce whose times were changed": [401, "Unauthorized", "-4", challenge + ", stale=true"],
        "register with a nonce whose signature was changed": [401, "Unauthorized", "-1", challenge],
        "the same credentials again (replayed nonce)": [200, "Authenticated", "1", None],
        "has_credentials": ["yes", "no"],
        "auth_get_www_authenticate": [200, "Keepalive", challenge],
        "$Au and $AU without authorization come from From": ["bob@127.0.0.1 bob"],
        "www_authenticate with a method argument": [[200, "Authenticated", "1"], [401, "Unauthorized", "-2"]],
        "pv_www_authenticate with a method argument": [[200, "Authenticated", "1"], [401, "Unauthorized", "-2"]],
        "invite without credentials": [407, "Proxy Authentication Required", "-5",
                                       'Digest realm="127.0.0.1", nonce=<32 chars>'],
        "invite with credentials reaches the callee": [True, True],
        "alice's credentials with bob's From": [407, "Proxy Authentication Required", "-8",
                                                'Digest realm="127.0.0.1", nonce=<32 chars>'],
        "message with the script's password": [200, "Script Password Accepted", "1"],
        "is_subscriber": ["1", "-2"],
    })
    stale = run_servers(args, workdir, ["NONCE_EXPIRE=2"], stale_transcript, name="stale")
    compare(stale, {
        "register with an expired nonce": [401, "Unauthorized", "-4",
                                           'Digest realm="127.0.0.1", nonce=<32 chars>, qop="auth", stale=true'],
        "register again with the stale challenge's nonce": [200, "Authenticated", "1"],
    })


def case_sha256(args, workdir):
    results = run_servers(args, workdir, ["WITH_SHA256"], lambda port: transcript(port, "sha256"), "sha256",
                          name="sha256")
    compare(results, {
        "register without credentials": [401, "Unauthorized", "-5",
                                         'Digest realm="127.0.0.1", nonce=<32 chars>, qop="auth", algorithm=SHA-256'],
        "register with a wrong password": [401, "Unauthorized", "-2",
                                           'Digest realm="127.0.0.1", nonce=<32 chars>, qop="auth", algorithm=SHA-256'],
        "message with the script's password": [200, "Script Password Accepted", "1"],
    })


def case_one_time_nonce(args, workdir):
    results = run_servers(args, workdir, ["WITH_OTN"], otn_transcript, name="otn")
    challenge = 'Digest realm="127.0.0.1", nonce=<40 chars>, qop="auth"'
    compare(results, {
        "register without credentials": [401, "Unauthorized", "-5", challenge],
        "first use of the nonce": [200, "Authenticated", "1"],
        "second use of the nonce": [401, "Unauthorized", "-6", challenge],
    })


def case_nonce_count(args, workdir):
    results = run_servers(args, workdir, ["WITH_NC"], nc_transcript, name="nc")
    compare(results, {
        "register without credentials": [401, "Unauthorized", "-5",
                                         'Digest realm="127.0.0.1", nonce=<40 chars>, qop="auth"'],
        "nc 1": [200, "Authenticated", "1"],
        "nc 1 again": [401, "Unauthorized", "-4"],
        "nc 2": [200, "Authenticated", "1"],
        "Authentication-Info of nc 2": [["cnonce", "nc", "nextnonce", "qop", "rspauth"], True, True],
        "nc 5": [200, "Authenticated", "1"],
        "nc 3 after 5": [401, "Unauthorized", "-4"],
        "nc 256": [401, "Unauthorized", "-4"],
    })


def case_auth_checks(args, workdir):
    results = run_servers(args, workdir, ["WITH_CHECKS"], checks_transcript, name="checks")
    challenge = 'Digest realm="127.0.0.1", nonce=<56 chars>, qop="auth"'
    compare(results, {
        "register without credentials": [401, "Unauthorized", "-5", challenge],
        "the challenge's Call-ID": [200, "Authenticated", "1"],
        "another Call-ID": [401, "Unauthorized", "-4", challenge + ", stale=true"],
    })


HOSTILE_CREDENTIALS = [
    'Digest username="' + "a" * 9000 + '", realm="127.0.0.1"',             # over the 8 KB limit
    'Digest username="alice", username="bob", realm="127.0.0.1", nonce="x", uri="u", response="r"',
    'Digest username="al\\"ice", realm="127.0.0.1", nonce="' + "=" * 500 + '", uri="u", response="r"',
    'Digest realm="127.0.0.1", username="unterminated',
    'Digest ,,,,, realm="127.0.0.1"',
    'Digest realm="127.0.0.1", nonce="' + "A" * 4000 + '", username="alice", uri="u", response="' + "f" * 32 + '"',
    'Digest realm="127.0.0.1", username=, nonce=',
    'Digest realm="127.0.0.1", qop=auth, username="alice", nonce="n", uri="u", response="' + "0" * 32 + '"',
    "Digest " + ", ".join(f"p{i}=v" for i in range(1500)),
    'Basic YWxpY2U6d29uZGVybGFuZA==',
]


def case_hostile_credentials(args, workdir):
    """Malformed, oversized and ambiguous credentials get a challenge (and a code), never
    a crash or a hang; the server answers OPTIONS afterwards."""
    db = workdir / "hostile.db"
    subscriber_db(db)
    server = Server(args, workdir, kind="kamc", cfg=CFG, defines=[db_define(db)], name="hostile").start()
    try:
        alice = Agent("alice")
        for value in HOSTILE_CREDENTIALS:
            for name in ("Authorization", "Proxy-Authorization"):
                reply, _ = request(alice, server.port, "REGISTER", "alice", extra=f"{name}: {value}\r\n")
                check(reply is not None and status(reply) == 401, f"{name}: {value[:60]}...: {reply and reply[:80]}")
                check(header(reply, "X-Auth-Rc") in ("-1", "-5"), f"{value[:60]}: {header(reply, 'X-Auth-Rc')}")
        options, _ = request(alice, server.port, "OPTIONS", "alice")
        check(status(options) == 200 and server.process.poll() is None, "the server stopped answering")
    finally:
        server.stop()


def case_realm_prefix(args, workdir):
    results = run_servers(args, workdir, ["WITH_REALM_PREFIX"], realm_prefix_transcript, name="prefix")
    compare(results, {
        "register without credentials": [401, "Unauthorized", "-5", 'Digest realm="0.0.1", nonce=<32 chars>, qop="auth"'],
        "register with credentials for the stripped realm": [200, "Authenticated", "1"],
        "alice's credentials with bob's From": [407, "Proxy Authentication Required", "-8"],
    })


def case_database_down(args, workdir):
    """The subscriber table disappears under the running server: www_authorize fails
    with -1 and the cfg's error path answers, as in kamailio; the server keeps serving."""
    def body(port, db):
        alice = Agent("alice")
        first, _ = request(alice, port, "REGISTER", "alice")
        connection = sqlite3.connect(db)
        connection.execute("DROP TABLE subscriber")
        connection.commit()
        connection.close()
        reply, _ = authorized_register(alice, port, "alice", PASSWORDS["alice"], first)
        options, _ = request(alice, port, "OPTIONS", "alice")
        again, _ = authorized_register(alice, port, "alice", PASSWORDS["alice"], first)
        return [("register while the table is gone", observe(reply, "X-Auth-Rc")),
                ("options meanwhile", observe(options)),
                ("register once more", observe(again, "X-Auth-Rc"))]

    results = {}
    for kind in kinds(args):
        db = workdir / f"down-{kind}.db"
        subscriber_db(db)
        server = Server(args, workdir, kind=kind, cfg=CFG, defines=[db_define(db)], name=f"down-{kind}").start()
        try:
            results[kind] = body(server.port, db)
            check(server.process.poll() is None, f"{kind} exited after the database error")
        finally:
            server.stop()
    compare(results, {
        "register while the table is gone": [401, "Unauthorized", "-1"],
        "options meanwhile": [200, "Keepalive"],
        "register once more": [401, "Unauthorized", "-1"],
    })


CASES = {
    "oracle_transcript": case_oracle_transcript,
    "sha256": case_sha256,
    "one_time_nonce": case_one_time_nonce,
    "nonce_count": case_nonce_count,
    "auth_checks": case_auth_checks,
    "realm_prefix": case_realm_prefix,
    "hostile_credentials": case_hostile_credentials,
    "database_down": case_database_down,
}


if __name__ == "__main__":
    # The shared main(): each case gets the run's arguments and its own directory, kept
    # only when the case fails.
    sys.exit(run_case_main({name: (lambda run, case=case: case(run.args, run.dir)) for name, case in CASES.items()}))
