"""The index follows the catalogue through the outbox: changes, stock, taking off sale, deleting."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.search.conftest import build_shop
from zizhu.catalog import services as catalog_services
from zizhu.core.models import OutboxEvent
from zizhu.search.models import SearchEntry
from zizhu.search.selectors import ProductFilters, list_products

pytestmark = [pytest.mark.smoke, pytest.mark.django_db(transaction=True)]


def found(q: str = "", **filters) -> list[str]:
    return [i["slug"] for i in list_products(filters=ProductFilters(q=q, **filters), page_size=60).items]


def test_a_renamed_product_is_found_by_its_new_name_at_once():
    shop = build_shop()
    product = shop.products["redmi-13"]
    assert "redmi-13" not in found("老人机")
    product.name_zh = "小米 老人机 大字体"
    catalog_services.save_product(product=product)  # commits; the outbox handler reindexes after commit
    assert "redmi-13" in found("老人机")
    assert "redmi-13" in found("laorenji")
    event = OutboxEvent.objects.get(topic="catalog.product.changed")
    assert event.status == OutboxEvent.Status.DONE


def test_stock_change_shows_at_once_even_in_a_cached_listing():
    shop = build_shop()
    assert "redmi-13" not in found(category="phones", in_stock=True)  # cached now
    variant = shop.products["redmi-13"].variants.get()
    catalog_services.set_variant_stock(variant=variant, stock=7)
    assert "redmi-13" in found(category="phones", in_stock=True)


def test_a_product_taken_off_sale_or_deleted_leaves_the_index():
    shop = build_shop()
    product = shop.products["mate-60"]
    product.is_active = False
    catalog_services.save_product(product=product)
    assert "mate-60" not in found("华为")
    assert not SearchEntry.objects.filter(pk=product.pk).exists()
    laptop = shop.products["matebook-14"]
    catalog_services.delete_product(product=laptop)
    assert found("华为") == []


def test_a_new_product_with_a_new_brand_word_is_found():
    shop = build_shop()
    from zizhu.catalog.models import Brand, Product, Variant

    brand = Brand.objects.create(slug="youpinhui", name="优品汇", name_en="Youpinhui")
    product = Product(slug="rice-cooker", name_zh="优品汇电饭煲 3L", name_en="Youpinhui rice cooker", brand=brand,
                      category=shop.categories["food"], price=Decimal("199.00"))  # fmt: skip
    product.save()
    Variant.objects.create(product=product, sku="rc-1", price=Decimal("199.00"), stock=3)
    catalog_services.save_product(product=product)
    assert found("优品汇") == ["rice-cooker"]
    assert found("youpinhui") == ["rice-cooker"]
    assert found("youpinhiu") == ["rice-cooker"]  # a typo in the new brand


def test_the_cached_page_shows_a_new_price_at_once(client):
    shop = build_shop()
    assert "¥999.00" in client.get("/c/phones/", {"sort": "price_asc"}).content.decode()
    variant = shop.products["redmi-13"].variants.get()
    variant.price = Decimal("899.00")
    variant.save()
    catalog_services.save_product(product=shop.products["redmi-13"])
    html = client.get("/c/phones/", {"sort": "price_asc"}).content.decode()
    assert "¥899.00" in html and "¥999.00" not in html
