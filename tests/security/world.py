"""Customer A's world: one of every thing a customer owns, built through the real flows, with
known personal data (so a sweep can look for it), and a fingerprint of all of it (so a sweep
can prove another customer's requests changed nothing)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from tests.conftest import PASSWORD
from tests.ordering import api_add, api_place

# Known personal data: the sweeps look for these exact strings where they must not appear.
PHONE = "+8613912345678"
PHONE_DIGITS = ("13912345678", "139 1234 5678", "139-1234-5678")
EMAIL = "alice.private@example.com"
ORDER_PHONE = "139 8765 4321"
ORDER_PHONE_DIGITS = ("13987654321", "139 8765 4321")
ORDER_EMAIL = "alice.orders@example.com"
ADDRESS_LINE = "梧桐路 77 号 8 楼 801 室"
ORDER_DETAILS = {
    "contact": {"name": "李秘密", "phone": ORDER_PHONE, "email": ORDER_EMAIL},
    "address": {"province": "上海市", "city": "上海市", "district": "徐汇区", "line": ADDRESS_LINE},
    "delivery": "standard",
}
UNMASKED = (*PHONE_DIGITS, EMAIL, *ORDER_PHONE_DIGITS, ORDER_EMAIL, "梧桐路 77 号", "801 室")


@dataclass
class World:
    alice: Any
    order: Any
    payment: Any
    intent_id: str
    cart_line: Any
    token: Any
    device: Any
    favourite: Any
    history_entry: Any
    hidden: Any
    saved_address: Any
    passkey: Any
    inbox_message: Any
    extra: dict[str, Any] = field(default_factory=dict)
    saved_card: Any = None

    def fingerprint(self) -> dict[str, list[dict[str, Any]]]:
        """Every row A owns, as values: equal before and after means nothing of A's changed."""
        from zizhu.accounts.models import ApiToken, Passkey, User, UserSession
        from zizhu.cart.models import CartLine
        from zizhu.catalog.models import BrowsingHistory, Favourite
        from zizhu.checkout.models import SavedAddress
        from zizhu.notifications.models import InboxMessage
        from zizhu.orders.models import Order, OrderLine
        from zizhu.payments.models import PasswordFreePayment, Payment, SavedCard
        from zizhu.payments.sandbox_gateway.models import GatewayIntent, GatewayPaymentMethod
        from zizhu.recommendations.models import HiddenItem

        a = self.alice.pk
        sets = {
            "user": User.objects.filter(pk=a),
            "tokens": ApiToken.objects.filter(user_id=a),
            "sessions": UserSession.objects.filter(user_id=a).defer("last_seen_at"),
            "cart lines": CartLine.objects.filter(cart__user_id=a),
            "favourites": Favourite.objects.filter(user_id=a),
            "history": BrowsingHistory.objects.filter(user_id=a),
            "addresses": SavedAddress.objects.filter(user_id=a),
            "orders": Order.objects.filter(customer_id=a),
            "order lines": OrderLine.objects.filter(order__customer_id=a),
            "payments": Payment.objects.filter(customer_id=a),
            "intents": GatewayIntent.objects.filter(pk=self.intent_id),
            "hidden": HiddenItem.objects.filter(customer_id=a),
            "passkeys": Passkey.objects.filter(user_id=a),
            "inbox": InboxMessage.objects.filter(customer_id=a),
            "saved cards": SavedCard.objects.filter(customer_id=a).defer("token"),
            "gateway saved cards": GatewayPaymentMethod.objects.filter(
                pk=self.saved_card.token if self.saved_card else ""
            ),
            "password-free payment": PasswordFreePayment.objects.filter(customer_id=a),
        }
        volatile = {"last_seen_at", "last_login", "updated_at", "last_used_at"}
        return {
            name: [{k: v for k, v in row.items() if k not in volatile} for row in qs.order_by("pk").values()]
            for name, qs in sets.items()
        }


def build_world(alice: Any, product: Any, other_product: Any) -> World:
    from zizhu.accounts.models import ApiToken, UserSession
    from zizhu.accounts.services import create_api_token
    from zizhu.cart.models import CartLine
    from zizhu.catalog.models import BrowsingHistory
    from zizhu.catalog.owners import Owner
    from zizhu.catalog.services import add_favourite
    from zizhu.checkout.models import SavedAddress
    from zizhu.notifications.services import send_message
    from zizhu.orders.models import Order
    from zizhu.payments import services as payments
    from zizhu.payments.models import Payment
    from zizhu.recommendations.services import hide_item

    browser = Client()
    signed_in = browser.post("/accounts/signin/", {"username": alice.email, "password": PASSWORD})
    assert signed_in.status_code == 302, "A's real sign-in failed (the devices page needs a session row)"
    api_add(browser, product.variants.first().sku, 1)
    assert api_place(browser, ORDER_DETAILS, key="world-order").status_code == 201
    order = Order.objects.get(customer=alice)
    payment = Payment.objects.get(customer=alice)
    step = payments.start_payment(
        payment=payment, method="card", return_url="http://testserver/pay/return", notify_url="http://testserver/x"
    )
    intent_id = step.url.rstrip("/").split("/")[-1]
    api_add(browser, product.variants.first().sku, 2)  # an open cart after the order
    create_api_token(user=alice, name="alice-script")
    owner = Owner(user=alice)
    favourite, _created = add_favourite(owner=owner, product=product)
    history_entry = BrowsingHistory.objects.create(user=alice, product=product)
    return World(
        alice=alice,
        order=order,
        payment=payment,
        intent_id=intent_id,
        cart_line=CartLine.objects.filter(cart__user=alice).latest("pk"),
        token=ApiToken.objects.get(user=alice),
        device=UserSession.objects.filter(user=alice).latest("pk"),
        favourite=favourite,
        history_entry=history_entry,
        hidden=hide_item(customer=alice, product_id=other_product.pk),
        saved_address=SavedAddress.objects.get(user=alice),
        passkey=_passkey(alice),
        inbox_message=send_message(customer=alice, subject="Your order shipped", body="Private news for A"),
        extra={"client": browser},
        saved_card=_saved_card(alice),
    )


def _saved_card(alice: Any) -> Any:
    from tests.payments.saved import saved_card
    from zizhu.payments.models import PasswordFreePayment

    PasswordFreePayment.objects.create(customer=alice, enabled=True, limit="300.00")  # 小额免密: A's own setting
    return saved_card(alice)


def _passkey(alice: Any) -> Any:
    """A stored passkey (its public key is never used here: the sweeps only rename and remove)."""
    import hashlib
    import os

    from zizhu.accounts.models import Passkey

    credential_id = os.urandom(32)
    return Passkey.objects.create(
        user=alice,
        name="Alice's phone",
        credential_id=credential_id,
        credential_key=hashlib.sha256(credential_id).hexdigest(),
        public_key=b"not-a-key",
        user_handle=os.urandom(32),
    )


@pytest.fixture
def alice_world(make_user, tee_m, tee_l, category):
    from zizhu.catalog.models import Product, Variant
    from zizhu.inventory import services as inventory

    other = Product.objects.create(slug="mug", category=category, name_zh="马克杯", name_en="Mug", price="29.00")
    mug = Variant.objects.create(product=other, sku="MUG-1", price="29.00", stock=5)
    inventory.take_over_variants(variant_ids=[mug.pk])
    alice = make_user(EMAIL, phone=PHONE, display_name="Alice")
    return build_world(alice, tee_m.product, other)
