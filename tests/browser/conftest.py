"""A real browser (Debian's Chromium driven by Playwright) against pytest-django's live server."""

import os

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# `playwright install` cannot download browsers here, so the system Chromium runs; these
# flags keep it from phoning home and from needing a GPU or a user namespace sandbox.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-gpu",
]
# Playwright's own timeouts are 30 s; a page of this site that takes 10 s is a failure.
TIMEOUT_MS = 10_000
# What Chromium logs when the Content-Security-Policy blocks something; no DOM event reaches
# Playwright for it, so the console is where a violation shows.
CSP_MARKERS = ("Content Security Policy", "Refused to")
ALLOW_ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


@pytest.fixture(scope="package")
def browser():
    """One Chromium for all browser tests, closed when they are done (package scope)."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("browser tests need Playwright (pip install -e '.[test]')")
    # Playwright's sync API keeps an asyncio loop marked as running in this thread, which
    # Django takes for an async context and refuses database queries in. The tests and the
    # live server are synchronous, so the guard is lifted while the browser is open only.
    previous = os.environ.get(ALLOW_ASYNC_UNSAFE)
    os.environ[ALLOW_ASYNC_UNSAFE] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop(ALLOW_ASYNC_UNSAFE, None)
        else:
            os.environ[ALLOW_ASYNC_UNSAFE] = previous


class BrowserProblems(list):
    """Console errors, CSP violations, script errors and failed loads seen on a page."""

    def watch(self, page):
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.append(f"script error: {error}"))
        page.on("response", self._response)
        page.on("requestfailed", self._request_failed)

    def _console(self, message):
        text = message.text
        if any(marker in text for marker in CSP_MARKERS):
            self.append(f"CSP violation: {text}")
        # A page the server answers with 400 or 404 (a form with errors, a deleted work) is
        # logged as a failed load too; `_response` judges loads, so those lines are skipped.
        elif message.type == "error" and not text.startswith("Failed to load resource"):
            self.append(f"console error: {text} ({message.location.get('url', '')})")

    def _response(self, response):
        # Chromium asks for /favicon.ico on its own; the site has none and needs none.
        if response.url.endswith("/favicon.ico"):
            return
        if response.status >= 400 and response.request.resource_type != "document":
            self.append(f"{response.status} for {response.request.resource_type} {response.url}")

    def _request_failed(self, request):
        if request.resource_type != "document":
            self.append(f"failed to load {request.resource_type} {request.url}: {request.failure}")


PHONE = {"width": 390, "height": 844}


def _watched_page(browser, live_server, request, **options):
    """A fresh page (own cookies) whose relative URLs go to the live server, its console
    errors and failed loads collected for the test's report."""
    context = browser.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    problems = BrowserProblems()
    problems.watch(page)
    request.node.browser_problems = problems
    yield page
    context.close()


@pytest.fixture
def page(browser, live_server, request):
    yield from _watched_page(browser, live_server, request)


@pytest.fixture
def phone(browser, live_server, request):
    """The `page` fixture's page at a phone's width."""
    yield from _watched_page(browser, live_server, request, viewport=PHONE, is_mobile=True)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Fail a test whose pages logged errors or CSP violations, even if its asserts held."""
    result = yield
    problems = getattr(item, "browser_problems", None)
    if problems:
        pytest.fail("the browser reported problems:\n" + "\n".join(problems), pytrace=False)
    return result
