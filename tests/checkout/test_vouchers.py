"""Vouchers and automatic promotions: kinds, minimum spend, validity, usage limits (also under
concurrency), never below zero, client discounts ignored, cancelled orders give the use back."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.ordering import DETAILS, api_add, api_place, contact_address, guest_cart, run_in_threads
from zizhu.cart.models import Cart
from zizhu.checkout import services
from zizhu.checkout.models import Promotion, Voucher, VoucherRedemption
from zizhu.core import events
from zizhu.core.errors import InvalidInput
from zizhu.orders import services as orders
from zizhu.orders.models import Order

pytestmark = pytest.mark.django_db


def place(cart, voucher: str = "", email: str = "xm@example.com", delivery: str = "standard"):
    contact, address = contact_address()
    contact = services.Contact(contact.name, contact.phone, email)
    return services.place_order(
        cart=cart, customer=None, contact=contact, address=address, delivery=delivery, voucher=voucher
    )


@pytest.mark.smoke
@pytest.mark.parametrize(
    ("kind", "value", "quantity", "discount", "total"),
    [
        ("fixed", "20.00", 1, "20.00", "69.00"),  # 79 - 20 + 10 delivery
        ("percent", "10", 2, "15.80", "142.20"),  # 158 - 15.80, free delivery from 99
        ("free_delivery", "0", 1, "0.00", "79.00"),
        ("fixed", "500.00", 1, "79.00", "10.00"),  # never below zero: only the delivery is left
    ],
)
def test_voucher_kinds(tee_m, kind, value, quantity, discount, total):
    Voucher.objects.create(code="SAVE", kind=kind, value=Decimal(value))
    order = place(guest_cart((tee_m, quantity)), voucher="save")
    assert (order.discount, order.total) == (Decimal(discount), Decimal(total))
    assert VoucherRedemption.objects.get().order_number == order.number


@pytest.mark.smoke
def test_automatic_promotion_300_minus_30(tee_m):
    Promotion.objects.create(name_zh="满300减30", threshold=Decimal("300"), amount=Decimal("30"))
    assert place(guest_cart((tee_m, 3))).total == Decimal("237.00")  # 237 < 300: no promotion
    order = place(guest_cart((tee_m, 4)))  # 316
    assert (order.discount, order.total) == (Decimal("30.00"), Decimal("286.00"))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"min_spend": Decimal("100")}, "at least"),
        ({"valid_from": timezone.now() + timedelta(days=1)}, "not valid yet"),
        ({"valid_until": timezone.now() - timedelta(seconds=1)}, "expired"),
        ({"is_active": False}, "do not know"),
        ({"max_uses": 1, "used_count": 1}, "used up"),
    ],
)
def test_voucher_rules_name_the_field_and_change_nothing(client, tee_m, changes, message, settings):
    settings.LANGUAGE_CODE = "en"
    Voucher.objects.create(code="RULES", kind="fixed", value=Decimal("5"), **changes)
    api_add(client, "TEE-M", 1)
    response = api_place(client, {**DETAILS, "voucher": "RULES"}, key="k")
    assert response.status_code == 422, response.content
    assert "voucher" in response.json()["fields"]
    assert not Order.objects.exists() and Cart.objects.get().status == "open"


def test_per_customer_limit(tee_m):
    Voucher.objects.create(code="ONCE", kind="fixed", value=Decimal("5"), per_customer=1)
    place(guest_cart((tee_m, 1)), voucher="ONCE")
    with pytest.raises(InvalidInput):
        place(guest_cart((tee_m, 1)), voucher="ONCE")
    place(guest_cart((tee_m, 1)), voucher="ONCE", email="other@example.com")
    assert Voucher.objects.get().used_count == 2


def test_client_discounts_are_ignored_and_unknown_code_is_422(client, tee_m):
    api_add(client, "TEE-M", 1)
    response = api_place(client, {**DETAILS, "discount": "79.00", "voucher": "NOPE"}, key="a")
    assert response.status_code == 422 and response.json()["code"] == "voucher_invalid"
    response = api_place(client, {**DETAILS, "discount": "79.00", "total": "0.01"}, key="b")
    assert response.json()["total"]["amount"] == "89.00" and response.json()["discount"]["amount"] == "0.00"


def test_cancelled_order_gives_the_voucher_back(tee_m):
    Voucher.objects.create(code="ONE", kind="fixed", value=Decimal("5"), max_uses=1)
    order = place(guest_cart((tee_m, 1)), voucher="ONE")
    orders.cancel_order(order=order, by_customer=True)
    events.dispatch_pending()
    assert Voucher.objects.get().used_count == 0 and not VoucherRedemption.objects.exists()
    place(guest_cart((tee_m, 1)), voucher="ONE")


def test_review_page_applies_a_voucher(client, tee_m):
    Voucher.objects.create(code="TEN", kind="fixed", value=Decimal("10"))
    client.post("/cart/add/", {"sku": "TEE-M", "quantity": "1"})
    form = {**DETAILS["contact"], **DETAILS["address"], "delivery": "standard"}
    client.post("/checkout/", form)
    html = client.post("/checkout/review/", {"voucher": "nope"}).content.decode()
    assert 'id="id_voucher_error"' in html
    client.post("/checkout/review/", {"voucher": "ten"})
    html = client.get("/checkout/review/").content.decode()
    assert "-¥10.00" in html and "¥79.00" in html  # 79 - 10 + 10 delivery


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_uses_of_a_single_use_voucher(tee_m):
    from zizhu.inventory.models import Stock

    Stock.objects.filter(variant=tee_m).update(on_hand=100)
    Voucher.objects.create(code="SINGLE", kind="fixed", value=Decimal("5"), max_uses=1, per_customer=None)
    carts = [guest_cart((tee_m, 1)) for _ in range(20)]

    def use(index: int) -> str:
        try:
            place(Cart.objects.get(pk=carts[index].pk), voucher="SINGLE", email=f"b{index}@example.com")
        except InvalidInput:
            return "refused"
        return "used"

    results = run_in_threads(20, use)
    assert results.count("used") == 1 and results.count("refused") == 19, results
    assert Voucher.objects.get().used_count == 1 and VoucherRedemption.objects.count() == 1
    assert Order.objects.count() == 1


VOUCHER_FORM = {
    "code": "GOOD1", "kind": "fixed", "value": "5", "min_spend": "0",
    "valid_from_0": "2026-01-01", "valid_from_1": "00:00:00", "per_customer": "1", "is_active": "on",
}  # fmt: skip


@pytest.fixture
def merchandiser_client(client, make_user):
    from django.contrib.auth.models import Group

    merchandiser = make_user("m@example.com", is_staff=True)
    merchandiser.groups.set(Group.objects.filter(name="merchandiser"))
    client.force_login(merchandiser)
    return client


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"code": "pct low!"}, "code", "letters, digits"),
        ({"kind": "percent", "value": "150"}, "value", "at most 100"),
        ({"value": "-5"}, "value", "cannot be negative"),
        ({"valid_until_0": "2025-11-01", "valid_until_1": "00:00:00"}, "valid_until", "after the start"),
    ],
)
def test_the_back_office_explains_a_voucher_it_refuses(merchandiser_client, fields, field, message):
    response = merchandiser_client.post(
        "/backoffice/checkout/voucher/add/", {**VOUCHER_FORM, **fields}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200 and not Voucher.objects.exists()
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors[field]) and "constraint" not in str(errors).lower()


def test_a_lower_case_code_from_the_back_office_is_stored_as_customers_type_it(merchandiser_client, tee_m):
    form = {**VOUCHER_FORM, "code": " pct_low ", "kind": "percent", "value": "10"}
    assert merchandiser_client.post("/backoffice/checkout/voucher/add/", form).status_code == 302
    assert Voucher.objects.get().code == "PCT_LOW"
    order = place(guest_cart((tee_m, 2)), voucher="pct_low")
    assert order.discount == Decimal("15.80")


PROMOTION_FORM = {
    "name_zh": "满300减30", "name_en": "30 off 300", "threshold": "300", "amount": "30",
    "valid_from_0": "2026-01-01", "valid_from_1": "00:00:00", "is_active": "on",
}  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"threshold": "0", "amount": "99999"}, "amount", "less than the spend"),
        ({"threshold": "10", "amount": "500"}, "amount", "less than the spend"),
        ({"amount": "-5"}, "amount", "Enter the amount"),
        ({"threshold": "-1"}, "threshold", "cannot be negative"),
        ({"valid_until_0": "2025-11-01", "valid_until_1": "00:00:00"}, "valid_until", "after the start"),
    ],
)
def test_the_back_office_explains_a_promotion_it_refuses(merchandiser_client, fields, field, message):
    from zizhu.checkout.models import Promotion

    before = Promotion.objects.count()
    response = merchandiser_client.post(
        "/backoffice/checkout/promotion/add/", {**PROMOTION_FORM, **fields}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200 and Promotion.objects.count() == before
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors[field]) and "constraint" not in str(errors).lower()
    assert merchandiser_client.post("/backoffice/checkout/promotion/add/", PROMOTION_FORM).status_code == 302
