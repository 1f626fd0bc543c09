"""The demo catalogue: generated from the word lists in ``demo_data`` with a seeded random
generator, so every run makes the same shop (over 500 products in 13 categories).

``seed(progress)`` is listed in ``zizhu.core.demo.DEMO_SEEDERS``; it does nothing when
products already exist. ``generate(scale=…, images=False)`` makes larger catalogues for
benchmarks (``manage.py seed_catalog --scale 200`` ≈ 100,000 products).
"""

from __future__ import annotations

import itertools
import random
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from rich.progress import Progress

from zizhu.catalog import demo_data as data
from zizhu.catalog import demo_images
from zizhu.catalog.models import (
    Attribute,
    AttributeValue,
    Brand,
    Category,
    Option,
    OptionGroup,
    Product,
    ProductImage,
    Rule,
    Variant,
    VariantValue,
)
from zizhu.catalog.services import announce_product_changed, categories_changed

RANDOM_SEED = 20261125
DEFAULT_COLOURS = ("#b3261e", "#4f8fd6", "#2f6b3a", "#d9c7a7", "#8a8a96", "#e9cf3c")
BATCH = 2000


def seed(progress: Progress | None = None) -> None:
    if Product.objects.exists():
        return
    # No per-product change events here: the search app's demo seeder, listed right after this
    # one, indexes the whole catalogue at once (seed_catalog and imports do announce each product).
    generate(progress=progress, announce=False)


def generate(*, progress: Progress | None = None, scale: int = 1, images: bool = True, announce: bool = True) -> int:
    """Create the demo catalogue; returns the number of products."""
    rng = random.Random(RANDOM_SEED)  # noqa: S311 - a demo, deliberately reproducible
    total = sum(leaf.per_kind * len(leaf.kinds) for top in data.CATALOGUE for leaf in top.leaves) * scale
    task = progress.add_task("Catalogue", total=total) if progress is not None else None
    builder = _Builder(rng, images=images)
    with transaction.atomic():
        builder.prepare()
        for top_index, top in enumerate(data.CATALOGUE):
            parent = Category.objects.create(
                slug=top.slug, name_zh=top.name[0], name_en=top.name[1], position=top_index
            )
            for leaf_index, leaf in enumerate(top.leaves):
                category = Category.objects.create(
                    parent=parent, slug=leaf.slug, name_zh=leaf.name[0], name_en=leaf.name[1], position=leaf_index
                )
                for kind in leaf.kinds:
                    count = leaf.per_kind * scale
                    for start in range(0, count, BATCH):
                        made = builder.products(category, leaf, kind, range(start, min(count, start + BATCH)))
                        if progress is not None and task is not None:
                            progress.advance(task, made)
        if announce:
            announce_product_changed(product_ids=builder.product_ids)
        categories_changed()
    return len(builder.product_ids)


def _price(rng: random.Random, low: int, high: int) -> Decimal:
    """A shop-like price: ends in 9 (or .90 for small amounts)."""
    yuan = rng.randint(low, high)
    if yuan < 30:
        return Decimal(yuan) - Decimal("0.10")
    return Decimal(yuan - yuan % 10 + 9)


def _tidy(price: Decimal) -> Decimal:
    """Round a computed variant price the way shops do: whole yuan ending in 9."""
    if price < 30:
        return price.quantize(Decimal("0.01"))
    yuan = int(price)
    return Decimal(yuan - yuan % 10 + 9)


class _Builder:
    def __init__(self, rng: random.Random, *, images: bool):
        self.rng = rng
        self.images = images
        self.now = timezone.now()
        self.product_ids: list[int] = []
        self.brands: dict[str, Brand] = {}
        self.attributes: dict[str, Attribute] = {}
        self.values: dict[str, list[AttributeValue]] = {}

    def prepare(self) -> None:
        for code, (zh, en) in data.BRANDS.items():
            self.brands[code] = Brand.objects.create(slug=code, name=zh, name_en=en)
        for position, (code, (zh, en, values)) in enumerate(data.ATTRIBUTES.items()):
            attribute, _created = Attribute.objects.get_or_create(
                code=code, defaults={"name_zh": zh, "name_en": en, "position": position}
            )
            self.attributes[code] = attribute
            rows = []
            for value_position, (value_code, value_zh, value_en, swatch) in enumerate(values):
                row, _created = AttributeValue.objects.get_or_create(
                    attribute=attribute,
                    code=value_code.lower().replace(".", "-"),
                    defaults={"name_zh": value_zh, "name_en": value_en, "swatch": swatch, "position": value_position},
                )
                rows.append(row)
            self.values[code] = rows

    # --- products --------------------------------------------------------------------------------------------

    def products(self, category: Category, leaf: data.Leaf, kind: data.Kind, numbers: range) -> int:
        rng = self.rng
        products: list[Product] = []
        plans: list[tuple[Product, list[tuple[list[AttributeValue], Decimal]], str]] = []
        for number in numbers:
            brand_code = leaf.brands[number % len(leaf.brands)] if kind.shape == "phone" else rng.choice(leaf.brands)
            brand = self.brands[brand_code]
            name_zh, name_en, image_label = self._names(leaf, kind, brand, number)
            base = _price(rng, *kind.price)
            features = rng.sample(leaf.features, k=min(2, len(leaf.features)))
            use = rng.choice(data.COMMON_USES)
            product = Product(
                slug=f"{leaf.slug}-{kind.code}-{number + 1:04d}",
                category=category,
                brand=brand,
                name_zh=name_zh,
                name_en=name_en,
                description_zh=f"{name_zh}。{'，'.join(f[0] for f in features)}。适合{use[0]}。",
                description_en=f"{name_en}: {', '.join(f[1] for f in features)}. Good for {use[1]}.",
                price=base,
                is_configurable=kind.shape == "phone",
                sales_count=min(50000, int(rng.paretovariate(1.3) * 15)),
                delivery_days=leaf.delivery_days + rng.choice((0, 0, 1)),
                created_at=self.now - timedelta(days=rng.randint(0, 400), minutes=rng.randint(0, 1439)),
            )
            variants = [] if product.is_configurable else self._variant_plan(kind, base)
            if variants:
                product.price = min(price for _values, price in variants)
            products.append(product)
            plans.append((product, variants, image_label))
        Product.objects.bulk_create(products, batch_size=BATCH)
        self.product_ids.extend(p.pk for p in products)
        self._variants(plans)
        if kind.shape == "phone":
            for product in products:
                self._configurator(product)
        if self.images:
            self._images(plans, kind)
        return len(products)

    def _names(self, leaf: data.Leaf, kind: data.Kind, brand: Brand, number: int) -> tuple[str, str, str]:
        rng = self.rng
        if kind.shape == "phone":
            series = data.PHONE_SERIES[(number // len(leaf.brands)) % len(data.PHONE_SERIES)]
            model = 10 + (number // (len(leaf.brands) * len(data.PHONE_SERIES))) * 10 + rng.randint(0, 9)
            return f"{brand.name} {series[0]} {model} 手机", f"{brand.name_en} {series[1]} {model} Phone", series[1]
        if kind.shape == "book":
            title = rng.choice(leaf.adjectives)
            author = rng.choice(data.BOOK_AUTHORS)
            return (
                f"《{title[0]}》{kind.name[0]} {author[0]} 著",
                f"{title[1]} ({kind.name[1]}) by {author[1]}",
                title[1],
            )
        adjective = rng.choice(leaf.adjectives)
        spec = rng.choice(kind.specs) if kind.specs else ("", "")
        letters = "".join(ch for ch in brand.name_en.upper() if ch.isalpha())[:2] or "ZZ"
        model = f"{letters}-{rng.randint(100, 999)}"
        name_zh = f"{brand.name} {adjective[0]}{kind.name[0]}{(' ' + spec[0]) if spec[0] else ''} {model}"
        name_en = f"{brand.name_en} {adjective[1]} {kind.name[1]}{(' ' + spec[1]) if spec[1] else ''} {model}"
        return name_zh, name_en, f"{adjective[1]} {kind.name[1]}"

    def _variant_plan(self, kind: data.Kind, base: Decimal) -> list[tuple[list[AttributeValue], Decimal]]:
        rng = self.rng
        axes: list[list[tuple[AttributeValue, Decimal]]] = []
        for code in kind.axes:
            values = self.values[code]
            if code == "colour":
                chosen = rng.sample(values, k=rng.randint(1, 3))
                axes.append([(v, Decimal(0)) for v in chosen])
            elif code == "shoe-size":
                start = rng.randint(0, 4)
                axes.append([(v, Decimal(0)) for v in values[start : start + 6]])
            elif code in ("weight", "volume", "bed-size"):
                start = rng.randint(0, len(values) - 2)
                chosen = values[start : start + rng.randint(2, 3)]
                axes.append([(v, base * Decimal(i) * Decimal("0.6")) for i, v in enumerate(chosen)])
            elif code == "binding":
                axes.append([(values[0], Decimal(0))] + ([(values[1], Decimal(30))] if rng.random() < 0.5 else []))
            else:
                axes.append([(v, Decimal(0)) for v in values])
        if not axes:
            return [([], base)]
        plan = []
        for combination in itertools.product(*axes):
            price = base + sum((delta for _v, delta in combination), Decimal(0))
            plan.append(([v for v, _d in combination], _tidy(price)))
        return plan

    def _variants(self, plans: list[tuple[Product, list[tuple[list[AttributeValue], Decimal]], str]]) -> None:
        rng = self.rng
        variants: list[Variant] = []
        links: list[tuple[Variant, list[AttributeValue]]] = []
        for product, plan, _label in plans:
            for position, (values, price) in enumerate(plan):
                codes = "-".join(v.code.upper() for v in values)
                sku = f"{product.slug.upper()}{'-' + codes if codes else ''}"[:64]
                stock = 0 if rng.random() < 0.08 else rng.randint(1, 300)
                variant = Variant(product=product, sku=sku, price=price, stock=stock, position=position)
                variants.append(variant)
                links.append((variant, values))
        Variant.objects.bulk_create(variants, batch_size=BATCH)
        VariantValue.objects.bulk_create(
            [
                VariantValue(variant=variant, attribute_id=value.attribute_id, value=value)
                for variant, values in links
                for value in values
            ],
            batch_size=BATCH,
        )

    def _configurator(self, product: Product) -> None:
        options: dict[str, Option] = {}
        for position, (code, zh, en, choices) in enumerate(data.PHONE_GROUPS):
            group = OptionGroup.objects.create(product=product, code=code, name_zh=zh, name_en=en, position=position)
            rows = [
                Option(
                    group=group,
                    code=option_code,
                    name_zh=option_zh,
                    name_en=option_en,
                    price_delta=Decimal(delta),
                    is_default=default,
                    swatch=data.PHONE_SWATCHES.get(option_code, ""),
                    position=option_position,
                )
                for option_position, (option_code, option_zh, option_en, delta, default) in enumerate(choices)
            ]
            for row in Option.objects.bulk_create(rows):
                options[f"{code}:{row.code}"] = row
        Rule.objects.bulk_create(
            [
                Rule(
                    product=product,
                    kind=kind,
                    option=options[source],
                    target=options[target],
                    message_zh=zh,
                    message_en=en,
                )
                for kind, source, target, zh, en in data.PHONE_RULES
            ]
        )

    def _images(self, plans: list[tuple[Product, list[tuple[list[AttributeValue], Decimal]], str]], kind: Any) -> None:
        rows: list[ProductImage] = []
        for product, plan, label in plans:
            colours: list[tuple[str, str, str]] = []
            for values, _price in plan:
                for value in values:
                    if value.swatch and (value.swatch, value.name_zh, value.name_en) not in colours:
                        colours.append((value.swatch, value.name_zh, value.name_en))
            if product.is_configurable:
                colours = [("#1b1b1f", "曜石黑", "obsidian black"), ("#7c9cc4", "雾霭蓝", "mist blue")]
            if not colours:
                colours = [(self.rng.choice(DEFAULT_COLOURS), "", "")]
            brand = product.brand.name_en if product.brand else ""
            for position, (swatch, colour_zh, colour_en) in enumerate(colours[:3]):
                name = f"catalog/demo/{product.slug}-{position + 1}.webp"
                content = demo_images.render(shape=kind.shape, colour=swatch, brand=brand, label=label)
                if default_storage.exists(name):
                    default_storage.delete(name)
                saved = default_storage.save(name, ContentFile(content))
                alt_zh = f"{product.name_zh}{f'（{colour_zh}）' if colour_zh else ''}商品示意图"
                alt_en = f"Drawing of the {product.name_en}{f' in {colour_en.lower()}' if colour_en else ''}"
                rows.append(
                    ProductImage(
                        product=product,
                        image=saved,
                        width=demo_images.SIZE,
                        height=demo_images.SIZE,
                        alt_zh=alt_zh[:200],
                        alt_en=alt_en[:200],
                        position=position,
                    )
                )
        ProductImage.objects.bulk_create(rows, batch_size=BATCH)
