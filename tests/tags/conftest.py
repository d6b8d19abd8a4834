"""A wrangler and a client logged in as one, for the wrangling tests."""

import pytest

from tests.factories import logged_in, make_wrangler


@pytest.fixture
def wrangler():
    return make_wrangler()


@pytest.fixture
def wrangler_client(wrangler):
    return logged_in(wrangler)
