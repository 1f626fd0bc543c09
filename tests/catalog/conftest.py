"""A small catalogue for the catalogue tests: a configurable phone with rules, a shirt
with variants, categories and a brand."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from zizhu.catalog.models import (
    Attribute,
    AttributeValue,
    Brand,
    Category,
    Option,
    OptionGroup,
    Product,
    Rule,
    Variant,
    VariantValue,
)


@dataclass
class Shop:
    digital: Category
    phones: Category
    clothing: Category
    brand: Brand
    phone: Product
    other_phone: Product
    shirt: Product
    colour: Attribute
    size: Attribute


def make_configurable(slug: str, category: Category, brand: Brand, *, base: str = "3000.00") -> Product:
    product = Product.objects.create(
        slug=slug,
        category=category,
        brand=brand,
        name_zh="星河 手机",
        name_en="Xinghe phone",
        price=Decimal(base),
        is_configurable=True,
        delivery_days=4,
    )
    groups = {
        "processor": [
            ("standard", "标准处理器", "Standard", "0", True),
            ("pro", "Pro 处理器", "Pro", "800", False),
            ("ultra", "Ultra 处理器", "Ultra", "1600", False),
        ],
        "storage": [("128gb", "128GB", "128 GB", "0", True), ("1tb", "1TB", "1 TB", "2200", False)],
        "colour": [("black", "黑色", "Black", "0", True), ("green", "绿色", "Green", "0", False)],
        "body": [("glass", "玻璃", "Glass", "0", True), ("titanium", "钛金属", "Titanium", "900.50", False)],
    }
    options: dict[str, Option] = {}
    for position, (code, choices) in enumerate(groups.items()):
        group = OptionGroup.objects.create(product=product, code=code, name_zh=code, name_en=code, position=position)
        for index, (option_code, zh, en, delta, default) in enumerate(choices):
            options[f"{code}:{option_code}"] = Option.objects.create(
                group=group,
                code=option_code,
                name_zh=zh,
                name_en=en,
                price_delta=Decimal(delta),
                is_default=default,
                position=index,
            )
    for target in ("processor:pro", "processor:ultra"):
        Rule.objects.create(
            product=product,
            kind="requires",
            option=options["storage:1tb"],
            target=options[target],
            message_zh="1TB 存储需要 Pro 或 Ultra 处理器",
            message_en="1 TB storage requires the Pro or Ultra processor",
        )
    Rule.objects.create(
        product=product,
        kind="excludes",
        option=options["body:titanium"],
        target=options["colour:green"],
        message_zh="钛金属机身没有绿色",
        message_en="The titanium body does not come in green",
    )
    return product


def add_shirt_variants(
    product: Product, colour: Attribute, size: Attribute, count: int, start: int = 0
) -> list[Variant]:
    colours = list(colour.values.all())
    sizes = list(size.values.all())
    variants = []
    for index in range(start, start + count):
        variant = Variant.objects.create(
            product=product,
            sku=f"{product.slug.upper()}-{index}",
            price=Decimal("99.00") + index,
            stock=index,
            position=index,
        )
        VariantValue.objects.create(variant=variant, attribute=colour, value=colours[index % len(colours)])
        VariantValue.objects.create(variant=variant, attribute=size, value=sizes[index % len(sizes)])
        variants.append(variant)
    return variants


@pytest.fixture(autouse=True)
def _no_leftover_behaviour_buffer():
    from zizhu.catalog import behaviour

    behaviour._state.buffer = behaviour._state.touches = None
    yield
    behaviour._state.buffer = behaviour._state.touches = None


@pytest.fixture
def shop(db) -> Shop:
    digital = Category.objects.create(slug="digital", name_zh="手机数码", name_en="Phones & digital")
    phones = Category.objects.create(slug="phones", name_zh="手机", name_en="Phones", parent=digital)
    clothing = Category.objects.create(slug="clothing", name_zh="服装", name_en="Clothing", position=1)
    brand = Brand.objects.create(slug="xinghe", name="星河", name_en="Xinghe")
    colour = Attribute.objects.create(code="colour", name_zh="颜色", name_en="Colour")
    size = Attribute.objects.create(code="size", name_zh="尺码", name_en="Size")
    for index, (code, zh, en) in enumerate([("black", "黑色", "Black"), ("white", "白色", "White")]):
        AttributeValue.objects.create(attribute=colour, code=code, name_zh=zh, name_en=en, position=index)
    for index, code in enumerate(["s", "m", "l"]):
        AttributeValue.objects.create(
            attribute=size, code=code, name_zh=code.upper(), name_en=code.upper(), position=index
        )
    phone = make_configurable("xinghe-phone", phones, brand)
    other_phone = make_configurable("other-phone", phones, brand, base="1000.00")
    OptionGroup.objects.create(product=other_phone, code="lens", name_zh="镜头", name_en="Lens")
    shirt = Product.objects.create(
        slug="cotton-shirt",
        category=clothing,
        brand=brand,
        name_zh="纯棉衬衫",
        name_en="Cotton shirt",
        price=Decimal("99.00"),
    )
    add_shirt_variants(shirt, colour, size, 3)
    return Shop(digital, phones, clothing, brand, phone, other_phone, shirt, colour, size)


FULL_PHONE = {"processor": "standard", "storage": "128gb", "colour": "black", "body": "glass"}
