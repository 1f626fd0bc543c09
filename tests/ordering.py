"""Fixtures shared by the ordering tests (inventory, cart, checkout, orders): a T-shirt with
two sizes held in the default warehouse, and a built-to-order phone with one option group."""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from zizhu.catalog.models import Category, Option, OptionGroup, Product, Variant
from zizhu.inventory import services as inventory


@pytest.fixture
def category(db):
    return Category.objects.create(slug="clothing", name_zh="服装", name_en="Clothing")


@pytest.fixture
def shirt(category):
    return Product.objects.create(
        slug="tee", category=category, name_zh="纯棉T恤", name_en="Cotton T-shirt", price=Decimal("79.00")
    )


@pytest.fixture
def tee_m(shirt):
    variant = Variant.objects.create(product=shirt, sku="TEE-M", price=Decimal("79.00"), stock=10)
    inventory.take_over_variants(variant_ids=[variant.pk])
    return variant


@pytest.fixture
def tee_l(shirt):
    variant = Variant.objects.create(product=shirt, sku="TEE-L", price=Decimal("89.50"), stock=3, position=1)
    inventory.take_over_variants(variant_ids=[variant.pk])
    return variant


@pytest.fixture
def phone(category):
    product = Product.objects.create(
        slug="phone",
        category=category,
        name_zh="星河手机",
        name_en="Xinghe phone",
        price=Decimal("3000.00"),
        is_configurable=True,
        delivery_days=4,
    )
    group = OptionGroup.objects.create(product=product, code="storage", name_zh="存储", name_en="Storage")
    Option.objects.create(group=group, code="128gb", name_zh="128GB", price_delta=0, is_default=True)
    Option.objects.create(group=group, code="1tb", name_zh="1TB", price_delta=Decimal("2200.00"))
    return product


@pytest.fixture
def phone_sku(phone):
    from zizhu.catalog.services import configure_product

    return configure_product(product=phone, options={"storage": "1tb"})


def run_in_threads(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` in ``count`` threads at once, each on its own database connection."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = work(index)
        except Exception as exc:  # noqa: BLE001 (the test inspects it)
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


DETAILS = {
    "contact": {"name": "王小明", "phone": "138 0013 8000", "email": "xm@example.com"},
    "address": {"province": "上海市", "city": "上海市", "district": "浦东新区", "line": "世纪大道 100 号 5 楼"},
    "delivery": "standard",
}


def api_add(client: Any, sku: str, quantity: int = 1) -> Any:
    import json

    return client.post(
        "/api/v1/cart/lines", json.dumps({"sku": sku, "quantity": quantity}), content_type="application/json"
    )


def api_place(client: Any, body: dict | None = None, key: str = "key-1") -> Any:
    import json

    return client.post(
        "/api/v1/checkout/orders",
        json.dumps(body if body is not None else DETAILS),
        content_type="application/json",
        headers={"Idempotency-Key": key} if key else {},
    )


def guest_cart(*items: tuple[Any, int], key: str = "") -> Any:
    """A guest's open cart holding ``items`` ((variant or configured SKU, quantity), ...)."""
    import secrets

    from zizhu.cart import services as carts
    from zizhu.catalog.owners import Owner

    cart = carts.open_cart(owner=Owner(session_key=key or secrets.token_urlsafe(12)), create=True)
    for item, quantity in items:
        carts.add_item(cart=cart, sku=item.sku, quantity=quantity, confirmed=True)
    return cart


def contact_address() -> tuple[Any, Any]:
    from zizhu.checkout.services import Address, Contact

    return Contact(**DETAILS["contact"]), Address(**DETAILS["address"])
