"""Precomputed recommendation lists (written by training, read by pages in one query) and hidden items.

Each list row belongs to a :class:`ModelVersion`; training writes a new version's rows and removes the
previous version's in the same transaction, so a page never sees a half-written list.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zizhu.catalog.models import Category, Product, pick


class ModelVersion(models.Model):
    """One training run: when, what, with which settings, how long, how much data."""

    created_at = models.DateTimeField(_("trained at"), default=timezone.now, db_index=True)
    algorithm = models.CharField(_("algorithm"), max_length=80)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    stats = models.JSONField(_("statistics"), default=dict, blank=True)
    seconds = models.FloatField(_("training time (s)"), default=0.0)

    class Meta:
        verbose_name = _("model version")
        verbose_name_plural = _("model versions")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.algorithm} #{self.pk} ({self.created_at:%Y-%m-%d %H:%M})"


class Reason(models.TextChoices):
    BECAUSE_BOUGHT = "because_bought", _("because you bought")
    BECAUSE_VIEWED = "because_viewed", _("because you looked at")
    BUY_AGAIN = "buy_again", _("buy again")
    POPULAR_IN_CATEGORY = "popular_in_category", _("popular in a category")
    POPULAR = "popular", _("popular")
    SIMILAR = "similar", _("similar")
    BOUGHT_TOGETHER = "bought_together", _("bought together")


class RecommendationRow(models.Model):
    version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField(_("rank"))
    score = models.FloatField(_("score"), default=0.0)
    reason = models.CharField(_("reason"), max_length=30, choices=Reason.choices)
    reason_product = models.ForeignKey(Product, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reason_category = models.ForeignKey(Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # the reason's product or category name, copied at training so a list is read without joining them
    reason_name_zh = models.CharField(max_length=200, blank=True)
    reason_name_en = models.CharField(max_length=200, blank=True)

    class Meta:
        abstract = True
        ordering = ["rank"]

    @property
    def reason_name(self) -> str:
        return pick(self.reason_name_zh, self.reason_name_en)

    @property
    def explanation(self) -> str:
        """Why this item is on the list, in one short sentence (in the active language)."""
        if self.reason == Reason.BECAUSE_BOUGHT and self.reason_name_zh:
            return gettext("Because you bought %(product)s") % {"product": self.reason_name}
        if self.reason == Reason.BECAUSE_VIEWED and self.reason_name_zh:
            return gettext("Because you looked at %(product)s") % {"product": self.reason_name}
        if self.reason == Reason.BUY_AGAIN:
            return gettext("You bought this before: buy it again")
        if self.reason == Reason.POPULAR_IN_CATEGORY and self.reason_name_zh:
            return gettext("Popular in %(category)s") % {"category": self.reason_name}
        if self.reason == Reason.SIMILAR:
            return gettext("Customers who looked at this also liked it")
        if self.reason == Reason.BOUGHT_TOGETHER:
            return gettext("Often bought together")
        return gettext("Popular in our shop")


class ForYou(RecommendationRow):
    """A customer's personal list ("for you")."""

    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta(RecommendationRow.Meta):
        verbose_name = _("personal recommendation")
        verbose_name_plural = _("personal recommendations")
        constraints = [models.UniqueConstraint(fields=["customer", "rank"], name="for_you_customer_rank_unique")]

    def __str__(self) -> str:
        return f"{self.customer_id} #{self.rank}: {self.product_id}"


class SimilarItem(RecommendationRow):
    """Items like ``source`` (customers who wanted one wanted the other)."""

    source = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")

    class Meta(RecommendationRow.Meta):
        verbose_name = _("similar item")
        verbose_name_plural = _("similar items")
        constraints = [
            models.UniqueConstraint(fields=["source", "rank"], name="similar_item_source_rank_unique"),
            models.CheckConstraint(condition=~Q(source=F("product")), name="similar_item_not_itself"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} #{self.rank}: {self.product_id}"


class BoughtTogetherItem(RecommendationRow):
    """Items often in the same order as ``source``; ``together`` orders had both."""

    source = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    together = models.PositiveIntegerField(_("orders with both"), default=0)

    class Meta(RecommendationRow.Meta):
        verbose_name = _("bought-together item")
        verbose_name_plural = _("bought-together items")
        constraints = [
            models.UniqueConstraint(fields=["source", "rank"], name="bought_together_source_rank_unique"),
            models.CheckConstraint(condition=~Q(source=F("product")), name="bought_together_not_itself"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} #{self.rank}: {self.product_id}"


class HiddenItem(models.Model):
    """A product a customer asked never to be recommended again."""

    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("hidden at"), default=timezone.now)

    class Meta:
        verbose_name = _("hidden item")
        verbose_name_plural = _("hidden items")
        constraints = [models.UniqueConstraint(fields=["customer", "product"], name="hidden_item_unique")]

    def __str__(self) -> str:
        return f"{self.customer_id} ✕ {self.product_id}"


class HistoryReset(models.Model):
    """When a customer last cleared their browsing history: views before it teach the recommender nothing."""

    customer = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    cleared_at = models.DateTimeField(_("history cleared at"))

    class Meta:
        verbose_name = _("cleared browsing history")
        verbose_name_plural = _("cleared browsing histories")

    def __str__(self) -> str:
        return f"{self.customer_id} cleared {self.cleared_at:%Y-%m-%d %H:%M}"


class SizeFeedback(models.Model):
    """How a bought size fitted (from the customer, or from a return's reason once returns exist).

    ``too_small`` moves that purchase's vote one size up, ``too_large`` one size down; ``fits``
    counts the size twice. One verdict per order line (the latest wins)."""

    class Verdict(models.TextChoices):
        TOO_SMALL = "too_small", _("too small")
        TOO_LARGE = "too_large", _("too large")
        FITS = "fits", _("fits well")

    class Source(models.TextChoices):
        CUSTOMER = "customer", _("the customer said so")
        RETURN = "return", _("return reason")

    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    order_line = models.ForeignKey("orders.OrderLine", on_delete=models.CASCADE, related_name="+")
    verdict = models.CharField(_("fit"), max_length=10, choices=Verdict.choices)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.CUSTOMER)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("size feedback")
        verbose_name_plural = _("size feedback")
        constraints = [models.UniqueConstraint(fields=["order_line"], name="size_feedback_one_per_line")]

    def __str__(self) -> str:
        return f"{self.order_line_id}: {self.verdict}"


class DigestSchedule(models.Model):
    """A customer's usual hour of the week (learned from their behaviour events) and their last digest.

    ``usual_hour`` counts from Monday 00:00 in ``time_zone`` (0–167). ``last_digest_at`` is moved by a
    conditional UPDATE, so two runs at once cannot both send a digest within the week."""

    customer = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    usual_hour = models.PositiveSmallIntegerField(_("usual hour of the week"), null=True, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=60, default="Asia/Shanghai")
    events = models.PositiveIntegerField(_("events learned from"), default=0)
    learned_at = models.DateTimeField(_("learned at"), default=timezone.now)
    last_digest_at = models.DateTimeField(_("last digest sent at"), null=True, blank=True)
    last_digest_products = models.JSONField(_("products in the last digest"), default=list, blank=True)

    class Meta:
        verbose_name = _("digest schedule")
        verbose_name_plural = _("digest schedules")
        constraints = [
            models.CheckConstraint(
                condition=Q(usual_hour__isnull=True) | Q(usual_hour__lt=168), name="digest_usual_hour_in_week"
            )
        ]
        indexes = [models.Index(fields=["usual_hour"], name="digest_usual_hour_idx")]

    def __str__(self) -> str:
        return f"{self.customer_id} @ {self.usual_hour}"
