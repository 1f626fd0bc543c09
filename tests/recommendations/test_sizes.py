"""Size advice from the sizes of kept purchases (per brand when there are enough, else per category),
moved by size feedback (the entry point returns will use)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from itertools import count

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from zizhu.catalog.models import Attribute, AttributeValue, Brand, Category, Product, Variant, VariantValue
from zizhu.core.errors import InvalidInput, NotFound
from zizhu.orders.models import Order, OrderLine
from zizhu.recommendations import services
from zizhu.recommendations.sizes import Purchase, size_advice, vote

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]
numbers = count(1)


class Wardrobe:
    def __init__(self) -> None:
        clothing = Category.objects.create(slug="clothing", name_zh="服装", name_en="Clothing")
        self.tees = Category.objects.create(slug="tees", name_zh="T恤", name_en="T-shirts", parent=clothing)
        self.coats = Category.objects.create(slug="coats", name_zh="大衣", name_en="Coats", parent=clothing)
        self.brand = Brand.objects.create(name="优衣", name_en="Youyi", slug="youyi")
        self.other_brand = Brand.objects.create(name="森马", name_en="Semir", slug="semir")
        size = Attribute.objects.create(code="size", name_zh="尺码", name_en="Size")
        self.sizes = {
            code: AttributeValue.objects.create(attribute=size, code=code.lower(), name_zh=code, position=i)
            for i, code in enumerate(["S", "M", "L", "XL"])
        }

    def product(self, slug: str, category: Category, brand: Brand | None) -> Product:
        product = Product.objects.create(
            slug=slug, category=category, brand=brand, name_zh=slug, name_en=slug, price=Decimal("99.00")
        )
        for position, (code, value) in enumerate(self.sizes.items()):
            variant = Variant.objects.create(
                product=product, sku=f"{slug}-{code}", price=Decimal("99.00"), stock=5, position=position
            )
            VariantValue.objects.create(variant=variant, attribute=value.attribute, value=value)
        return product

    def buy(self, customer, product: Product, size: str, status: str = "delivered", days_ago: int = 30) -> OrderLine:
        order = Order.objects.create(
            number=f"T{next(numbers):08d}",
            customer=customer,
            contact_name="王",
            contact_phone="+8613800138000",
            province="上海市",
            city="上海市",
            address_line="世纪大道 1 号",
            delivery_method="standard",
            delivery_fee=Decimal("0"),
            estimated_date=date.today(),
            subtotal=Decimal("99.00"),
            total=Decimal("99.00"),
            status=status,
            placed_at=timezone.now() - timedelta(days=days_ago),
        )
        variant = Variant.objects.get(sku=f"{product.slug}-{size}")
        return OrderLine.objects.create(
            order=order,
            product=product,
            variant=variant,
            sku=variant.sku,
            name=product.name_zh,
            unit_price=Decimal("99.00"),
            quantity=1,
            line_total=Decimal("99.00"),
        )


@pytest.fixture
def wardrobe(db) -> Wardrobe:
    return Wardrobe()


def test_the_vote_follows_kept_sizes_and_feedback() -> None:
    assert vote([], 4) is None
    assert vote([Purchase(1, 1, None, 1, None), Purchase(2, 1, None, 1, None), Purchase(3, 2, None, 1, None)], 4) == 1
    assert vote([Purchase(1, 1, None, 1, None, "too_small")], 4) == 2
    assert vote([Purchase(1, 0, None, 1, None, "too_large")], 4) == 0  # never below the smallest size
    assert vote([Purchase(1, 1, None, 1, None), Purchase(2, 2, None, 1, None)], 4) == 2  # tie: the latest


def test_advice_follows_the_sizes_kept_in_past_orders(wardrobe, customer) -> None:
    tee = wardrobe.product("tee-a", wardrobe.tees, wardrobe.other_brand)
    wardrobe.buy(customer, wardrobe.product("tee-b", wardrobe.tees, None), "M", days_ago=60)
    wardrobe.buy(customer, wardrobe.product("tee-c", wardrobe.tees, None), "M", days_ago=40)
    wardrobe.buy(customer, wardrobe.product("tee-d", wardrobe.tees, None), "XL", status="cancelled")
    wardrobe.buy(customer, wardrobe.product("tee-e", wardrobe.tees, None), "XL", status="refunded")
    wardrobe.buy(customer, wardrobe.product("tee-f", wardrobe.tees, None), "XL", status="pending_payment")
    advice = size_advice(customer=customer, product=tee)
    assert advice is not None
    assert advice.size.code == "m" and advice.basis == "category" and advice.purchases == 2
    assert advice.sku == "tee-a-M"
    with translation.override("en"):
        assert advice.message == "Based on your purchases, size M fits you best."
    with translation.override("zh-hans"):
        assert "M" in advice.message and "最适合" in advice.message


def test_the_brand_wins_when_there_is_enough_of_it(wardrobe, customer) -> None:
    coat = wardrobe.product("coat-a", wardrobe.coats, wardrobe.brand)
    wardrobe.buy(customer, wardrobe.product("coat-b", wardrobe.coats, wardrobe.other_brand), "M")
    wardrobe.buy(customer, wardrobe.product("coat-c", wardrobe.coats, wardrobe.other_brand), "M")
    wardrobe.buy(customer, wardrobe.product("coat-d", wardrobe.coats, wardrobe.brand), "L")
    assert size_advice(customer=customer, product=coat).basis == "category"  # one of this brand: not enough
    wardrobe.buy(customer, wardrobe.product("tee-x", wardrobe.tees, wardrobe.brand), "L")
    advice = size_advice(customer=customer, product=coat)
    assert advice.basis == "brand" and advice.size.code == "l" and advice.basis_name == "优衣"


def test_return_reasons_shift_the_advice(wardrobe, customer, other_customer) -> None:
    tee = wardrobe.product("tee-a", wardrobe.tees, None)
    line = wardrobe.buy(customer, wardrobe.product("tee-b", wardrobe.tees, None), "M")
    assert size_advice(customer=customer, product=tee).size.code == "m"
    services.record_size_feedback(customer=customer, order_line_id=line.pk, verdict="too_small", source="return")
    assert size_advice(customer=customer, product=tee).size.code == "l"
    services.record_size_feedback(customer=customer, order_line_id=line.pk, verdict="too_large")  # latest wins
    assert size_advice(customer=customer, product=tee).size.code == "s"
    with pytest.raises(NotFound):
        services.record_size_feedback(customer=other_customer, order_line_id=line.pk, verdict="too_small")
    with pytest.raises(InvalidInput):
        services.record_size_feedback(customer=customer, order_line_id=line.pk, verdict="perfect")


def test_no_advice_without_sizes_or_purchases(wardrobe, customer, shop) -> None:
    tee = wardrobe.product("tee-a", wardrobe.tees, None)
    assert size_advice(customer=customer, product=tee) is None  # nothing bought
    assert size_advice(customer=None, product=tee) is None
    wardrobe.buy(customer, wardrobe.product("coat-b", wardrobe.coats, None), "S")
    assert size_advice(customer=customer, product=tee).basis == "parent_category"  # clothing
    assert size_advice(customer=customer, product=shop["A"]) is None  # a phone has no size


def test_size_advice_api_and_fragment(client, wardrobe, customer, other_customer) -> None:
    tee = wardrobe.product("tee-a", wardrobe.tees, None)
    line = wardrobe.buy(customer, wardrobe.product("tee-b", wardrobe.tees, None), "L")
    url = f"/api/v1/recommendations/size-advice/{tee.slug}"
    assert client.get(url).status_code == 401
    client.force_login(customer)
    body = client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["size"] == "L" and body["basis"] == "category" and body["sku"] == "tee-a-L"
    assert body["message"] == "Based on your purchases, size L fits you best."
    assert client.get("/api/v1/recommendations/size-advice/nope").status_code == 404
    fragment = client.get(reverse("recommendations:size_advice", args=[tee.pk]), HTTP_ACCEPT_LANGUAGE="en")
    html = fragment.content.decode()
    assert "size L fits you best" in html and 'role="status"' in html and "sku=tee-a-L" in html
    post = client.post(
        "/api/v1/recommendations/size-feedback",
        json.dumps({"order_line": line.pk, "verdict": "too_large"}),
        content_type="application/json",
    )
    assert post.status_code == 201
    assert client.get(url).json()["size"] == "M"
    bad = client.post(
        "/api/v1/recommendations/size-feedback",
        json.dumps({"order_line": line.pk, "verdict": "huge"}),
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["fields"]["verdict"]
    client.force_login(other_customer)
    stolen = client.post(
        "/api/v1/recommendations/size-feedback",
        json.dumps({"order_line": line.pk, "verdict": "too_small"}),
        content_type="application/json",
    )
    assert stolen.status_code == 404
    assert client.get(url).json()["size"] is None
    assert client.get(reverse("recommendations:size_advice", args=[tee.pk])).content.decode().strip() == ""


def test_product_pages_with_sizes_load_the_advice(client, wardrobe, shop) -> None:
    tee = wardrobe.product("tee-a", wardrobe.tees, None)
    html = client.get(reverse("catalog:product", args=[tee.slug])).content.decode()
    assert f'hx-get="{reverse("recommendations:size_advice", args=[tee.pk])}"' in html
    Variant.objects.create(product=shop["A"], sku="PHONE-A", price=Decimal("9.90"), stock=3)
    assert (
        reverse("recommendations:size_advice", args=[shop["A"].pk])
        in client.get(reverse("catalog:product", args=[shop["A"].slug])).content.decode()
    )  # the fragment decides (and answers nothing for a phone)
    assert client.get(reverse("recommendations:size_advice", args=[shop["A"].pk])).content.decode().strip() == ""
