"""A small catalogue for the search tests: phones, laptops, T-shirts and food, with variants."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from zizhu.catalog.models import Attribute, AttributeValue, Brand, Category, Product, Variant, VariantValue
from zizhu.search import services


@dataclass
class Shop:
    categories: dict[str, Category] = field(default_factory=dict)
    brands: dict[str, Brand] = field(default_factory=dict)
    products: dict[str, Product] = field(default_factory=dict)
    values: dict[tuple[str, str], AttributeValue] = field(default_factory=dict)


PRODUCTS = [
    # slug, zh, en, brand, category, price, sales, variants [(colour, memory/size, stock)]
    (
        "iphone-15",
        "苹果 iPhone 15 智能手机",
        "Apple iPhone 15 smartphone",
        "apple",
        "phones",
        "5999.00",
        900,
        [("black", "128gb", 5), ("white", "256gb", 0)],
    ),
    (
        "iphone-15-pro",
        "苹果 iPhone 15 Pro 手机",
        "Apple iPhone 15 Pro phone",
        "apple",
        "phones",
        "7999.00",
        500,
        [("black", "256gb", 3)],
    ),
    (
        "mate-60",
        "华为 Mate 60 Pro 手机",
        "Huawei Mate 60 Pro phone",
        "huawei",
        "phones",
        "6499.00",
        800,
        [("black", "256gb", 2), ("green", "512gb", 1)],
    ),
    (
        "redmi-13",
        "小米 Redmi 13 手机",
        "Xiaomi Redmi 13 phone",
        "xiaomi",
        "phones",
        "999.00",
        2000,
        [("blue", "128gb", 0)],
    ),
    (
        "macbook-air",
        "苹果 MacBook Air 笔记本电脑",
        "Apple MacBook Air laptop",
        "apple",
        "laptops",
        "7999.00",
        300,
        [("white", "256gb", 4)],
    ),
    (
        "matebook-14",
        "华为 MateBook 14 笔记本电脑",
        "Huawei MateBook 14 laptop",
        "huawei",
        "laptops",
        "5499.00",
        150,
        [("black", "512gb", 6)],
    ),
    (
        "cotton-tee",
        "纯棉短袖T恤 男款",
        "Men's cotton T-shirt",
        "uniqlo",
        "tshirts",
        "79.00",
        5000,
        [("white", "m", 10), ("black", "l", 0)],
    ),
    ("apple-juice", "苹果汁 1L", "Apple juice 1 l", "farmfresh", "food", "12.50", 40, [("green", "m", 50)]),
    ("phone-case", "手机壳 硅胶", "Silicone phone case", "xiaomi", "accessories", "29.00", 60, [("blue", "m", 8)]),
]
BRANDS = {
    "apple": ("苹果", "Apple"),
    "huawei": ("华为", "Huawei"),
    "xiaomi": ("小米", "Xiaomi"),
    "uniqlo": ("优衣库", "Uniqlo"),
    "farmfresh": ("鲜农坊", "Farmfresh"),
}
CATEGORIES = [
    # slug, zh, en, parent
    ("digital", "数码", "Electronics", None),
    ("phones", "手机", "Phones", "digital"),
    ("laptops", "笔记本电脑", "Laptops", "digital"),
    ("accessories", "手机配件", "Phone accessories", "digital"),
    ("clothing", "服装", "Clothing", None),
    ("tshirts", "T恤", "T-shirts", "clothing"),
    ("food", "食品", "Food", None),
]
VALUES = {
    "colour": ("颜色", "Colour", {"black": ("黑色", "Black"), "white": ("白色", "White"), "green": ("绿色", "Green"),
                                   "blue": ("蓝色", "Blue")}),
    "memory": ("内存", "Memory", {"128gb": ("128GB", "128 GB"), "256gb": ("256GB", "256 GB"),
                                   "512gb": ("512GB", "512 GB"), "m": ("M码", "M"), "l": ("L码", "L")}),
}  # fmt: skip


def build_shop(*, index: bool = True) -> Shop:
    shop = Shop()
    for position, (slug, zh, en, parent) in enumerate(CATEGORIES):
        shop.categories[slug] = Category.objects.create(
            slug=slug, name_zh=zh, name_en=en, parent=shop.categories.get(parent) if parent else None, position=position
        )
    for slug, (zh, en) in BRANDS.items():
        shop.brands[slug] = Brand.objects.create(slug=slug, name=zh, name_en=en)
    for position, (code, (zh, en, values)) in enumerate(VALUES.items()):
        attribute = Attribute.objects.create(code=code, name_zh=zh, name_en=en, position=position)
        for value_code, (vzh, ven) in values.items():
            shop.values[(code, value_code)] = AttributeValue.objects.create(
                attribute=attribute, code=value_code, name_zh=vzh, name_en=ven
            )
    now = timezone.now()
    for n, (slug, zh, en, brand, category, price, sales, variants) in enumerate(PRODUCTS):
        product = Product.objects.create(
            slug=slug,
            name_zh=zh,
            name_en=en,
            brand=shop.brands[brand],
            category=shop.categories[category],
            price=Decimal(price),
            sales_count=sales,
            description_zh=f"{zh}，正品保障。",
            description_en=f"{en}, genuine.",
            created_at=now - timedelta(days=n),
        )
        shop.products[slug] = product
        for i, (colour, memory, stock) in enumerate(variants):
            variant = Variant.objects.create(product=product, sku=f"{slug}-{i}", price=Decimal(price), stock=stock)
            for code, value in (("colour", colour), ("memory", memory)):
                VariantValue.objects.create(variant=variant, attribute_id=shop.values[(code, value)].attribute_id,
                                            value=shop.values[(code, value)])  # fmt: skip
    if index:
        services.rebuild_index()
    return shop


@pytest.fixture
def shop(db) -> Shop:
    return build_shop()


@pytest.fixture(autouse=True)
def _chinese():
    """Selectors answer in the active language; a page test in English must not leak into the next test."""
    from django.utils import translation

    with translation.override("zh-hans"):
        yield
