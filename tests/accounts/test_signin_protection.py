"""Sign-in protection: axes lockout, rate limits (429 + Retry-After), equal answers and timing."""

from __future__ import annotations

import importlib
import re
import statistics
import time

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.urls import reverse

from zizhu.accounts.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

DEFAULT_FLOOR = importlib.import_module("zizhu.config.settings").ZIZHU_AUTH_RESPONSE_FLOOR

SIGNIN = "/accounts/signin/"


def _signin(client, login, password, ip="203.0.113.7"):
    return client.post(SIGNIN, {"username": login, "password": password}, REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE="en")


def _api_csrf(client):
    return client.get("/api/v1/auth/csrf").json()["csrf_token"]


def test_axes_locks_the_account_from_that_address_with_429_and_retry_after(client, customer, password):
    for _ in range(4):
        assert _signin(client, "alice@example.com", "wrong-password-1").status_code == 422
    assert _signin(client, "alice@example.com", "wrong-password-1").status_code == 429  # the 5th failure
    locked = _signin(client, "alice@example.com", password)  # even the right password now
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) == 15 * 60
    assert "Too many unsuccessful sign-in attempts" in locked.content.decode()
    assert SESSION_KEY not in client.session
    # the same account from another address, and the same address for another account, still work
    assert _signin(Client(), "alice@example.com", password, ip="198.51.100.9").status_code == 302


def test_axes_counts_the_normalised_login(client, make_user, password):
    make_user(phone="+8613900139000")
    for login in ["13900139000", "139 0013 9000", "+86 139-0013-9000", "13900139000", "139 0013 9000"]:
        _signin(client, login, "wrong-password-1")
    assert _signin(client, "13900139000", password).status_code == 429


def test_axes_lockout_in_the_api_is_json(client, customer, password):
    token = _api_csrf(client)

    def post(pw):
        body = {"login": "alice@example.com", "password": pw}
        return client.post("/api/v1/auth/signin", body, content_type="application/json", HTTP_X_CSRFTOKEN=token)

    for _ in range(4):
        assert post("wrong-password-1").status_code == 422
    post("wrong-password-1")
    locked = post(password)
    assert locked.status_code == 429 and locked["Retry-After"] == "900"
    assert locked.json()["code"] == "locked_out"


def test_axes_cool_off_ends_after_15_minutes(client, customer, password):
    with time_machine.travel("2026-11-25 10:00:00+00:00", tick=False) as clock:
        for _ in range(5):
            _signin(client, "alice@example.com", "wrong-password-1")
        assert _signin(client, "alice@example.com", password).status_code == 429
        clock.shift(15 * 60 + 1)
        assert _signin(client, "alice@example.com", password).status_code == 302


def test_per_ip_sign_in_limit_answers_429_with_a_translated_page(client, settings, make_user, password):
    settings.ZIZHU_RATE_LIMITS = {**settings.ZIZHU_RATE_LIMITS, "signin.ip": (3, 300)}
    with time_machine.travel("2026-11-25 10:00:10+00:00", tick=False) as clock:
        for n in range(3):
            _signin(client, f"nobody{n}@example.com", "wrong-password-1")
        limited = _signin(client, "someone@example.com", "x")
        assert limited.status_code == 429
        assert limited["Retry-After"] == "290"  # to the end of the 5-minute window
        zh = client.post(SIGNIN, {"username": "a@example.com", "password": "x"}, REMOTE_ADDR="203.0.113.7")
        assert zh.status_code == 429 and "请稍候" in zh.content.decode()
        assert _signin(client, "x@example.com", "x", ip="198.51.100.1").status_code == 422  # another address
        clock.shift(291)
        assert _signin(client, "x@example.com", "x").status_code == 422


def test_per_account_sign_in_limit_spans_addresses(client, settings, customer, password):
    settings.ZIZHU_RATE_LIMITS = {**settings.ZIZHU_RATE_LIMITS, "signin.account": (3, 300)}
    settings.AXES_FAILURE_LIMIT = 100
    for n in range(3):
        _signin(Client(), "alice@example.com", "wrong-password-1", ip=f"198.51.100.{n + 1}")
    limited = _signin(Client(), "ALICE@example.com", password, ip="192.0.2.44")
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0


def test_api_rate_limit_is_json_rate_limited(client, settings):
    settings.ZIZHU_RATE_LIMITS = {**settings.ZIZHU_RATE_LIMITS, "signin.ip": (1, 300)}
    token = _api_csrf(client)
    body = {"login": "a@example.com", "password": "wrong-password-1"}
    first = client.post("/api/v1/auth/signin", body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    second = client.post("/api/v1/auth/signin", body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert first.status_code == 422
    assert second.status_code == 429 and int(second["Retry-After"]) > 0
    assert second.json()["code"] == "rate_limited"


def test_token_creation_with_credentials_is_rate_limited(client, settings, customer):
    settings.ZIZHU_RATE_LIMITS = {**settings.ZIZHU_RATE_LIMITS, "signin.account": (2, 300)}
    body = {"name": "x", "login": "alice@example.com", "password": "wrong-password-1"}
    codes = [client.post("/api/v1/auth/tokens", body, content_type="application/json").status_code for _ in range(3)]
    assert codes == [422, 422, 429]


def test_sign_up_and_reset_are_rate_limited(client, settings, customer):
    settings.ZIZHU_RATE_LIMITS = {**settings.ZIZHU_RATE_LIMITS, "signup.ip": (2, 3600), "reset.account": (2, 3600)}
    statuses = [
        client.post(
            reverse("accounts:signup"), {"login": f"n{n}@example.com", "password": "a-long-pass-99"}
        ).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]
    resets = [client.post(reverse("accounts:password_reset"), {"email": "alice@example.com"}) for _ in range(3)]
    assert [r.status_code for r in resets] == [302, 302, 429]
    assert resets[-1]["Retry-After"]


def test_sign_up_of_an_existing_login_looks_like_a_new_one(client, customer, password, sms_outbox, make_user):
    make_user(phone="+8613700137000")
    answers = {}
    for login in ["alice@example.com", "fresh@example.com", "137 0013 7000", "13600136000"]:
        c = Client()
        first = c.post(reverse("accounts:signup"), {"login": login, "password": password})
        page = c.get(first["Location"])
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"', "", page.content.decode())
        answers[login] = (first.status_code, first["Location"], html)
    assert len(set(answers.values())) == 1
    # each login got exactly one message: a code for the new ones, a notice for the owners
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.com", "fresh@example.com"]
    assert sorted(m["to"] for m in sms_outbox) == ["+8613600136000", "+8613700137000"]
    notice = next(m for m in sms_outbox if m["to"] == "+8613700137000")
    assert not re.search(r"\d{6}", notice["text"])
    assert User.objects.count() == 2


def test_the_code_sent_to_an_existing_owner_cannot_take_the_account(client, customer, password):
    client.post(reverse("accounts:signup"), {"login": "alice@example.com", "password": "attacker-pass-123"})
    for guess in ["000000", "123456"]:
        response = client.post(reverse("accounts:signup_confirm"), {"code": guess})
        assert response.status_code == 422
    customer.refresh_from_db()
    assert customer.check_password(password)


def test_sign_up_next_only_to_our_own_paths(client, sign_up, password):
    evil = client.post(
        reverse("accounts:signup") + "?next=https://evil.example/x",
        {"login": "n1@example.com", "password": password},
    )
    assert evil.status_code == 302
    done = client.post(reverse("accounts:signup_confirm"), {"code": re.findall(r"\b\d{6}\b", mail.outbox[-1].body)[-1]})
    assert done["Location"] == reverse("accounts:profile")
    other = Client()
    ours = sign_up(other, "n2@example.com", password, next="/help/")
    assert ours["Location"] == "/help/"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
def test_sign_in_next_never_leaves_the_site(client, customer, password, target):
    response = client.post(SIGNIN + "?next=" + target, {"username": "alice@example.com", "password": password})
    assert response["Location"] == reverse("accounts:profile")


def _median_ms(post, rounds: int) -> tuple[float, float]:
    known, unknown = [], []
    for _ in range(rounds):
        for kind, bucket in (("known", known), ("unknown", unknown)):
            started = time.perf_counter()
            post(kind)
            bucket.append((time.perf_counter() - started) * 1000)
    return statistics.median(known), statistics.median(unknown)


@pytest.fixture
def real_conditions(settings):
    """The production hasher (Argon2), the equal-time floor, no limits in the way."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    settings.ZIZHU_AUTH_RESPONSE_FLOOR = DEFAULT_FLOOR
    settings.ZIZHU_RATE_LIMITS = dict.fromkeys(settings.ZIZHU_RATE_LIMITS, (10000, 60))
    settings.AXES_FAILURE_LIMIT = 10_000


ROUNDS = 7


def test_timing_of_sign_in_sign_up_and_reset_is_within_10_ms(real_conditions, make_user, sms_outbox):
    make_user("known@example.com")  # hashed with Argon2 like a real account
    client = Client()
    results = {}

    def signin(kind):
        client.post(SIGNIN, {"username": f"{kind}@example.com", "password": "wrong-password-1"})

    def signup(kind):
        client.post(reverse("accounts:signup"), {"login": f"{kind}@example.com", "password": "a-long-pass-99"})

    def reset(kind):
        client.post(reverse("accounts:password_reset"), {"email": f"{kind}@example.com"})

    for name, post in [("sign-in", signin), ("sign-up", signup), ("reset", reset)]:
        known, unknown = _median_ms(post, ROUNDS)
        results[name] = (round(known, 1), round(unknown, 1))
    print("timing medians (known ms, unknown ms):", results)
    for name, (known, unknown) in results.items():
        assert abs(known - unknown) < 10, (name, results)
