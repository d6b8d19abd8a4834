"""A reader account with a known password, for the login and throttling tests."""

import pytest
from django.contrib.auth import get_user_model


@pytest.fixture
def reader():
    return get_user_model().objects.create_user("reader_1", password="correct horse battery")
