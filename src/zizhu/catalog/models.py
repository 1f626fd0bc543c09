"""Catalogue tables: categories, brands, products, variants (SKUs), attributes, images,
the configurator (option groups, options, rules, configured SKUs), favourites, browsing
history and the append-only behaviour events the recommender learns from.

Names and descriptions are stored in both languages (``*_zh`` and ``*_en``); the
``name`` / ``description`` properties pick the active language and fall back to Chinese.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from zizhu.core.money import DEFAULT_CURRENCY, Money


def wants_english() -> bool:
    return (get_language() or "zh-hans").lower().startswith("en")


def pick(zh: str, en: str) -> str:
    """The text in the active language; Chinese when there is no English."""
    return (en or zh) if wants_english() else (zh or en)


class Localized(models.Model):
    """``name_zh``/``name_en`` with a ``name`` property in the active language."""

    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name_zh if not self.name_en else f"{self.name_zh} / {self.name_en}"

    @property
    def name(self) -> str:
        return pick(self.name_zh, self.name_en)


class Category(Localized):
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "id"]
        constraints = [models.CheckConstraint(condition=~Q(parent=F("id")), name="category_not_own_parent")]


class Brand(models.Model):
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)

    class Meta:
        verbose_name = _("brand")
        verbose_name_plural = _("brands")
        ordering = ["name_en", "name"]

    def __str__(self) -> str:
        return self.name if not self.name_en or self.name_en == self.name else f"{self.name} / {self.name_en}"

    @property
    def display_name(self) -> str:
        return pick(self.name, self.name_en)


class Product(Localized):
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="products", verbose_name=_("category")
    )
    brand = models.ForeignKey(
        Brand, on_delete=models.PROTECT, null=True, blank=True, related_name="products", verbose_name=_("brand")
    )
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    price = models.DecimalField(
        _("base price"),
        max_digits=12,
        decimal_places=2,
        help_text=_("Configurable products: the price before options. Others: the lowest variant price."),
    )
    currency = models.CharField(_("currency"), max_length=3, default=DEFAULT_CURRENCY)
    is_configurable = models.BooleanField(_("built to order (configurator)"), default=False)
    is_active = models.BooleanField(_("on sale"), default=True)
    sales_count = models.PositiveIntegerField(_("units sold"), default=0)
    delivery_days = models.PositiveSmallIntegerField(
        _("delivery time (days)"), default=2, help_text=_("Days from order to delivery, building included.")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["-created_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(price__gte=0), name="product_price_not_negative")]
        indexes = [
            models.Index(fields=["category", "is_active"], name="product_category_idx"),
            models.Index(fields=["-sales_count"], name="product_sales_idx"),
        ]

    @property
    def description(self) -> str:
        return pick(self.description_zh, self.description_en)

    @property
    def base_price(self) -> Money:
        return Money.of(self.price, self.currency)


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images", verbose_name=_("product"))
    image = models.ImageField(
        _("image"), upload_to="catalog/products/", width_field="width", height_field="height", max_length=200
    )
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    alt_zh = models.CharField(_("text alternative (Chinese)"), max_length=200)
    alt_en = models.CharField(_("text alternative (English)"), max_length=200, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("product image")
        verbose_name_plural = _("product images")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.alt_zh

    @property
    def alt(self) -> str:
        return pick(self.alt_zh, self.alt_en)


class Attribute(Localized):
    """A property variants differ by: size, colour, memory…"""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("attribute")
        verbose_name_plural = _("attributes")
        ordering = ["position", "id"]


class AttributeValue(Localized):
    attribute = models.ForeignKey(
        Attribute, on_delete=models.CASCADE, related_name="values", verbose_name=_("attribute")
    )
    code = models.SlugField(_("code"), max_length=40)
    swatch = models.CharField(_("colour swatch"), max_length=7, blank=True, help_text=_("e.g. #1b1b1f"))
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("attribute value")
        verbose_name_plural = _("attribute values")
        ordering = ["attribute_id", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["attribute", "code"], name="attribute_value_code_unique")]


class Variant(models.Model):
    """An orderable SKU of a product (one size and colour…) with its own price and stock."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants", verbose_name=_("product"))
    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2)
    stock = models.IntegerField(_("stock on hand"), default=0)
    is_active = models.BooleanField(_("on sale"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    values = models.ManyToManyField(
        AttributeValue, through="VariantValue", related_name="variants", verbose_name=_("attribute values")
    )

    class Meta:
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(stock__gte=0), name="variant_stock_not_negative"),
            models.CheckConstraint(condition=Q(price__gte=0), name="variant_price_not_negative"),
        ]

    def __str__(self) -> str:
        return self.sku

    @property
    def unit_price(self) -> Money:
        return Money.of(self.price, self.product.currency)

    @property
    def in_stock(self) -> bool:
        return self.is_active and self.stock > 0


class VariantValue(models.Model):
    """The normalized variant ↔ attribute value link (one value per attribute); facets count from here."""

    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="variant_values")
    attribute = models.ForeignKey(Attribute, on_delete=models.CASCADE, related_name="+")
    value = models.ForeignKey(AttributeValue, on_delete=models.CASCADE, related_name="variant_links")

    class Meta:
        verbose_name = _("variant attribute value")
        verbose_name_plural = _("variant attribute values")
        constraints = [models.UniqueConstraint(fields=["variant", "attribute"], name="variant_one_value_per_attribute")]
        indexes = [models.Index(fields=["value", "variant"], name="variant_value_facet_idx")]

    def __str__(self) -> str:
        return f"{self.variant_id}: {self.value}"


# --- configurator -----------------------------------------------------------------------------------


class OptionGroup(Localized):
    """One choice of a build-to-order product: processor, memory, storage…"""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="option_groups", verbose_name=_("product")
    )
    code = models.SlugField(_("code"), max_length=40)
    required = models.BooleanField(_("required"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("option group")
        verbose_name_plural = _("option groups")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["product", "code"], name="option_group_code_unique")]


class Option(Localized):
    group = models.ForeignKey(OptionGroup, on_delete=models.CASCADE, related_name="options", verbose_name=_("group"))
    code = models.SlugField(_("code"), max_length=40)
    price_delta = models.DecimalField(_("price difference"), max_digits=12, decimal_places=2, default=0)
    is_default = models.BooleanField(_("preselected"), default=False)
    is_active = models.BooleanField(_("available"), default=True)
    swatch = models.CharField(_("colour swatch"), max_length=7, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["group", "code"], name="option_code_unique")]


class Rule(models.Model):
    """A configurator rule between two options of one product.

    * ``requires``: choosing ``option`` needs ``target`` chosen too. Several ``requires``
      rules of one option whose targets are in the same group mean "one of these".
    * ``excludes``: ``option`` and ``target`` cannot be chosen together (both ways).
    """

    class Kind(models.TextChoices):
        REQUIRES = "requires", _("requires")
        EXCLUDES = "excludes", _("excludes")

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="rules", verbose_name=_("product"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    option = models.ForeignKey(Option, on_delete=models.CASCADE, related_name="rules", verbose_name=_("when chosen"))
    target = models.ForeignKey(Option, on_delete=models.CASCADE, related_name="+", verbose_name=_("other option"))
    message_zh = models.CharField(_("explanation (Chinese)"), max_length=200)
    message_en = models.CharField(_("explanation (English)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("configurator rule")
        verbose_name_plural = _("configurator rules")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["option", "target", "kind"], name="rule_unique"),
            models.CheckConstraint(condition=~Q(option=F("target")), name="rule_not_self"),
        ]

    def __str__(self) -> str:
        return self.message_zh

    @property
    def message(self) -> str:
        return pick(self.message_zh, self.message_en)


class ConfiguredSku(models.Model):
    """A valid configuration of a build-to-order product: an orderable SKU with its own price."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="configured_skus", verbose_name=_("product")
    )
    signature = models.CharField(_("options"), max_length=500, help_text=_("group=option pairs, sorted"))
    options = models.JSONField(_("chosen options"), default=dict)
    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default=DEFAULT_CURRENCY)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("configured SKU")
        verbose_name_plural = _("configured SKUs")
        constraints = [
            models.UniqueConstraint(fields=["product", "signature"], name="configured_sku_signature_unique"),
            models.CheckConstraint(condition=Q(price__gte=0), name="configured_sku_price_not_negative"),
        ]

    def __str__(self) -> str:
        return self.sku

    @property
    def unit_price(self) -> Money:
        return Money.of(self.price, self.currency)


# --- favourites, history, behaviour ---------------------------------------------------------------------


def _owner_constraints(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.CheckConstraint(condition=Q(user__isnull=False) | ~Q(session_key=""), name=f"{prefix}_has_owner"),
        models.UniqueConstraint(
            fields=["user", "product"], condition=Q(user__isnull=False), name=f"{prefix}_user_product_unique"
        ),
        models.UniqueConstraint(
            fields=["session_key", "product"],
            condition=Q(user__isnull=True),
            name=f"{prefix}_session_product_unique",
        ),
    ]


class Favourite(models.Model):
    """A product a customer keeps; guests keep them by session key until they sign in."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="favourites"
    )
    session_key = models.CharField(max_length=40, blank=True, db_index=True)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("favourite")
        verbose_name_plural = _("favourites")
        ordering = ["-created_at", "-id"]
        constraints = _owner_constraints("favourite")

    def __str__(self) -> str:
        return f"{self.user_id or self.session_key[:8]} ♥ {self.product_id}"


class BrowsingHistory(models.Model):
    """The latest view of each product by one customer (one row per owner and product)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="browsing_history"
    )
    session_key = models.CharField(max_length=40, blank=True, db_index=True)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    viewed_at = models.DateTimeField(_("viewed at"), default=timezone.now)

    class Meta:
        verbose_name = _("browsing history entry")
        verbose_name_plural = _("browsing history")
        ordering = ["-viewed_at", "-id"]
        constraints = _owner_constraints("history")
        indexes = [models.Index(fields=["user", "-viewed_at"], name="history_user_recent_idx")]

    def __str__(self) -> str:
        return f"{self.user_id or self.session_key[:8]} saw {self.product_id}"


class BehaviourEvent(models.Model):
    """Append-only record of what customers do, for the recommender (never updated).

    A deleted account keeps its events anonymised (``user`` becomes NULL); a deleted
    product keeps its events without the link.
    """

    class Type(models.TextChoices):
        VIEW = "view", _("viewed a product")
        SEARCH = "search", _("searched")
        FAVOURITE = "favourite", _("added a favourite")
        ADD_TO_CART = "add_to_cart", _("added to cart")
        PURCHASE = "purchase", _("bought")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    session_key = models.CharField(max_length=40, blank=True)
    product = models.ForeignKey(Product, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    event_type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    query = models.CharField(_("search text"), max_length=200, blank=True)
    context = models.JSONField(_("context"), default=dict, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)

    class Meta:
        verbose_name = _("behaviour event")
        verbose_name_plural = _("behaviour events")
        indexes = [
            models.Index(fields=["user", "occurred_at"], name="behaviour_user_time_idx"),
            models.Index(fields=["product", "event_type"], name="behaviour_product_type_idx"),
            models.Index(fields=["session_key", "occurred_at"], name="behaviour_session_time_idx"),
            models.Index(fields=["occurred_at"], name="behaviour_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.product_id or self.query} @ {self.occurred_at:%Y-%m-%d %H:%M}"
