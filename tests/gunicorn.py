"""A gunicorn started as `make run` starts it, on the test database, for tests of real workers."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import requests
from django.conf import settings

from bench.cluster import free_port

BASE_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
# What `make run` runs after migrating, with DJANGO_DEBUG=1; the Makefile is the source,
# this its copy.
MAKE_RUN = ["-m", "gunicorn", "-c", "python:archive.serving", "--workers", "2"]


def database_env():
    """Point the server at the database this test uses (pytest-django's test database):
    the embedded server's by name, or DATABASE_URL's server with the test database's name."""
    name = settings.DATABASES["default"]["NAME"]
    if "DATABASE_URL" not in os.environ:
        return {"ARCHIVE_DB_NAME": name}
    parts = urlsplit(os.environ["DATABASE_URL"])
    return {"DATABASE_URL": urlunsplit(parts._replace(path="/" + quote(name)))}


class Gunicorn:
    """`with Gunicorn(tmp_path, **env) as server:` serves on `server.url` (`server.port`)
    until the block ends; `env` adds to the environment, e.g. RATE_LIMIT_REQUESTS="0"."""

    def __init__(self, tmp_path, **env):
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.log_path = tmp_path / f"gunicorn-{self.port}.log"
        self.env = {
            **os.environ,
            "DJANGO_DEBUG": "1",
            "PYTHONUNBUFFERED": "1",
            **database_env(),
            **env,
        }

    def __enter__(self):
        self.log = open(self.log_path, "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, *MAKE_RUN, "--bind", f"{HOST}:{self.port}"],
            cwd=BASE_DIR, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while not self._booted():
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError(f"gunicorn did not start: {self.log_path.read_text()}")
                time.sleep(0.2)
        except BaseException:
            self.__exit__()
            raise
        return self

    def _booted(self):
        """Both workers have loaded the site: the log shows two booted, and a static file
        answers (the rate limit counts no static file, so a test's budget stays whole)."""
        if self.log_path.read_text().count("Booting worker") < 2:
            return False
        try:
            return requests.get(f"{self.url}/static/css/site.css", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    def __exit__(self, *exc_info):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
