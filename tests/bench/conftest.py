"""One throwaway site (PostgreSQL cluster, data, gunicorn) for the load and fault tests."""

import os

import pytest

from bench.cluster import postgres_bindirs
from bench.load import Site, locust_program


@pytest.fixture(scope="package")
def site():
    """A small site of its own: these tests stop its database, never the suite's."""
    # The same PostgreSQL as the suite's target: the machine's when DATABASE_URL names one.
    bindirs = postgres_bindirs(prefer_system=bool(os.environ.get("DATABASE_URL")))
    if not bindirs:
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl) on this machine")
    if locust_program() is None:
        pytest.skip("the load tests need locust: pip install -e '.[bench]'")
    with Site(bindir=bindirs[0], works=100, authors=2, workers=2) as running:
        yield running
