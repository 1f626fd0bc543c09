"""manage.py import_catalog: CSV and JSON, checks every row, all or nothing, updates by SKU."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from zizhu.catalog.models import Brand, Product, Variant
from zizhu.core.models import OutboxEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


HEADER = "sku,product,category,brand,brand_en,name_zh,name_en,price,stock,attributes\n"


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(path):
    out, err = StringIO(), StringIO()
    call_command("import_catalog", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.smoke
def test_csv_import_creates_products_variants_and_brand(tmp_path, shop):
    path = write(
        tmp_path,
        "c.csv",
        HEADER
        + "LINEN-S,linen-shirt,clothing,白鹭,Egret,白鹭 亚麻衬衫,Egret linen shirt,129.00,5,colour=black;size=s\n"
        + "LINEN-M,linen-shirt,clothing,白鹭,Egret,白鹭 亚麻衬衫,Egret linen shirt,139.00,0,colour=black;size=m\n",
    )
    out, _err = run(path)
    assert "1 new and 0 updated products" in out
    product = Product.objects.get(slug="linen-shirt")
    assert product.brand == Brand.objects.get(name="白鹭") and product.price == Decimal("129.00")
    assert sorted(product.variants.values_list("sku", "stock")) == [("LINEN-M", 0), ("LINEN-S", 5)]
    medium = Variant.objects.get(sku="LINEN-M")
    assert sorted(v.code for v in medium.values.all()) == ["black", "m"]
    assert OutboxEvent.objects.filter(topic="catalog.product.changed", payload={"product_id": product.pk}).exists()


@pytest.mark.smoke
def test_one_bad_row_imports_nothing_and_names_each_problem_by_line(tmp_path, shop):
    path = write(
        tmp_path,
        "bad.csv",
        HEADER
        + "OK-1,fine-product,clothing,,,好商品,Fine,10.00,1,\n"
        + "BAD-1,bad-product,no-such-category,,,坏商品,Bad,-5,many,colour=purple\n"
        + f"{shop.shirt.variants.first().sku},fine-product,clothing,,,好商品,Fine,10.00,1,\n",
    )
    products_before, variants_before = Product.objects.count(), Variant.objects.count()
    with pytest.raises(CommandError, match="nothing was imported"):
        run(path)
    assert (Product.objects.count(), Variant.objects.count()) == (products_before, variants_before)
    assert not Product.objects.filter(slug="fine-product").exists()


def test_problems_are_listed_with_line_numbers(tmp_path, shop, capsys):
    path = write(
        tmp_path,
        "bad.csv",
        HEADER
        + "OK-1,fine-product,clothing,,,好商品,Fine,10.00,1,\n"
        + "BAD-1,bad-product,no-such-category,,,坏商品,Bad,-5,many,colour=purple\n"
        + "OK-1,fine-product,clothing,,,好商品,Fine,10.00,1,\n",
    )
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_catalog", str(path), stdout=StringIO(), stderr=err)
    text = err.getvalue()
    for expected in ("line 3", "no-such-category", "-5", "many", "colour=purple", "line 4", "already on line 2"):
        assert expected in text


def test_reimport_updates_by_sku(tmp_path, shop):
    first = HEADER + "MUG-1,mug,clothing,,,杯子,Mug,20.00,3,\n"
    run(write(tmp_path, "a.csv", first))
    second = HEADER + "MUG-1,mug,clothing,,,杯子（新）,Mug (new),25.50,8,\n"
    out, _err = run(write(tmp_path, "b.csv", second))
    assert "0 new and 1 updated products, 0 new and 1 updated variants" in out
    variant = Variant.objects.get(sku="MUG-1")
    assert (variant.price, variant.stock, variant.product.name_zh) == (Decimal("25.50"), 8, "杯子（新）")
    assert Product.objects.filter(slug="mug").count() == 1


def test_sku_of_another_product_is_refused(tmp_path, shop):
    sku = shop.shirt.variants.first().sku
    path = write(tmp_path, "c.csv", HEADER + f"{sku},stolen,clothing,,,偷,Stolen,1.00,1,\n")
    with pytest.raises(CommandError):
        run(path)
    assert not Product.objects.filter(slug="stolen").exists()


def test_json_import_and_line_numbers(tmp_path, shop):
    products = [
        {
            "slug": "desk-lamp",
            "category": "clothing",
            "brand": "星河",
            "name_zh": "台灯",
            "name_en": "Desk lamp",
            "variants": [{"sku": "LAMP-W", "price": 89.9, "stock": 4, "attributes": {"colour": "white"}}],
        }
    ]
    out, _err = run(write(tmp_path, "c.json", json.dumps(products, ensure_ascii=False, indent=2)))
    assert "1 new" in out
    assert Variant.objects.get(sku="LAMP-W").price == Decimal("89.90")
    bad = json.dumps([*products, {"slug": "x", "variants": []}], indent=2)
    object_line = next(n for n, text in enumerate(bad.splitlines()) if '"slug": "x"' in text)  # the "{" line
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_catalog", str(write(tmp_path, "d.json", bad)), stdout=StringIO(), stderr=err)
    assert f"line {object_line}:" in err.getvalue()


@pytest.mark.parametrize(
    ("name", "text"),
    [("x.json", '[{"slug": '), ("x.json", '{"not": "a list"}'), ("x.txt", "hello"), ("x.csv", "a,b\n1,2\n")],
)
def test_broken_files_change_nothing(tmp_path, shop, name, text):
    before = Product.objects.count()
    with pytest.raises(CommandError):
        run(write(tmp_path, name, text))
    assert Product.objects.count() == before
