"""Saved cards: "save this card for next time" on the gateway's page, then pay with it (pages and API),
remove it, and every bad input (another's card, removed, expired, tampered token, replay) refused."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import override_settings

from tests.payments.conftest import CARDS, deliver_all, pay_on_hosted_page, start
from tests.payments.saved import saved_card
from tests.payments.test_api import confirm
from zizhu.core.models import OutboxEvent
from zizhu.payments import saved_cards, services
from zizhu.payments.models import PasswordFreePayment, Payment, PaymentEvent, SavedCard
from zizhu.payments.sandbox_gateway.models import GatewayCard, GatewayIntent, GatewayPaymentMethod

pytestmark = pytest.mark.django_db
ALWAYS_CHALLENGE = {"ZIZHU_RISK_CHALLENGE_THRESHOLD": 0, "ZIZHU_RISK_REVIEW_THRESHOLD": 1000}


@pytest.fixture(autouse=True)
def password_free_on(customer):
    """These tests are about the cards themselves: the customer turned 小额免密支付 on (¥199 payments are
    within the default ¥200 limit). Its default — off: a second factor — is tested in test_password_free.py."""
    PasswordFreePayment.objects.create(customer=customer, enabled=True)


def charges_of(payment: Payment) -> int:
    """How many card attempts the gateway saw for this payment's intent (never more than one)."""
    intent = GatewayIntent.objects.filter(pk=payment.provider_intent_id).first()
    return 0 if intent is None or intent.card_id is None else 1


# --- saving a card on the gateway's page ---------------------------------------------------------------------------


@pytest.mark.smoke
def test_a_signed_in_customer_saves_the_card_and_the_shop_keeps_only_an_encrypted_token(client, payment, customer):
    page = client.get(start(payment).url)
    assert 'name="save_card"' in page.content.decode()
    pay_on_hosted_page(client, payment, CARDS["success"], save=True)
    payment = services.sync_payment(payment=payment)
    assert payment.status == Payment.Status.SUCCEEDED
    card = SavedCard.objects.get()
    assert (card.customer, card.brand, card.last4, card.exp_month, card.exp_year) == (
        customer,
        "visa",
        "4242",
        12,
        2034,
    )
    assert card.token.startswith("pm_") and card.last_used_at is not None
    method = GatewayPaymentMethod.objects.get()
    assert method.pk == card.token and method.customer_ref == saved_cards.customer_ref(customer.pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT token FROM payments_savedcard")
        (stored,) = cursor.fetchone()
    assert stored.startswith("v1:") and card.token not in stored  # encrypted at rest
    assert deliver_all() >= 1  # the webhook says the same: still one saved card
    assert SavedCard.objects.count() == 1
    assert PaymentEvent.objects.filter(payment=payment, kind="card_saved").count() == 1


def test_the_same_card_saved_twice_is_one_saved_card(client, make_payment, customer):
    for _ in range(2):
        payment = make_payment(customer=customer)
        pay_on_hosted_page(client, payment, CARDS["success"], save=True)
        services.sync_payment(payment=payment)
    assert SavedCard.objects.count() == 1 and GatewayPaymentMethod.objects.count() == 1


def test_a_card_is_not_saved_unless_ticked_nor_for_guests_nor_when_declined(client, make_payment, customer):
    pay_on_hosted_page(client, make_payment(customer=customer), CARDS["success"])  # not ticked
    guest = make_payment()
    assert 'name="save_card"' not in client.get(start(guest).url).content.decode()
    pay_on_hosted_page(client, guest, CARDS["success"], save=True)  # a guest's tick is ignored
    pay_on_hosted_page(client, make_payment(customer=customer), CARDS["decline"], save=True)
    deliver_all()
    assert not SavedCard.objects.exists() and not GatewayPaymentMethod.objects.exists()


def test_a_three_d_secure_card_is_saved_only_once_the_challenge_is_passed(client, make_payment, customer):
    failed = make_payment(customer=customer)
    pay_on_hosted_page(client, failed, CARDS["3ds"], save=True)
    client.post(f"/sandbox-gateway/3ds/{failed.provider_intent_id}/", {"action": "cancel"})
    assert not GatewayPaymentMethod.objects.exists()
    payment = make_payment(customer=customer)
    pay_on_hosted_page(client, payment, CARDS["3ds"], save=True)
    intent = GatewayIntent.objects.get(pk=Payment.objects.get(pk=payment.pk).provider_intent_id)
    client.post(f"/sandbox-gateway/3ds/{intent.pk}/", {"code": intent.challenge_code})
    deliver_all()  # the customer never came back: the webhook alone saves the card
    assert SavedCard.objects.get().last4 == "3220"


# --- paying with a saved card ---------------------------------------------------------------------------------------


@pytest.mark.smoke
def test_the_pay_page_offers_the_last_used_card_and_pays_with_it_once(client, payment, customer):
    older = saved_card(customer, last4="1111")
    card = saved_card(customer)
    SavedCard.objects.filter(pk=older.pk).update(last_used_at="2020-01-01T00:00:00Z")
    SavedCard.objects.filter(pk=card.pk).update(last_used_at="2024-01-01T00:00:00Z")
    client.force_login(customer)
    html = client.get(f"/pay/{payment.number}/").content.decode()
    assert "Visa ···4242" in html and f'value="saved:{card.pk}" checked' in html
    assert f'value="saved:{older.pk}" >' in html or f'value="saved:{older.pk}" ' in html
    response = client.post(f"/pay/{payment.number}/start/", {"method": f"saved:{card.pk}"})
    assert response.status_code == 302 and response["Location"] == f"/pay/{payment.number}/result/"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED and payment.card_last4 == "4242" and payment.method == "card"
    # A second click (or a replayed form) never charges again.
    again = client.post(f"/pay/{payment.number}/start/", {"method": f"saved:{card.pk}"})
    assert again.status_code == 302
    deliver_all()
    assert list(OutboxEvent.objects.filter(topic="payment.succeeded").values_list("topic", flat=True)) == [
        "payment.succeeded"
    ]
    assert GatewayCard.objects.count() == 1
    card.refresh_from_db()
    assert card.last_used_at.year > 2024


@pytest.mark.parametrize(
    ("behaviour", "code"), [("decline", "card_declined"), ("insufficient_funds", "insufficient_funds")]
)
def test_a_saved_card_that_is_declined_fails_with_its_reason(client, payment, customer, behaviour, code):
    card = saved_card(customer, behaviour)
    client.force_login(customer)
    response = client.post(f"/pay/{payment.number}/start/", {"method": f"saved:{card.pk}"})
    assert response["Location"] == f"/pay/{payment.number}/result/"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.FAILED and payment.failure_code == code


def test_a_saved_three_d_secure_card_still_needs_its_challenge(client, payment, customer):
    card = saved_card(customer, "three_d_secure", last4="3220")
    client.force_login(customer)
    response = client.post(f"/pay/{payment.number}/start/", {"method": f"saved:{card.pk}"})
    assert "/sandbox-gateway/3ds/" in response["Location"]
    payment.refresh_from_db()
    assert payment.status == Payment.Status.REQUIRES_ACTION
    intent = GatewayIntent.objects.get(pk=payment.provider_intent_id)
    client.post(response["Location"], {"code": intent.challenge_code})
    assert services.sync_payment(payment=payment).status == Payment.Status.SUCCEEDED


def test_expired_cards_are_not_offered_and_cannot_pay(client, payment, customer):
    card = saved_card(customer, exp_year=2020)
    client.force_login(customer)
    html = client.get(f"/pay/{payment.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"saved:{card.pk}" not in html
    refused = confirm(client, payment, {"saved_card": card.pk})
    assert refused.status_code == 422 and refused.json()["code"] == "card_expired"
    listed = client.get("/api/v1/payments/cards").json()
    assert listed == [
        {
            "id": card.pk,
            "brand": "visa",
            "last4": "4242",
            "exp_month": 12,
            "exp_year": 2020,
            "expired": True,
            "created_at": listed[0]["created_at"],
            "last_used_at": None,
        }
    ]
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CREATED and payment.provider_intent_id is None


@override_settings(**ALWAYS_CHALLENGE)
def test_the_second_factor_still_applies_to_a_saved_card(client, customer, tee_m):
    from django.core import mail

    from tests.payments.risk.helpers import code_from_mail, place

    order = place(customer, tee_m)
    card = saved_card(customer)
    client.force_login(customer)
    response = client.post(f"/pay/{order.payment_number}/start/", {"method": f"saved:{card.pk}"})
    verify = f"/pay/{order.payment_number}/verify/?method=saved:{card.pk}"
    assert response["Location"] == verify
    payment = Payment.objects.get(number=order.payment_number)
    assert payment.provider_intent_id is None  # nothing sent to the gateway yet
    api = confirm(client, payment, {"saved_card": card.pk})
    assert api.status_code == 403 and api.json()["code"] == "second_factor_required"
    client.post(verify, {"action": "send", "method": f"saved:{card.pk}"})
    done = client.post(verify, {"action": "confirm", "method": f"saved:{card.pk}", "code": code_from_mail(mail.outbox)})
    assert done.status_code == 302 and done["Location"] == f"/pay/{order.payment_number}/result/"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED and payment.risk.factor == "passed"


# --- the API and bad input ------------------------------------------------------------------------------------------


@pytest.mark.smoke
def test_api_confirm_with_a_saved_card_replays_the_same_key_and_never_charges_twice(client, payment, customer):
    card = saved_card(customer)
    client.force_login(customer)
    first = confirm(client, payment, {"saved_card": card.pk})
    assert first.status_code == 200 and first.json()["status"] == "succeeded"
    replay = confirm(client, payment, {"saved_card": card.pk})
    assert replay.json() == first.json() and replay.headers["Idempotent-Replayed"] == "true"
    other_body = confirm(client, payment, {"saved_card": card.pk + 1})
    assert other_body.status_code == 422 and other_body.json()["code"] == "idempotency_key_reused"
    new_key = confirm(client, payment, {"saved_card": card.pk}, key="key-2")
    assert new_key.status_code == 200 and new_key.json()["status"] == "succeeded"
    assert GatewayCard.objects.count() == 1
    assert OutboxEvent.objects.filter(topic="payment.succeeded").count() == 1


@pytest.mark.parametrize("case", ["another_customers", "removed", "not_an_id", "both"])
def test_api_bad_saved_cards_are_refused_clearly_and_charge_nothing(client, payment, customer, other_customer, case):
    client.force_login(customer)
    body = {
        "another_customers": lambda: {"saved_card": saved_card(other_customer).pk},
        "removed": lambda: {"saved_card": _removed(customer)},
        "not_an_id": lambda: {"saved_card": "<script>1</script>"},
        "both": lambda: {"saved_card": saved_card(customer).pk, "token": "tok_abcdefghijkl"},
    }[case]()
    response = confirm(client, payment, body)
    expected = {"another_customers": 404, "removed": 404, "not_an_id": 422, "both": 422}[case]
    assert response.status_code == expected, response.content
    assert "message" in response.json() and "<script>" not in response.content.decode()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CREATED and charges_of(payment) == 0


def _removed(customer) -> int:
    card = saved_card(customer)
    saved_cards.remove_saved_card(user=customer, card_id=card.pk)
    return card.pk


@pytest.mark.parametrize("how", ["altered_at_rest", "another_customers_token"])
def test_a_tampered_token_is_refused_and_charges_nothing(client, payment, customer, other_customer, how):
    card = saved_card(customer)
    if how == "altered_at_rest":
        with connection.cursor() as cursor:
            cursor.execute("UPDATE payments_savedcard SET token = token || 'x' WHERE id = %s", [card.pk])
    else:  # the token of another customer's card, even valid at the gateway, does not pay for this customer
        SavedCard.objects.filter(pk=card.pk).update(token=saved_card(other_customer).token)
    client.force_login(customer)
    response = confirm(client, payment, {"saved_card": card.pk})
    assert response.status_code == 422
    assert response.json()["code"] == ("saved_card_invalid" if how == "altered_at_rest" else "payment_method_invalid")
    payment.refresh_from_db()
    assert payment.status in (Payment.Status.CREATED, Payment.Status.REQUIRES_ACTION) and charges_of(payment) == 0
    page = client.post(f"/pay/{payment.number}/start/", {"method": f"saved:{card.pk}"}, follow=True)
    assert page.status_code == 200 and "message-error" in page.content.decode()  # back on the pay page, told why
    assert charges_of(Payment.objects.get(pk=payment.pk)) == 0


@pytest.mark.smoke
def test_list_and_remove_saved_cards_own_only_and_detached_at_the_gateway(client, customer, other_customer):
    mine = saved_card(customer)
    theirs = saved_card(other_customer)
    assert client.get("/api/v1/payments/cards").status_code == 401
    client.force_login(customer)
    listed = client.get("/api/v1/payments/cards").json()
    assert [c["id"] for c in listed] == [mine.pk] and "token" not in listed[0]
    assert client.delete(f"/api/v1/payments/cards/{theirs.pk}").status_code == 404
    assert client.post(f"/pay/cards/{theirs.pk}/remove/").status_code == 404
    assert SavedCard.objects.filter(pk=theirs.pk).exists()
    assert client.delete(f"/api/v1/payments/cards/{mine.pk}").status_code == 204
    assert not SavedCard.objects.filter(pk=mine.pk).exists()
    assert GatewayPaymentMethod.objects.get(pk=mine.token).detached_at is not None
    assert GatewayPaymentMethod.objects.get(pk=theirs.token).detached_at is None
    assert client.delete(f"/api/v1/payments/cards/{mine.pk}").status_code == 404  # removed: gone


def test_the_account_page_lists_cards_and_removes_one(client, customer):
    card = saved_card(customer)
    expired = saved_card(customer, exp_year=2020, last4="1111")
    client.force_login(customer)
    assert "/pay/cards/" in client.get("/accounts/profile/").content.decode()
    html = client.get("/pay/cards/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Visa ···4242" in html and "Visa ···1111" in html and "expired" in html
    assert card.token not in html
    done = client.post(f"/pay/cards/{expired.pk}/remove/", follow=True)
    assert done.status_code == 200 and 'role="status"' in done.content.decode()
    assert list(SavedCard.objects.values_list("pk", flat=True)) == [card.pk]
    assert client.get(f"/pay/cards/{card.pk}/remove/").status_code == 405


def test_a_removed_card_cannot_be_charged_at_the_gateway_either(customer, make_payment):
    card = saved_card(customer)
    token = card.token
    saved_cards.remove_saved_card(user=customer, card_id=card.pk)
    payment = make_payment(customer=customer)
    start(payment)
    from zizhu.payments.providers import get_provider
    from zizhu.payments.providers.base import ProviderError

    payment.refresh_from_db()
    with pytest.raises(ProviderError) as refused:
        get_provider().charge_saved_card(
            intent_id=payment.provider_intent_id, card_token=token, customer_ref=saved_cards.customer_ref(customer.pk)
        )
    assert refused.value.code == "payment_method_invalid"


# --- privacy and the back office ------------------------------------------------------------------------------------


def test_privacy_export_and_delete_include_saved_cards(customer, django_capture_on_commit_callbacks):
    from zizhu.accounts import privacy

    card = saved_card(customer)
    token = card.token
    exported = privacy.collect(customer)["saved_cards"]
    assert exported[0]["last4"] == "4242" and "token" not in exported[0] and token not in str(exported)
    with django_capture_on_commit_callbacks(execute=True):
        privacy.delete_account(user=customer)
    assert not SavedCard.objects.exists()
    assert GatewayPaymentMethod.objects.get(pk=token).detached_at is not None


def test_back_office_shows_brand_and_last4_only_to_payment_roles(client, customer, make_user):
    from django.contrib.auth.models import Group

    card = saved_card(customer)
    finance = make_user("fin@example.com", is_staff=True)
    finance.groups.add(Group.objects.get(name="finance"))
    warehouse = make_user("wh@example.com", is_staff=True)
    warehouse.groups.add(Group.objects.get(name="warehouse"))
    client.force_login(warehouse)
    assert client.get("/backoffice/payments/savedcard/").status_code == 403
    client.force_login(finance)
    listing = client.get("/backoffice/payments/savedcard/")
    detail = client.get(f"/backoffice/payments/savedcard/{card.pk}/change/")
    assert listing.status_code == 200 and detail.status_code == 200
    for html in (listing.content.decode(), detail.content.decode()):
        assert "4242" in html and card.token not in html and "v1:" not in html


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_clicks_with_a_saved_card_charge_once(customer, make_payment):
    from tests.ordering import run_in_threads
    from tests.payments.conftest import NOTIFY_URL, RETURN_URL

    payment = make_payment(customer=customer)
    card = saved_card(customer)

    def pay(_index: int) -> str:
        fresh = Payment.objects.get(pk=payment.pk)
        return saved_cards.pay_with_saved_card(
            payment=fresh, card_id=card.pk, user=customer, return_url=RETURN_URL, notify_url=NOTIFY_URL
        ).kind

    results = run_in_threads(4, pay)
    assert all(result == "none" for result in results), results  # no error for the later clicks either
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert GatewayCard.objects.count() == 1  # the gateway saw exactly one charge
    assert OutboxEvent.objects.filter(topic="payment.succeeded").count() == 1


def test_script_in_a_saved_cards_text_stays_text(client, payment, customer):
    card = saved_card(customer)
    SavedCard.objects.filter(pk=card.pk).update(brand="<script>x</script>", last4="<b>1")
    client.force_login(customer)
    for path in ("/pay/cards/", f"/pay/{payment.number}/"):
        html = client.get(path).content.decode()
        assert "<script>x" not in html and "<b>1" not in html
        assert "&lt;b&gt;1" in html


@pytest.mark.parametrize("card_id", ["abc", "99999999999999999999", "0", "-1", "1.5"])
def test_removing_a_card_by_a_bad_id_is_a_clear_4xx(client, customer, card_id):
    client.force_login(customer)
    response = client.delete(f"/api/v1/payments/cards/{card_id}")
    assert response.status_code in (404, 422) and response.json()["message"]
    assert client.post(f"/pay/cards/{card_id}/remove/").status_code == 404
