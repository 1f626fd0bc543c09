"""Idempotency keys: replay, 422 for another body, 409 while running (really concurrent on PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from zizhu.core import idempotency
from zizhu.core.errors import Conflict, InvalidInput, NotFound
from zizhu.core.models import IdempotencyKey


def run(key: str = "k1", body: str = "a", action=None, owner: str = "user:1", execute=idempotency.execute):
    calls = []

    def default_action():
        calls.append(1)
        return 201, {"made": len(calls)}

    outcome = execute(
        scope="test.scope",
        owner=owner,
        key=key,
        request_fingerprint=idempotency.fingerprint("POST", "/x", body),
        action=action or default_action,
    )
    return outcome, calls


@pytest.mark.smoke
@pytest.mark.django_db
def test_same_key_same_body_replays_without_a_second_effect():
    effects = []

    def action():
        effects.append(1)
        return 201, {"order": "O1", "n": len(effects)}

    first, _ = run(action=action)
    second, _ = run(action=action)
    assert first.status == second.status == 201 and first.body == second.body == {"order": "O1", "n": 1}
    assert (first.replayed, second.replayed) == (False, True)
    assert effects == [1]
    row = IdempotencyKey.objects.get()
    assert row.status == IdempotencyKey.Status.DONE and row.response_status == 201


@pytest.mark.smoke
@pytest.mark.django_db
def test_same_key_different_body_is_422():
    run(body="a")
    with pytest.raises(InvalidInput) as caught:
        run(body="b")
    assert caught.value.status == 422 and caught.value.code == "idempotency_key_reused"


@pytest.mark.smoke
@pytest.mark.django_db
def test_keys_are_per_owner_and_scope():
    run(owner="user:1")
    other, calls = run(owner="user:2")
    assert other.replayed is False and calls == [1]


@pytest.mark.smoke
@pytest.mark.django_db
def test_in_progress_key_is_409():
    def action():
        with pytest.raises(Conflict) as caught:
            run()
        assert caught.value.code == "idempotency_key_in_use" and caught.value.status == 409
        return 200, {}

    run(action=action)


@pytest.mark.smoke
@pytest.mark.django_db
@pytest.mark.parametrize("execute", [idempotency.execute, idempotency.execute_atomic])
def test_domain_errors_are_stored_and_replayed_but_conflicts_are_not(execute):
    def not_found():
        raise NotFound()

    with pytest.raises(NotFound):
        run(key="nf", action=not_found, execute=execute)
    replay, calls = run(key="nf", execute=execute)
    assert replay.replayed and replay.status == 404 and replay.body["code"] == "not_found" and calls == []

    def busy():
        raise Conflict()

    with pytest.raises(Conflict):
        run(key="busy", action=busy, execute=execute)
    retried, calls = run(key="busy", execute=execute)
    assert not retried.replayed and calls == [1]


@pytest.mark.smoke
@pytest.mark.django_db
def test_unexpected_error_releases_the_key():
    def boom():
        raise RuntimeError("crash")

    with pytest.raises(RuntimeError):
        run(action=boom)
    assert not IdempotencyKey.objects.exists()
    outcome, calls = run()
    assert not outcome.replayed and calls == [1]


@pytest.mark.smoke
@pytest.mark.django_db
def test_expired_keys_count_as_new_and_are_purged():
    run()
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    again, calls = run()
    assert not again.replayed and calls == [1]
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    run(key="fresh")
    assert idempotency.purge_expired() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["fresh"]


@pytest.mark.smoke
@pytest.mark.django_db
def test_a_claim_left_by_a_dead_process_is_taken_over_by_a_retry():
    IdempotencyKey.objects.create(
        scope="test.scope",
        owner="user:1",
        key="k1",
        fingerprint=idempotency.fingerprint("POST", "/x", "a"),
        claimed_at=timezone.now() - timedelta(minutes=10),
    )
    outcome, calls = run()
    assert not outcome.replayed and calls == [1]


@pytest.mark.smoke
@pytest.mark.parametrize(
    ("raw", "ok"),
    [
        ("a", True),
        ("x" * 255, True),
        ("order 42-abc_!~", True),
        ("", False),
        ("x" * 256, False),
        ("ключ", False),
        ("tab\there", False),
        ("   ", False),
        ("line\nbreak", False),
    ],
)
def test_key_format(raw, ok):
    if ok:
        assert idempotency.validate_key(raw) == raw
    else:
        with pytest.raises(InvalidInput) as caught:
            idempotency.validate_key(raw)
        assert caught.value.status == 422


def test_json_bodies_compare_by_content():
    assert idempotency.canonical_body(b'{"a": 1, "b": 2}') == idempotency.canonical_body(b'{"b":2,"a":1}')
    assert idempotency.canonical_body(b"not json") == b"not json"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_run_once_and_the_other_gets_409():
    """Two threads, two connections, the same key at the same moment: the unique INSERT decides."""
    started = threading.Event()
    release = threading.Event()
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}
    effects: list[int] = []

    def slow_action():
        effects.append(1)
        started.set()
        release.wait(timeout=10)
        return 201, {"ok": True}

    def first():
        try:
            barrier.wait(timeout=10)
            results["first"] = run(action=slow_action)[0].status
        finally:
            connection.close()

    def second():
        try:
            barrier.wait(timeout=10)
            started.wait(timeout=10)
            try:
                run(action=slow_action)
                results["second"] = "ran"
            except Conflict as exc:
                results["second"] = exc.status
        finally:
            release.set()
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert results == {"first": 201, "second": 409}
    assert effects == [1]
    replay, calls = run()
    assert replay.replayed and replay.status == 201 and calls == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("execute", [idempotency.execute, idempotency.execute_atomic])
def test_racing_inserts_of_one_key_let_exactly_one_run(execute):
    """Eight threads INSERT the same key at once: exactly one runs the action, the rest replay or get 409
    (also when claim, action and answer are one transaction: execute_atomic)."""
    barrier = threading.Barrier(8)
    effects: list[int] = []
    outcomes: list[object] = []
    lock = threading.Lock()

    def action():
        with lock:
            effects.append(1)
        return 200, {"ok": True}

    def worker():
        try:
            barrier.wait(timeout=10)
            try:
                outcome, _ = run(key="race", action=action, execute=execute)
                outcomes.append("replayed" if outcome.replayed else "ran")
            except Conflict:
                outcomes.append(409)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(outcomes) == 8 and outcomes.count("ran") == 1 and effects == [1]
    assert IdempotencyKey.objects.get(key="race").status == IdempotencyKey.Status.DONE


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_payment_confirm_endpoint_answers_409_to_a_concurrent_retry(customer, monkeypatch):
    """Over HTTP: the first confirm is still talking to the gateway when the retry arrives."""
    from zizhu.core.money import Money
    from zizhu.payments import services
    from zizhu.payments.providers.sandbox import SandboxProvider

    payment = services.create_payment(reference="O-race", amount=Money.of("10.00"), customer=customer)
    in_gateway = threading.Event()
    release = threading.Event()
    original = SandboxProvider.confirm

    def slow_confirm(self, **kwargs):
        in_gateway.set()
        release.wait(timeout=10)
        return original(self, **kwargs)

    monkeypatch.setattr(SandboxProvider, "confirm", slow_confirm)
    token = (
        Client()
        .post(
            "/sandbox-gateway/v1/tokens",
            {"number": "4242424242424242", "expiry": "12/34", "cvc": "123"},
            content_type="application/json",
        )
        .json()["token"]
    )
    statuses: dict[str, int] = {}

    def post(name: str) -> None:
        try:
            client = Client()
            client.force_login(customer)
            response = client.post(
                f"/api/v1/payments/{payment.number}/confirm",
                {"token": token},
                content_type="application/json",
                headers={"Idempotency-Key": "same-key"},
            )
            statuses[name] = response.status_code
        finally:
            connection.close()

    first = threading.Thread(target=post, args=("first",))
    first.start()
    assert in_gateway.wait(timeout=10)
    second = threading.Thread(target=post, args=("second",))
    second.start()
    second.join(timeout=30)
    release.set()
    first.join(timeout=30)
    assert statuses == {"first": 200, "second": 409}
    payment.refresh_from_db()
    assert payment.status == "succeeded"
