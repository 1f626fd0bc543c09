"""execute_atomic: claim, action and stored answer in ONE transaction, with the same rules as execute
(replay, 422 for another body, 409 while running, errors stored except "try again"). The race of
eight requests with one key runs for both in test_idempotency.py."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection
from django.utils import timezone

from zizhu.core import idempotency
from zizhu.core.errors import Conflict, InvalidInput, NotFound
from zizhu.core.models import IdempotencyKey, OutboxEvent


def run(key: str = "k1", body: str = "a", action=None, owner: str = "user:1"):
    calls = []

    def default_action():
        calls.append(1)
        OutboxEvent.objects.create(topic="test.effect", payload={"n": len(calls)})  # a write in the transaction
        return 201, {"made": len(calls)}

    outcome = idempotency.execute_atomic(
        scope="test.atomic",
        owner=owner,
        key=key,
        request_fingerprint=idempotency.fingerprint("POST", "/x", body),
        action=action or default_action,
    )
    return outcome, calls


@pytest.mark.smoke
@pytest.mark.django_db
def test_replay_without_a_second_effect_and_422_for_another_body():
    first, _calls = run()
    second, again = run()
    assert (first.status, first.body, first.replayed) == (201, {"made": 1}, False)
    assert (second.status, second.body, second.replayed) == (201, {"made": 1}, True) and again == []
    assert OutboxEvent.objects.filter(topic="test.effect").count() == 1
    with pytest.raises(InvalidInput) as caught:
        run(body="b")
    assert caught.value.code == "idempotency_key_reused"
    assert IdempotencyKey.objects.get().status == IdempotencyKey.Status.DONE


@pytest.mark.smoke
@pytest.mark.django_db
def test_a_crash_rolls_back_the_claim_with_the_effect():
    def boom():
        OutboxEvent.objects.create(topic="test.effect", payload={})
        raise RuntimeError("crash")

    with pytest.raises(RuntimeError):
        run(action=boom)
    assert not IdempotencyKey.objects.exists() and not OutboxEvent.objects.exists()
    outcome, calls = run()
    assert not outcome.replayed and calls == [1]


@pytest.mark.smoke
@pytest.mark.django_db
def test_a_refusal_is_stored_without_the_effects_of_the_refused_attempt():
    def not_found():
        OutboxEvent.objects.create(topic="test.effect", payload={})
        raise NotFound()

    with pytest.raises(NotFound):
        run(key="nf", action=not_found)
    assert not OutboxEvent.objects.exists()  # rolled back; the answer is kept (test_idempotency.py)
    assert IdempotencyKey.objects.get(key="nf").response_status == 404


@pytest.mark.smoke
@pytest.mark.django_db
def test_a_colliding_number_runs_the_whole_transaction_again():
    attempts = []

    def collides_once():
        attempts.append(1)
        OutboxEvent.objects.create(topic="test.effect", payload={"attempt": len(attempts)})
        if len(attempts) == 1:
            raise IntegrityError("duplicate key value violates unique constraint")
        return 201, {"attempt": len(attempts)}

    outcome, _calls = run(action=collides_once)
    assert outcome.body == {"attempt": 2} and len(attempts) == 2
    assert list(OutboxEvent.objects.values_list("payload", flat=True)) == [{"attempt": 2}]


@pytest.mark.smoke
@pytest.mark.django_db
def test_an_expired_key_counts_as_new():
    run()
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    again, calls = run(body="other")
    assert not again.replayed and calls == [1]
    assert IdempotencyKey.objects.get().fingerprint == idempotency.fingerprint("POST", "/x", "other")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_while_the_first_runs_the_same_key_gets_409_at_once():
    started, release = threading.Event(), threading.Event()
    results: dict[str, object] = {}

    def slow():
        started.set()
        release.wait(timeout=10)
        return 201, {"ok": True}

    def first():
        try:
            results["first"] = run(action=slow)[0].status
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    assert started.wait(timeout=10)
    try:
        with pytest.raises(Conflict) as caught:
            run()
        assert caught.value.code == "idempotency_key_in_use" and caught.value.status == 409
    finally:
        release.set()
        thread.join(timeout=30)
    assert results == {"first": 201}
    replay, calls = run()
    assert replay.replayed and replay.body == {"ok": True} and calls == []


@pytest.mark.django_db
def test_a_step_asked_for_at_end_runs_after_the_stored_answer_and_its_error_undoes_it():
    seen = []

    def action():
        idempotency.at_end(lambda: seen.append(IdempotencyKey.objects.get(key="k1").status))
        return 201, {"ok": True}

    idempotency.execute_atomic(scope="s", owner="o", key="k1", request_fingerprint="f", action=action)
    assert seen == ["done"]  # the answer was already stored when the step ran

    def failing_last_step():
        raise Conflict("sold out", code="out_of_stock")

    def action2():
        idempotency.at_end(failing_last_step)
        return 201, {"ok": True}

    with pytest.raises(Conflict):
        idempotency.execute_atomic(scope="s", owner="o", key="k2", request_fingerprint="f", action=action2)
    # The answer stored before the step was rolled back with it (and a 409 is not kept: a retry may pass).
    assert not IdempotencyKey.objects.filter(key="k2").exists()
    outside = []
    idempotency.at_end(lambda: outside.append(1))  # outside an action: runs at once
    assert outside == [1]
