import pytest
from bs4 import BeautifulSoup


@pytest.fixture
def get_page(client):
    """GET a URL and return (response, parsed HTML)."""

    def get(url, **kwargs):
        response = client.get(url, **kwargs)
        return response, BeautifulSoup(response.content, "html.parser")

    return get
