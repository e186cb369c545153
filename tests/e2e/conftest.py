"""Browser fixtures: Playwright's Python package driving Debian's chromium (never a downloaded browser)."""

from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]


@pytest.fixture(scope="session")
def browser(chromium_path_session):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # test itself (fixtures, assertions) are still synchronous and safe.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=chromium_path_session, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def chromium_path_session():
    from tests.conftest import chromium_or_skip

    return chromium_or_skip()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.call_failed = report.failed
    return report


@pytest.fixture
def page(browser, request, tmp_path_factory):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-IN",
                                  timezone_id="Asia/Kolkata")
    page = context.new_page()
    page.set_default_timeout(15000)
    events: list[str] = []
    page.on("console", lambda message: events.append(f"console {message.type}: {message.text}"))
    page.on("response", lambda response: response.status >= 400 and events.append(
        f"HTTP {response.status} {response.request.method} {response.url}"))
    yield page
    if getattr(request.node, "call_failed", False):  # leave evidence for a failure seen only in CI
        shot = tmp_path_factory.mktemp("e2e") / f"{request.node.name}.png"
        page.screenshot(path=str(shot))
        print(f"\nBrowser events of {request.node.name} (screenshot {shot}):", *events, sep="\n  ")
    context.close()


@pytest.fixture
def login(page, live_server):
    """Return a function that logs a user in through the real login form."""

    def do_login(username: str, password: str):
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/admin/")
        return page

    return do_login


def save_screenshot(page, name: str) -> Path:
    DOCS.mkdir(exist_ok=True)
    path = DOCS / name
    page.screenshot(path=str(path), full_page=False)
    return path
