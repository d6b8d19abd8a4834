"""An author with a default pseud, and a client logged in as them, for the works tests."""

import pytest
from django.test import Client

from tests.factories import make_author


@pytest.fixture
def author():
    return make_author()


@pytest.fixture
def author_client(author):
    client = Client()
    client.force_login(author)
    return client
