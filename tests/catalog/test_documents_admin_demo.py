"""Search documents, back-office saves announcing changes, and the demo catalogue."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Count

from zizhu.catalog import demo, demo_images, selectors, services
from zizhu.catalog.models import Category, Product, Variant
from zizhu.core.models import OutboxEvent

pytestmark = pytest.mark.django_db


@pytest.mark.smoke
def test_search_documents_describe_each_active_product(shop, django_assert_max_num_queries):
    Product.objects.filter(pk=shop.other_phone.pk).update(is_active=False)
    with django_assert_max_num_queries(10):  # per chunk of 500, not per product
        documents = {d["slug"]: d for d in selectors.search_documents()}
    assert set(documents) == {shop.phone.slug, shop.shirt.slug}
    shirt = documents[shop.shirt.slug]
    assert shirt["category_path"] == ["服装", "Clothing"]
    assert shirt["brand"] == "星河" and shirt["brand_en"] == "Xinghe"
    assert shirt["price"] == Decimal("99.00") and shirt["in_stock"] is True
    assert {"黑色", "Black", "M"} <= set(shirt["attributes"])
    phone = documents[shop.phone.slug]
    assert phone["category_path"] == ["手机数码", "Phones & digital", "手机", "Phones"]
    assert phone["category_slugs"] == ["digital", "phones"] and phone["in_stock"] is True
    assert "1TB" in phone["attributes"]
    only = list(selectors.search_documents(product_ids=[shop.shirt.pk]))
    assert [d["id"] for d in only] == [shop.shirt.pk]


def test_out_of_stock_product_is_not_in_stock(shop):
    Variant.objects.filter(product=shop.shirt).update(stock=0)
    (document,) = selectors.search_documents(product_ids=[shop.shirt.pk])
    assert document["in_stock"] is False


def test_services_announce_product_changes_and_deletions(shop, django_capture_on_commit_callbacks):
    shop.shirt.name_en = "Linen shirt"
    services.save_product(product=shop.shirt)
    services.set_variant_stock(variant=shop.shirt.variants.first(), stock=7)
    product_id = shop.other_phone.pk
    services.delete_product(product=shop.other_phone)
    topics = list(OutboxEvent.objects.order_by("id").values_list("topic", "payload"))
    assert topics == [
        ("catalog.product.changed", {"product_id": shop.shirt.pk}),
        ("catalog.product.changed", {"product_id": shop.shirt.pk}),
        ("catalog.product.deleted", {"product_id": product_id}),
    ]


def test_back_office_product_page_and_save_announce_the_change(client, make_user, shop):
    staff = make_user("boss@example.com", is_staff=True, is_superuser=True)
    client.force_login(staff)
    url = f"/backoffice/catalog/product/{shop.phone.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "name_en" in html and "option_groups" in html.replace("option_groups-", "option_groups")
    for path in ("category", "brand", "variant", "optiongroup", "attribute", "behaviourevent", "configuredsku"):
        assert client.get(f"/backoffice/catalog/{path}/").status_code == 200
    OutboxEvent.objects.all().delete()
    client.post("/backoffice/catalog/product/", {"action": "take_off_sale", "_selected_action": [shop.shirt.pk]})
    assert not Product.objects.get(pk=shop.shirt.pk).is_active
    assert OutboxEvent.objects.filter(topic="catalog.product.changed").count() == 1


def test_demo_images_are_small_valid_pictures():
    from io import BytesIO

    from PIL import Image

    for shape in ("phone", "shirt", "book", "unknown-shape"):
        data = demo_images.render(shape=shape, colour="#b3261e", brand="Xinghe", label="Test")
        image = Image.open(BytesIO(data))
        assert image.size == (480, 480) and image.format == "WEBP" and len(data) < 30_000


def test_demo_catalogue_is_large_bilingual_and_deterministic(db):
    count = demo.generate(images=False, announce=False)
    assert count >= 500 and Product.objects.count() == count
    assert Category.objects.filter(parent=None).count() >= 12
    assert not Product.objects.filter(name_en="").exists()
    assert not Product.objects.filter(description_zh__icontains="lorem").exists()
    configurable = Product.objects.filter(is_configurable=True)
    assert configurable.count() >= 20
    assert configurable.annotate(n=Count("rules")).filter(n=0).count() == 0
    plain = Product.objects.filter(is_configurable=False).annotate(n=Count("variants"))
    assert not plain.filter(n=0).exists()
    assert Variant.objects.filter(stock=0).exists() and Variant.objects.filter(stock__gt=0).exists()
    first = list(Product.objects.order_by("slug").values_list("slug", "name_zh", "price")[:50])
    Product.objects.all().delete()
    Category.objects.exclude(parent=None).delete()
    Category.objects.all().delete()
    from zizhu.catalog.models import Brand

    Brand.objects.all().delete()
    demo.generate(images=False, announce=False)
    assert list(Product.objects.order_by("slug").values_list("slug", "name_zh", "price")[:50]) == first
