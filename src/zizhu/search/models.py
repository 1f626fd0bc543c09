"""The search index. ``SearchEntry`` (+ its ``SearchDocument``) is the source of truth for both backends.

One entry per active product holds what listing, filtering, faceting and ranking need
(denormalised from the catalogue by ``services.index_products``); its document holds the
pre-segmented text of four weighted fields. PostgreSQL ranks ``SearchDocument.search_vector``
(GIN index, created by migration 0004); SQLite keeps the same text in the FTS5 table
``search_fts`` (created by 0002). Rows here are derived data: ``manage.py rebuild_search_index``
recreates all of them from the catalogue.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zizhu.catalog.models import pick


class SearchEntry(models.Model):
    product = models.OneToOneField(
        "catalog.Product",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_entry",
        verbose_name=_("product"),
    )
    slug = models.CharField(_("slug"), max_length=120)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    brand = models.ForeignKey(
        "catalog.Brand", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("brand")
    )
    category = models.ForeignKey(
        "catalog.Category", on_delete=models.CASCADE, related_name="+", verbose_name=_("category")
    )
    price = models.DecimalField(_("from price"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    in_stock = models.BooleanField(_("in stock"), default=True)
    sales_count = models.PositiveIntegerField(_("units sold"), default=0)
    boost = models.FloatField(_("ranking boost"), default=1.0, help_text=_("In stock and popular items rank higher."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # The category's ancestors by depth (level0 = top level), for fast filters and facets.
    level0 = models.IntegerField(null=True, blank=True)
    level1 = models.IntegerField(null=True, blank=True)
    level2 = models.IntegerField(null=True, blank=True)
    level3 = models.IntegerField(null=True, blank=True)
    # "attribute:value" of every SearchFacetValue row, counted without a join on PostgreSQL.
    facet_keys = models.JSONField(default=list, blank=True)
    # The same keys as a shared set: products with equal keys (most of them) share one row, so the
    # listing counts attribute facets per set (a few hundred) instead of per key of every product.
    facet_set = models.ForeignKey(
        "SearchFacetSet", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    indexed_at = models.DateTimeField(_("indexed at"), default=timezone.now)

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        indexes = [
            models.Index(fields=["-sales_count", "product"], name="search_entry_sales_idx"),
            models.Index(fields=["price", "product"], name="search_entry_price_idx"),
            models.Index(fields=["-created_at", "product"], name="search_entry_new_idx"),
            models.Index(fields=["level0", "-sales_count", "product"], name="search_entry_level0_idx"),
            models.Index(fields=["level1", "-sales_count", "product"], name="search_entry_level1_idx"),
            models.Index(fields=["level2", "-sales_count", "product"], name="search_entry_level2_idx"),
            models.Index(fields=["level3", "-sales_count", "product"], name="search_entry_level3_idx"),
        ]

    def __str__(self) -> str:
        return self.name_zh

    @property
    def name(self) -> str:
        return pick(self.name_zh, self.name_en)


class SearchFacetSet(models.Model):
    """A distinct set of facet keys ("colour:black", …) that entries share (``digest`` = md5 of the sorted keys)."""

    digest = models.CharField(max_length=32, unique=True)
    keys = models.JSONField(default=list)

    class Meta:
        verbose_name = _("facet key set")
        verbose_name_plural = _("facet key sets")

    def __str__(self) -> str:
        return self.digest


class SearchDocument(models.Model):
    """The entry's pre-segmented text (jieba words + pinyin + initials), weights A > B > C > D.

    Kept apart from ``SearchEntry`` so that filtering and facet counting scan narrow rows."""

    entry = models.OneToOneField(SearchEntry, on_delete=models.CASCADE, primary_key=True, related_name="document")
    name_text = models.TextField(_("name tokens"), blank=True)
    brand_text = models.TextField(_("brand tokens"), blank=True)
    category_text = models.TextField(_("category tokens"), blank=True)
    body_text = models.TextField(_("description tokens"), blank=True)
    search_vector = SearchVectorField(null=True, editable=False)
    # Name and brand only (PostgreSQL): the listing's cheap first-pass score, tested on rows
    # the GIN index on ``search_vector`` has already found (small, so stored inline).
    name_vector = SearchVectorField(null=True, editable=False)
    # A copy of the entry's listing columns, so that PostgreSQL filters, sorts and counts the
    # matches of a text search from these rows alone (no join per match). Written with the entry.
    brand_id = models.IntegerField(null=True, blank=True)
    price = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    in_stock = models.BooleanField(default=True)
    sales_count = models.PositiveIntegerField(default=0)
    boost = models.FloatField(default=1.0)
    created_at = models.DateTimeField(default=timezone.now)
    level0 = models.IntegerField(null=True, blank=True)
    level1 = models.IntegerField(null=True, blank=True)
    level2 = models.IntegerField(null=True, blank=True)
    level3 = models.IntegerField(null=True, blank=True)
    facet_set_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")

    def __str__(self) -> str:
        return str(self.entry_id)


class SearchCategoryLink(models.Model):
    """The entry's category and each of its ancestors (depth 0 = a top-level category)."""

    entry = models.ForeignKey(SearchEntry, on_delete=models.CASCADE, related_name="category_links")
    category = models.ForeignKey("catalog.Category", on_delete=models.CASCADE, related_name="+")
    depth = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("search category link")
        verbose_name_plural = _("search category links")
        constraints = [models.UniqueConstraint(fields=["entry", "category"], name="search_category_link_unique")]
        indexes = [models.Index(fields=["category", "entry"], name="search_category_entry_idx")]

    def __str__(self) -> str:
        return f"{self.entry_id} in {self.category_id}"


class SearchFacetValue(models.Model):
    """An attribute value one of the product's variants (or configurator options) has: colour=red."""

    entry = models.ForeignKey(SearchEntry, on_delete=models.CASCADE, related_name="facet_values")
    attribute = models.CharField(_("attribute"), max_length=40)
    value = models.CharField(_("value"), max_length=40)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("search facet value")
        verbose_name_plural = _("search facet values")
        constraints = [
            models.UniqueConstraint(fields=["entry", "attribute", "value"], name="search_facet_value_unique")
        ]
        indexes = [models.Index(fields=["attribute", "value", "entry"], name="search_facet_lookup_idx")]

    def __str__(self) -> str:
        return f"{self.attribute}={self.value}"


class SearchFacetName(models.Model):
    """How an attribute value is shown (one row per attribute and value)."""

    attribute = models.CharField(_("attribute"), max_length=40)
    value = models.CharField(_("value"), max_length=40)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("facet value name")
        verbose_name_plural = _("facet value names")
        constraints = [models.UniqueConstraint(fields=["attribute", "value"], name="search_facet_name_unique")]

    def __str__(self) -> str:
        return f"{self.attribute}={self.value}"


class SearchTerm(models.Model):
    """The vocabulary for typo tolerance and "did you mean": Latin words and pinyin of names,
    brands and categories. ``display`` is what a correction shows (手机 for "shouji")."""

    term = models.CharField(_("term"), max_length=60, unique=True)
    display = models.CharField(_("shown as"), max_length=100)
    weight = models.PositiveIntegerField(_("products"), default=1)

    class Meta:
        verbose_name = _("search term")
        verbose_name_plural = _("search terms")

    def __str__(self) -> str:
        return self.term


class SearchTermVariant(models.Model):
    """The term and each string one deletion away from it: one indexed look-up finds every
    vocabulary term within one edit of a typed word (the SymSpell method)."""

    variant = models.CharField(max_length=60, db_index=True)
    term = models.ForeignKey(SearchTerm, on_delete=models.CASCADE, related_name="variants")

    class Meta:
        verbose_name = _("search term variant")
        verbose_name_plural = _("search term variants")
        constraints = [models.UniqueConstraint(fields=["variant", "term"], name="search_term_variant_unique")]

    def __str__(self) -> str:
        return self.variant


class SearchSuggestion(models.Model):
    """A prefix key (text, pinyin or initials) under which a product, brand or category is suggested."""

    class Kind(models.TextChoices):
        PRODUCT = "product", _("product")
        BRAND = "brand", _("brand")
        CATEGORY = "category", _("category")

    key = models.CharField(_("key"), max_length=100, db_index=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    target = models.CharField(_("slug"), max_length=120)
    label_zh = models.CharField(_("label (Chinese)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200, blank=True)
    weight = models.PositiveIntegerField(_("weight"), default=0)
    entry = models.ForeignKey(SearchEntry, on_delete=models.CASCADE, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("search suggestion")
        verbose_name_plural = _("search suggestions")
        constraints = [
            models.UniqueConstraint(fields=["kind", "target", "key"], name="search_suggestion_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.kind}:{self.target}"

    @property
    def label(self) -> str:
        return pick(self.label_zh, self.label_en)
