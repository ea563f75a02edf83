#!/usr/bin/env python3
"""Throwaway MariaDB and PostgreSQL servers for the runtime's database tests (issue 20).

Each server lives in its own temporary directory (data, unix socket, log), listens on
127.0.0.1 and a free port, runs as its own process group and holds the database
`kamailio` made from Kamailio's own schema files, as `kamdbctl create` makes it, with
the users kamailio/kamailiorw (all rights) and kamailioro/kamailioro (read only).

    with dbservers.mariadb() as db:           # or dbservers.postgres(), dbservers.server("mysql")
        db.add_subscriber("alice", "127.0.0.1", "secret")
        run_proxy(db_url=db.db_url)
        rows = db.query("SELECT username FROM location")
        db.stop(); db.start()                  # a database fault: same data, same port

Standard library only; the SQL goes through the `mariadb` and `psql` client programs.
As root (CI), mariadbd runs with --user=root and PostgreSQL, which refuses root, as the
`postgres` system user (else `nobody`) through setpriv. Every wait is bounded; the
server is stopped by its process group and its directory removed on exit, on an
exception (context manager) and at interpreter exit (atexit). A server started as
root also dies with the process that started it (parent-death signal), so a test
killed by ctest's timeout leaves no database behind.

Self-test:  dbservers.py {mariadb|postgres}
"""
import atexit
import ctypes
import glob
import hashlib
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DATABASE = "kamailio"
RW_USER, RW_PASSWORD = "kamailio", "kamailiorw"      # kamdbctl's DBRWUSER/DBRWPW defaults
RO_USER, RO_PASSWORD = "kamailioro", "kamailioro"    # DBROUSER/DBROPW
SCHEMA_ROOT = Path("/usr/share/kamailio")            # kamailio-{mysql,postgres}-modules
KAMDBCTL_BASE_GLOB = "/usr/lib/*/kamailio/kamctl/kamdbctl.base"

START_TIMEOUT = 60.0      # seconds until a started server must accept connections
STOP_GRACE = 15.0         # seconds between the shutdown signal and SIGKILL
CLIENT_TIMEOUT = 60.0     # seconds for one client program run

_live = set()  # servers not yet closed, closed at interpreter exit


class DatabaseError(Exception):
    pass


def _close_all():
    for server in list(_live):
        try:
            server.close()
        except Exception:  # keep closing the others
            pass


atexit.register(_close_all)


def free_port():
    """A TCP port on 127.0.0.1 that nothing holds now (bind port 0); 3306/5432 and the
    benchmark ports never come back from the kernel's ephemeral range."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_accepts(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def port_is_free(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers bind
        try:
            probe.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def process_group_alive(pgid):
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True


def kamdbctl_standard_modules():
    """The schema files `kamdbctl create` loads (STANDARD_MODULES of kamdbctl.base),
    read from the installed script so the list is Kamailio's, not a copy of it."""
    for path in sorted(glob.glob(KAMDBCTL_BASE_GLOB)):
        match = re.search(r"STANDARD_MODULES=\$\{STANDARD_MODULES:-'([^']*)'\}", Path(path).read_text())
        if match:
            return match.group(1).split()
    raise DatabaseError(f"no kamdbctl.base with STANDARD_MODULES at {KAMDBCTL_BASE_GLOB}: install kamailio")


def ha1(user, domain, password):
    """kamctl's HA1: md5(user:domain:password)."""
    return hashlib.md5(f"{user}:{domain}:{password}".encode()).hexdigest()


def ha1b(user, domain, password):
    """kamctl's HA1B: md5(user@domain:domain:password)."""
    return hashlib.md5(f"{user}@{domain}:{domain}:{password}".encode()).hexdigest()


def _die_with_parent():
    """preexec_fn: SIGKILL this child when the thread that started it dies."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


class DatabaseServer:
    """What both servers share: the directory, the process group, start/stop/restart,
    the bootstrap on first start. Subclasses say how to initialise, launch and query."""

    kind = None            # "mariadb" / "postgres"
    url_scheme = None      # Kamailio's db_url scheme
    shutdown_signal = signal.SIGTERM
    schema_dir = None

    def __init__(self, base_dir=None):
        self.dir = Path(tempfile.mkdtemp(prefix=f"kamc-{self.kind}-", dir=base_dir))
        self.port = None
        self.process = None
        self.initialised = False
        self.start_seconds = None   # the last start: launch until connections are accepted
        self.setup_seconds = None   # the first start: init + launch + users + schema
        _live.add(self)

    # ---- life cycle ----------------------------------------------------------------------

    def start(self):
        """Initialises the data directory on the first call, launches the server (on the
        same port after a stop) and waits until it accepts connections."""
        if self.process is not None and self.process.poll() is None:
            return self
        began = time.monotonic()
        if not self.initialised:
            self._initialise()
        if self.port is None:
            self.port = free_port()
        elif not port_is_free(self.port):
            raise DatabaseError(f"{self.kind}: port {self.port} is taken, cannot restart on it")
        log = open(self.dir / "server.log", "ab")
        try:
            self.process = subprocess.Popen(self._server_command(), stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, cwd=self.dir, start_new_session=True,
                                            preexec_fn=_die_with_parent)
        finally:
            log.close()
        launched = time.monotonic()
        self._wait_ready()
        self.start_seconds = time.monotonic() - launched
        if not self.initialised:
            self._bootstrap()
            self.initialised = True
            self.setup_seconds = time.monotonic() - began
        return self

    def stop(self):
        """Stops the server by its process group and keeps the data directory (start()
        brings it back on the same port). Returns the server's exit code."""
        process, self.process = self.process, None
        if process is None:
            return None
        if process.poll() is None:
            try:
                os.killpg(process.pid, self.shutdown_signal)
            except ProcessLookupError:
                pass
            try:
                process.wait(timeout=STOP_GRACE)
            except subprocess.TimeoutExpired:
                pass
        # Whatever the server left in its group (PostgreSQL's backends) goes too.
        if process_group_alive(process.pid):
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if process.poll() is None:
            process.wait(timeout=STOP_GRACE)
        deadline = time.monotonic() + STOP_GRACE
        while process_group_alive(process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        return process.returncode

    def restart(self):
        self.stop()
        return self.start()

    def close(self):
        """Stops the server and removes its directory."""
        try:
            self.stop()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
            _live.discard(self)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *_):
        self.close()

    @property
    def running(self):
        return self.process is not None and self.process.poll() is None

    @property
    def db_url(self):
        return f"{self.url_scheme}://{RW_USER}:{RW_PASSWORD}@127.0.0.1:{self.port}/{DATABASE}"

    def log(self, limit=4000):
        path = self.dir / "server.log"
        return path.read_text(errors="replace")[-limit:] if path.exists() else "(no log)"

    def _wait_ready(self):
        deadline = time.monotonic() + START_TIMEOUT
        for _ in range(int(START_TIMEOUT / 0.05)):
            if self.process.poll() is not None:
                raise DatabaseError(f"{self.kind} exited with {self.process.returncode} at start-up:\n{self.log()}")
            if port_accepts(self.port) and self._ping():
                return
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.stop()
        raise DatabaseError(f"{self.kind} did not accept connections within {START_TIMEOUT}s:\n{self.log()}")

    def _bootstrap(self):
        self._create_users_and_database()
        modules = kamdbctl_standard_modules()
        files = [self.schema_dir / f"{module}-create.sql" for module in modules]
        missing = [str(f) for f in files if not f.exists()]
        if missing:
            raise DatabaseError(f"Kamailio's schema files are missing: {missing}")
        self._run_sql("".join(f.read_text() + "\n" for f in files), database=DATABASE)
        self._grant_tables()

    def _run(self, command, sql, env=None):
        result = subprocess.run(command, input=sql, capture_output=True, text=True, timeout=CLIENT_TIMEOUT,
                                env=env, cwd=self.dir)
        if result.returncode != 0:
            raise DatabaseError(f"{self.kind}: {' '.join(command[:1])} failed ({result.returncode}): "
                                f"{result.stderr.strip()[-2000:]}\nSQL: {sql[:500]}")
        return result.stdout

    # ---- SQL -----------------------------------------------------------------------------

    def query(self, sql, as_kamailio=False):
        """Runs SQL in database `kamailio`: as the administrator over the unix socket, or
        (as_kamailio) as kamailio/kamailiorw over TCP, as a proxy connects. Returns the
        rows as tuples of strings, NULL as None."""
        out = self._run_sql(sql, database=DATABASE, as_kamailio=as_kamailio)
        rows = []
        for line in out.splitlines():
            rows.append(tuple(None if field == "NULL" else field for field in line.split("\t")))
        return rows

    def literal(self, value):
        return "'" + str(value).replace("'", "''") + "'"

    def add_subscriber(self, user, domain, password):
        """A subscriber as `kamctl add` stores it (STORE_PLAINTEXT_PW=1: the password
        too, which auth_db's calculate_ha1 reads)."""
        values = ", ".join(self.literal(v) for v in (user, domain, password, ha1(user, domain, password),
                                                     ha1b(user, domain, password)))
        self.query(f"INSERT INTO subscriber (username, domain, password, ha1, ha1b) VALUES ({values})")

    def table_version(self, table):
        rows = self.query(f"SELECT table_version FROM version WHERE table_name = {self.literal(table)}")
        return int(rows[0][0]) if rows else None


class MariaDB(DatabaseServer):
    kind = "mariadb"
    url_scheme = "mysql"
    schema_dir = SCHEMA_ROOT / "mysql"
    shutdown_signal = signal.SIGTERM   # mariadbd's normal shutdown
    SERVER = "/usr/sbin/mariadbd"
    INSTALL_DB = shutil.which("mariadb-install-db") or "/usr/bin/mariadb-install-db"
    CLIENT = shutil.which("mariadb") or "/usr/bin/mariadb"
    # Small and quick: a test database holds a few rows.
    TUNING = ["--skip-name-resolve", "--innodb-buffer-pool-size=16M", "--innodb-log-file-size=4M",
              "--innodb-use-native-aio=0", "--skip-log-bin", "--performance-schema=OFF"]

    @property
    def socket_path(self):
        return self.dir / "mysqld.sock"

    def _user_args(self):
        return ["--user=root"] if os.geteuid() == 0 else []

    def _initialise(self):
        log = self.dir / "install.log"
        # --tmpdir: the bootstrap's temporary tables go to this server's own directory,
        # never to /tmp, where two servers bootstrapping at once collided.
        command = [self.INSTALL_DB, "--no-defaults", f"--datadir={self.dir / 'data'}", *self._user_args(),
                   f"--tmpdir={self.dir}", "--auth-root-authentication-method=normal", "--skip-test-db",
                   *self.TUNING]
        with open(log, "wb") as out:
            result = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    cwd=self.dir, timeout=120)
        if result.returncode != 0:
            raise DatabaseError(f"mariadb-install-db failed ({result.returncode}):\n{log.read_text()[-3000:]}")

    def _server_command(self):
        return [self.SERVER, "--no-defaults", f"--datadir={self.dir / 'data'}", *self._user_args(),
                "--bind-address=127.0.0.1", f"--port={self.port}", f"--socket={self.socket_path}",
                f"--pid-file={self.dir / 'mariadbd.pid'}", f"--tmpdir={self.dir}",
                "--innodb-flush-log-at-trx-commit=2", *self.TUNING]

    def _client(self, database=None, as_kamailio=False):
        if as_kamailio:
            target = ["--protocol=tcp", "-h", "127.0.0.1", "-P", str(self.port), "-u", RW_USER,
                      f"--password={RW_PASSWORD}"]
        else:
            target = ["--protocol=socket", "-S", str(self.socket_path), "-u", "root"]
        return [self.CLIENT, "--no-defaults", *target, "--batch", "--skip-column-names", "--raw",
                *([database] if database else [])]

    def _ping(self):
        result = subprocess.run([*self._client(), "-e", "SELECT 1"], capture_output=True, timeout=CLIENT_TIMEOUT,
                                cwd=self.dir)
        return result.returncode == 0

    def _run_sql(self, sql, database=None, as_kamailio=False):
        return self._run(self._client(database, as_kamailio), sql)

    def _create_users_and_database(self):
        statements = [f"CREATE DATABASE {DATABASE}"]
        # '%' for TCP (127.0.0.1 under --skip-name-resolve), 'localhost' for the socket.
        for host in ("%", "localhost"):
            statements += [f"CREATE USER '{RW_USER}'@'{host}' IDENTIFIED BY '{RW_PASSWORD}'",
                           f"GRANT ALL PRIVILEGES ON {DATABASE}.* TO '{RW_USER}'@'{host}'",
                           f"CREATE USER '{RO_USER}'@'{host}' IDENTIFIED BY '{RO_PASSWORD}'",
                           f"GRANT SELECT ON {DATABASE}.* TO '{RO_USER}'@'{host}'"]
        self._run_sql(";\n".join(statements) + ";\n")

    def _grant_tables(self):
        pass  # the database-wide GRANTs above cover every table

    def literal(self, value):
        return "'" + str(value).replace("\\", "\\\\").replace("'", "''") + "'"


def _traversable_by_all(path):
    """Whether every directory from / down to `path` lets other users pass (o+x)."""
    path = Path(path).resolve()
    return all(os.stat(p).st_mode & 0o001 for p in [path, *path.parents])


def _postgres_bindir():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"),
                   key=lambda p: int(re.search(r"/postgresql/(\d+)/", p).group(1)))
    return Path(found[-1]).parent if found else Path("/usr/lib/postgresql/15/bin")


class PostgreSQL(DatabaseServer):
    kind = "postgres"
    url_scheme = "postgres"
    schema_dir = SCHEMA_ROOT / "postgres"
    # SIGTERM is PostgreSQL's "smart" shutdown, which waits for every client to leave (a
    # proxy never does); SIGINT is the fast shutdown that ends the sessions.
    shutdown_signal = signal.SIGINT
    BINDIR = _postgres_bindir()
    CLIENT = shutil.which("psql") or str(BINDIR / "psql")
    TUNING = ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
              "-c", "shared_buffers=16MB", "-c", "max_connections=200"]

    def __init__(self, base_dir=None):
        if os.geteuid() == 0 and base_dir is None and not _traversable_by_all(tempfile.gettempdir()):
            base_dir = "/tmp"  # the server user must reach its directory
        super().__init__(base_dir)
        try:
            self._prepare_directories()
        except BaseException:
            self.close()
            raise

    def _prepare_directories(self):
        self.run_as = None
        if os.geteuid() == 0:
            if not _traversable_by_all(self.dir.parent):
                raise DatabaseError(f"{self.dir.parent} is not searchable by other users: the PostgreSQL server "
                                    f"runs as an unprivileged user; pass another base_dir (or TMPDIR)")
            # initdb and postgres refuse root: run them as the postgres system user.
            for name in ("postgres", "nobody"):
                try:
                    self.run_as = pwd.getpwnam(name)
                    break
                except KeyError:
                    continue
            if self.run_as is None:
                raise DatabaseError("running as root and neither the postgres nor the nobody user exists")
            os.chmod(self.dir, 0o755)  # mkdtemp's 0700 would shut the server user out
            for sub in ("data", "run"):
                (self.dir / sub).mkdir()
                os.chown(self.dir / sub, self.run_as.pw_uid, self.run_as.pw_gid)
        else:
            for sub in ("data", "run"):
                (self.dir / sub).mkdir()

    @property
    def socket_dir(self):
        return self.dir / "run"

    def _as_server_user(self, command, keep_death_signal=False):
        if self.run_as is None:
            return command
        # setpriv execs the program (no parent left behind); changing the uid clears the
        # parent-death signal, so setpriv sets it again after the switch.
        return ["setpriv", f"--reuid={self.run_as.pw_uid}", f"--regid={self.run_as.pw_gid}", "--init-groups",
                *(["--pdeathsig", "KILL"] if keep_death_signal else []), *command]

    def _initialise(self):
        log = self.dir / "initdb.log"
        command = self._as_server_user([str(self.BINDIR / "initdb"), "-D", str(self.dir / "data"), "-U", "postgres",
                                        "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8",
                                        "--locale=C", "--no-sync", "--no-instructions"])
        with open(log, "wb") as out:
            result = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    cwd=self.dir, timeout=120)
        if result.returncode != 0:
            raise DatabaseError(f"initdb failed ({result.returncode}):\n{log.read_text()[-3000:]}")

    def _server_command(self):
        return self._as_server_user([str(self.BINDIR / "postgres"), "-D", str(self.dir / "data"),
                                     "-p", str(self.port), "-k", str(self.socket_dir),
                                     "-c", "listen_addresses=127.0.0.1", *self.TUNING], keep_death_signal=True)

    def _client(self, database, as_kamailio=False):
        if as_kamailio:
            target = ["-h", "127.0.0.1", "-U", RW_USER]
        else:
            target = ["-h", str(self.socket_dir), "-U", "postgres"]
        return [self.CLIENT, "-X", "-q", "-A", "-t", "-F", "\t", "-P", "null=NULL", "-v", "ON_ERROR_STOP=1",
                "-p", str(self.port), *target, "-d", database]

    def _env(self, as_kamailio):
        env = dict(os.environ)
        env.pop("PGPASSWORD", None)
        if as_kamailio:
            env["PGPASSWORD"] = RW_PASSWORD
        return env

    def _ping(self):
        result = subprocess.run([*self._client("postgres"), "-c", "SELECT 1"], capture_output=True,
                                timeout=CLIENT_TIMEOUT, env=self._env(False), cwd=self.dir)
        return result.returncode == 0

    def _run_sql(self, sql, database="postgres", as_kamailio=False):
        return self._run(self._client(database, as_kamailio), sql, env=self._env(as_kamailio))

    def _create_users_and_database(self):
        self._run_sql(f"CREATE USER {RW_USER} WITH PASSWORD '{RW_PASSWORD}';\n"
                      f"CREATE USER {RO_USER} WITH PASSWORD '{RO_PASSWORD}';\n"
                      f"CREATE DATABASE {DATABASE};\n")

    def _grant_tables(self):
        # kamdbctl grants table by table; the same rights, schema-wide.
        self._run_sql(f"GRANT ALL PRIVILEGES ON ALL TABLES IN SCHEMA public TO {RW_USER};\n"
                      f"GRANT ALL PRIVILEGES ON ALL SEQUENCES IN SCHEMA public TO {RW_USER};\n"
                      f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {RO_USER};\n", database=DATABASE)


def mariadb(base_dir=None):
    return MariaDB(base_dir)


def postgres(base_dir=None):
    return PostgreSQL(base_dir)


def server_class(kind):
    """By Kamailio's db module or URL scheme: mysql/mariadb or postgres/pgsql."""
    kinds = {"mysql": MariaDB, "mariadb": MariaDB, "postgres": PostgreSQL, "pgsql": PostgreSQL,
             "postgresql": PostgreSQL}
    if kind not in kinds:
        raise DatabaseError(f"unknown database kind {kind!r}: one of {sorted(kinds)}")
    return kinds[kind]


def server(kind, base_dir=None):
    return server_class(kind)(base_dir)


def available(kind):
    """Whether the programs of `kind` are installed (callers skip loudly if not)."""
    if server_class(kind) is MariaDB:
        programs = (MariaDB.SERVER, MariaDB.INSTALL_DB, MariaDB.CLIENT)
    else:
        programs = (PostgreSQL.BINDIR / "initdb", PostgreSQL.BINDIR / "postgres", PostgreSQL.CLIENT)
    return all(os.access(p, os.X_OK) for p in programs)


# ---- self-test ---------------------------------------------------------------------------

def self_test(kind):
    """Starts a server, checks Kamailio's schema through the kamailio user over TCP, a
    subscriber's hashes, a stop and restart on the same port keeping the data; then
    that close() leaves no process, no listening port and no directory."""
    def expect(condition, message):
        if not condition:
            raise DatabaseError(message)

    db = server(kind)
    with db:
        print(f"{kind}: up on 127.0.0.1:{db.port} in {db.start_seconds:.2f}s "
              f"(with init, users and schema {db.setup_seconds:.2f}s); {db.db_url}")
        versions = dict(db.query("SELECT table_name, table_version FROM version "
                                 "WHERE table_name IN ('location', 'subscriber', 'version')", as_kamailio=True))
        expect(versions == {"location": "9", "subscriber": "7", "version": "1"},
               f"Kamailio's table versions as the kamailio user: {versions}")
        tables = {row[0] for row in db.query("SELECT table_name FROM version")}
        expect({"location", "location_attrs", "subscriber", "acc", "dialog", "dispatcher"} <= tables,
               f"kamdbctl's standard tables are not all there: {sorted(tables)}")
        db.add_subscriber("alice", "example.org", "s'cret")
        row = db.query("SELECT username, domain, password, ha1, ha1b FROM subscriber", as_kamailio=True)
        expect(row == [("alice", "example.org", "s'cret", ha1("alice", "example.org", "s'cret"),
                        ha1b("alice", "example.org", "s'cret"))], f"the subscriber row: {row}")
        expect(ha1("alice", "example.org", "s'cret") == hashlib.md5(b"alice:example.org:s'cret").hexdigest(),
               "ha1 is not md5(user:domain:password)")
        db.query("INSERT INTO location (ruid, username, contact, callid, cseq) "
                 "VALUES ('r1', 'alice', 'sip:alice@127.0.0.1:5999', 'c1', 1)", as_kamailio=True)
        port, pid = db.port, db.process.pid
        db.stop()
        expect(not db.running and not process_group_alive(pid), "the server's process group outlived stop()")
        expect(port_is_free(port), f"port {port} still taken after stop()")
        expect(db.dir.exists(), "stop() removed the data directory")
        db.start()
        expect(db.port == port, f"restart moved the port from {port} to {db.port}")
        print(f"{kind}: restarted on the same port in {db.start_seconds:.2f}s")
        rows = db.query("SELECT username, contact FROM location", as_kamailio=True)
        expect(rows == [("alice", "sip:alice@127.0.0.1:5999")], f"the row written before the restart: {rows}")
        pid, directory = db.process.pid, db.dir
    expect(not process_group_alive(pid), "the server's process group outlived close()")
    expect(port_is_free(port), f"port {port} still taken after close()")
    expect(not directory.exists(), f"{directory} was not removed")
    print(f"{kind}: PASS")


def main(argv):
    if len(argv) != 2 or argv[1] not in ("mariadb", "mysql", "postgres"):
        print(f"usage: {argv[0]} mariadb|postgres", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # atexit closes the server
    try:
        self_test(argv[1])
    except DatabaseError as error:
        print(f"FAIL: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
