"""Every refusal a service raises shares one base class, apart from the errors of bugs."""

import pytest

from archive.errors import ServiceError
from tags.wrangling import WranglingError
from works.checking import LimitError
from works.seeds import SeedError
from works.services import StaleEdit, WorkError
from works.uploads import UploadError


@pytest.mark.parametrize(
    "refusal", [WorkError, StaleEdit, LimitError, SeedError, UploadError, WranglingError]
)
def test_a_refusal_is_a_service_error_and_not_a_value_error(refusal):
    # A view's `except ServiceError` shows the message to the user; a ValueError is a bug's.
    assert issubclass(refusal, ServiceError)
    assert not issubclass(refusal, ValueError)
