"""Shared fixtures. The suite runs on PostgreSQL + Redis (make test) and a smoke subset on SQLite."""

from __future__ import annotations

import os
import shutil
import threading
import time
from urllib.parse import urlsplit

import pytest
from django.db import connection

FAST_HASHERS = [
    # Argon2 is the real hasher (see tests/accounts/test_passwords.py); tests use a fast one
    # for the many accounts they create. Argon2 stays listed so its hashes still verify.
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
PASSWORD = "correct-horse-battery-42"


def on_postgres() -> bool:
    return connection.vendor == "postgresql"


def wait_for_background_work(timeout: float = 15.0) -> None:
    """Let work that outlives a request finish before a transactional test empties the tables.

    Webhook deliveries run in threads (embedded profile) and behaviour events are written after
    the response; a TRUNCATE racing with them deadlocks on PostgreSQL. So: join our named
    threads, then wait until no other connection to the test database is inside a transaction.
    """
    deadline = time.monotonic() + timeout
    for thread in threading.enumerate():
        if thread.name.startswith("zizhu-") and thread is not threading.current_thread():
            thread.join(max(0.0, deadline - time.monotonic()))
    if connection.vendor != "postgresql":
        return
    quiet_polls = 0
    while quiet_polls < 3 and time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state IN ('active', 'idle in transaction')"
            )
            busy = cursor.fetchone()[0]
        quiet_polls = quiet_polls + 1 if busy == 0 else 0
        time.sleep(0.02)


def _flush_after_background_work() -> None:
    from django.test import TransactionTestCase

    original = TransactionTestCase._fixture_teardown

    def teardown(self):
        wait_for_background_work()
        return original(self)

    TransactionTestCase._fixture_teardown = teardown


_flush_after_background_work()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from django.conf import settings

    if not (shutil.which("chromium") or os.path.exists(CHROMIUM)):
        no_browser = pytest.mark.skip(reason="Debian's chromium is not installed (make test installs it)")
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(no_browser)
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (make test runs it there)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def make_user(db):
    from zizhu.accounts.models import User

    counter = {"n": 0}

    def make(email: str | None = None, phone: str | None = None, **extra: object) -> User:
        counter["n"] += 1
        if email is None and phone is None:
            email = f"customer{counter['n']}@example.com"
        return User.objects.create_user(email, PASSWORD, phone=phone, **extra)

    return make


@pytest.fixture
def customer(make_user):
    return make_user("alice@example.com", display_name="Alice")


@pytest.fixture
def other_customer(make_user):
    return make_user("bob@example.com", display_name="Bob")


# --- browser fixtures: one Playwright and one Chromium for the whole session -----------------
# Playwright's sync API runs an event loop in the test thread; Django's ORM calls made by the
# test itself (creating users, reading results) are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.foreign_requests = []  # anything loaded from another host is a failure
    own_host = urlsplit(live_server.url).netloc

    def watch(request):
        url = urlsplit(request.url)
        if url.scheme in ("http", "https") and url.netloc != own_host:
            page.foreign_requests.append(request.url)

    page.on("request", watch)
    yield page
    context.close()


@pytest.fixture(scope="session")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def axe_check(axe):
    """Run axe-core on the page: no serious or critical WCAG 2.2 A/AA violation."""

    def check(page, label: str = "") -> None:
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
        bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
        details = "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}" for v in bad
        )
        assert not bad, f"axe violations on {label or page.url}:\n{details}"

    return check
