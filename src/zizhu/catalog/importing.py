"""Reading and checking a catalogue file (CSV or JSON) for ``manage.py import_catalog``.

Every row is checked before anything is written; each problem is reported with its
line number. ``services.apply_import`` then writes everything in one transaction.
The format is described in docs/catalog.md.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.utils.text import slugify
from django.utils.translation import gettext as _

from zizhu.catalog.models import AttributeValue, Category, Variant

CSV_COLUMNS = [
    "sku",
    "product",
    "category",
    "brand",
    "brand_en",
    "name_zh",
    "name_en",
    "description_zh",
    "description_en",
    "price",
    "currency",
    "stock",
    "attributes",
    "delivery_days",
    "is_active",
]
REQUIRED = ["sku", "product", "category", "name_zh", "price", "stock"]
PRODUCT_FIELDS = [
    "category",
    "brand",
    "brand_en",
    "name_zh",
    "name_en",
    "description_zh",
    "description_en",
    "currency",
    "delivery_days",
    "is_active",
]
MAX_FILE_BYTES = 50 * 1024 * 1024
LIMITS = {"sku": 64, "product": 120, "brand": 100, "brand_en": 100, "name_zh": 200, "name_en": 200}


@dataclass
class VariantRow:
    line: int
    sku: str
    price: Decimal
    stock: int
    values: list[AttributeValue]


@dataclass
class ProductRow:
    line: int
    slug: str
    category: Category
    brand: str
    brand_en: str
    name_zh: str
    name_en: str
    description_zh: str
    description_en: str
    currency: str
    delivery_days: int
    is_active: bool
    variants: list[VariantRow] = field(default_factory=list)


@dataclass
class Problem:
    line: int
    message: str

    def __str__(self) -> str:
        return _("line %(line)d: %(message)s") % {"line": self.line, "message": self.message}


class ImportFileError(Exception):
    """The file cannot be read at all (wrong type, not UTF-8, broken JSON)."""


# --- reading ---------------------------------------------------------------------------------------------------


def read_rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(line number, flat row) pairs from a CSV or JSON file."""
    if not path.is_file():
        raise ImportFileError(_("There is no file at %(path)s.") % {"path": path})
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ImportFileError(_("The file is larger than 50 MB."))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(_("The file is not UTF-8 text.")) from None
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return list(_csv_rows(text))
    if suffix == ".json":
        return list(_json_rows(text))
    raise ImportFileError(_("Use a .csv or .json file."))


def _csv_rows(text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise ImportFileError(
            _("The first line must name the columns; missing: %(columns)s.") % {"columns": ", ".join(missing)}
        )
    reader.fieldnames = header
    for row in reader:
        yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}


def _json_rows(text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """A JSON array of products, each with a "variants" array; line numbers point at each object."""
    decoder = json.JSONDecoder(parse_float=Decimal)
    index = _skip(text, 0)
    if index >= len(text) or text[index] != "[":
        raise ImportFileError(_("A JSON catalogue is an array of products: it must start with “[”."))
    index = _skip(text, index + 1)
    while index < len(text) and text[index] != "]":
        line = text.count("\n", 0, index) + 1
        try:
            item, index = decoder.raw_decode(text, index)
        except json.JSONDecodeError as exc:
            message = _("line %(line)d: not valid JSON (%(error)s).") % {"line": exc.lineno, "error": exc.msg}
            raise ImportFileError(message) from None
        if not isinstance(item, dict):
            yield line, {"__error__": _("each product must be a JSON object.")}
        else:
            variants = item.get("variants")
            if not isinstance(variants, list) or not variants:
                yield line, {"__error__": _("a product needs a non-empty “variants” list.")}
            else:
                for variant in variants:
                    if not isinstance(variant, dict):
                        yield line, {"__error__": _("each variant must be a JSON object.")}
                        continue
                    attributes = variant.get("attributes", {})
                    if isinstance(attributes, dict):
                        attributes = ";".join(f"{k}={v}" for k, v in attributes.items())
                    row = {k: item.get(k, "") for k in PRODUCT_FIELDS}
                    row.update(
                        product=item.get("slug", ""),
                        sku=variant.get("sku", ""),
                        price=variant.get("price", ""),
                        stock=variant.get("stock", ""),
                        attributes=attributes,
                    )
                    yield line, {k: v if isinstance(v, (bool, int)) else str(v).strip() for k, v in row.items()}
        index = _skip(text, index)
        if index < len(text) and text[index] == ",":
            index = _skip(text, index + 1)
    if index >= len(text):
        raise ImportFileError(_("The JSON array is not closed with “]”."))


def _skip(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\r\n":
        index += 1
    return index


# --- checking -------------------------------------------------------------------------------------------------


def check_rows(
    rows: list[tuple[int, dict[str, Any]]], *, advance: Callable[[], None] | None = None
) -> tuple[list[ProductRow], list[Problem]]:
    """Turn rows into products with variants; collect every problem with its line."""
    categories = {c.slug: c for c in Category.objects.all()}
    values = {(v.attribute.code, v.code): v for v in AttributeValue.objects.select_related("attribute")}
    existing_skus = dict(Variant.objects.values_list("sku", "product__slug"))
    products: dict[str, ProductRow] = {}
    seen_skus: dict[str, int] = {}
    problems: list[Problem] = []
    for line, row in rows:
        if advance is not None:
            advance()
        errors = _row_errors(line, row, categories, values, existing_skus, seen_skus)
        if errors:
            problems.extend(Problem(line, e) for e in errors)
            continue
        slug = str(row["product"])
        variant = VariantRow(
            line,
            str(row["sku"]),
            Decimal(str(row["price"])),
            int(str(row["stock"])),
            _values(str(row.get("attributes", "")), values),
        )
        seen_skus[variant.sku] = line
        product = products.get(slug)
        candidate = _product(line, slug, row, categories)
        if product is None:
            products[slug] = product = candidate
        elif (product.category.pk, product.name_zh) != (candidate.category.pk, candidate.name_zh):
            problems.append(
                Problem(
                    line,
                    _("product “%(slug)s” has a different category or name on line %(first)d.")
                    % {"slug": slug, "first": product.line},
                )
            )
            continue
        product.variants.append(variant)
    return list(products.values()), problems


def _row_errors(
    line: int,
    row: dict[str, Any],
    categories: dict[str, Category],
    values: dict[tuple[str, str], Any],
    existing_skus: dict[str, str],
    seen_skus: dict[str, int],
) -> list[str]:
    if "__error__" in row:
        return [str(row["__error__"])]
    errors = [_("“%(column)s” is empty.") % {"column": c} for c in REQUIRED if str(row.get(c, "")).strip() == ""]
    if errors:
        return errors
    for column, limit in LIMITS.items():
        if len(str(row.get(column, ""))) > limit:
            errors.append(_("“%(column)s” is longer than %(limit)d characters.") % {"column": column, "limit": limit})
    slug = str(row["product"])
    if slugify(slug) != slug:
        errors.append(_("product “%(slug)s” must use only lower-case letters, digits and hyphens.") % {"slug": slug})
    if str(row["category"]) not in categories:
        errors.append(_("there is no category “%(category)s”.") % {"category": row["category"]})
    try:
        price = Decimal(str(row["price"]))
        if not price.is_finite() or price < 0 or price != price.quantize(Decimal("0.01")) or price >= 10**10:
            raise InvalidOperation
    except InvalidOperation:
        errors.append(_("price “%(price)s” is not an amount like 19.90.") % {"price": row["price"]})
    stock = str(row["stock"])
    if not stock.isdigit() or len(stock) > 9:
        errors.append(_("stock “%(stock)s” is not a whole number of 0 or more.") % {"stock": stock})
    currency = str(row.get("currency") or "CNY")
    if len(currency) != 3 or not currency.isalpha():
        errors.append(_("currency “%(currency)s” is not a three-letter code.") % {"currency": currency})
    days = str(row.get("delivery_days") or "2")
    if not days.isdigit() or not 1 <= int(days) <= 365:
        errors.append(_("delivery_days must be a number of days from 1 to 365."))
    if str(row.get("is_active", "")).lower() not in ("", "1", "0", "true", "false", "yes", "no"):
        errors.append(_("is_active must be true or false."))
    sku = str(row["sku"])
    if sku in seen_skus:
        errors.append(_("SKU “%(sku)s” is already on line %(line)d.") % {"sku": sku, "line": seen_skus[sku]})
    elif existing_skus.get(sku, slug) != slug:
        errors.append(
            _("SKU “%(sku)s” belongs to another product (“%(other)s”).") % {"sku": sku, "other": existing_skus[sku]}
        )
    for pair in filter(None, (p.strip() for p in str(row.get("attributes", "")).split(";"))):
        code, _sep, value = pair.partition("=")
        if (code.strip(), value.strip().lower()) not in values:
            errors.append(_("unknown attribute value “%(pair)s” (use attribute=value codes).") % {"pair": pair})
    return errors


def _values(raw: str, values: dict[tuple[str, str], AttributeValue]) -> list[AttributeValue]:
    found: dict[int, AttributeValue] = {}
    for pair in filter(None, (p.strip() for p in raw.split(";"))):
        code, _sep, value = pair.partition("=")
        attribute_value = values[(code.strip(), value.strip().lower())]
        found[attribute_value.attribute_id] = attribute_value
    return list(found.values())


def _product(line: int, slug: str, row: dict[str, Any], categories: dict[str, Category]) -> ProductRow:
    active = str(row.get("is_active", "")).lower()
    return ProductRow(
        line=line,
        slug=slug,
        category=categories[str(row["category"])],
        brand=str(row.get("brand", "")),
        brand_en=str(row.get("brand_en", "")),
        name_zh=str(row["name_zh"]),
        name_en=str(row.get("name_en", "")),
        description_zh=str(row.get("description_zh", "")),
        description_en=str(row.get("description_en", "")),
        currency=str(row.get("currency") or "CNY").upper(),
        delivery_days=int(str(row.get("delivery_days") or "2")),
        is_active=active not in ("0", "false", "no"),
    )
