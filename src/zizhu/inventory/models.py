"""Warehouses, stock per variant per warehouse, and the stock-movement ledger.

Invariants live in the database: ``0 <= allocated <= on_hand`` (CHECK constraints), one
stock row per variant and warehouse (unique). Every change of a stock row writes one
``StockMovement`` row in the same transaction (reason, order number, staff member).

``catalog.Variant.stock`` is kept as the denormalised *available* quantity
(``sum(on_hand - allocated)`` over warehouses), rewritten in the same transaction by every
inventory service, so catalogue and search pages keep reading one column.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Warehouse(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    priority = models.PositiveIntegerField(_("priority"), default=0, help_text=_("Lower ships first."))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["priority", "id"]

    def __str__(self) -> str:
        return self.name


class Stock(models.Model):
    variant = models.ForeignKey(
        "catalog.Variant",
        on_delete=models.CASCADE,
        related_name="stock_rows",
        verbose_name=_("variant"),
        db_index=False,  # stock_variant_warehouse_unique starts with the variant
    )
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="stock_rows", verbose_name=_("warehouse")
    )
    on_hand = models.IntegerField(_("on hand"), default=0)
    allocated = models.IntegerField(_("allocated to orders"), default=0)

    class Meta:
        verbose_name = _("stock")
        verbose_name_plural = _("stock")
        ordering = ["variant_id", "warehouse__priority", "id"]
        constraints = [
            models.UniqueConstraint(fields=["variant", "warehouse"], name="stock_variant_warehouse_unique"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="stock_on_hand_not_negative"),
            models.CheckConstraint(condition=Q(allocated__gte=0), name="stock_allocated_not_negative"),
            models.CheckConstraint(condition=Q(allocated__lte=F("on_hand")), name="stock_allocated_le_on_hand"),
        ]

    def __str__(self) -> str:
        return f"{self.variant_id}@{self.warehouse_id}: {self.on_hand}/{self.allocated}"

    @property
    def available(self) -> int:
        return self.on_hand - self.allocated


class StockMovement(models.Model):
    """The ledger: append-only, one row per change of one stock row."""

    class Reason(models.TextChoices):
        RECEIVED = "received", _("Received")
        ADJUSTED = "adjusted", _("Adjusted by staff")
        ALLOCATED = "allocated", _("Allocated to an order")
        RELEASED = "released", _("Released (order cancelled)")
        SHIPPED = "shipped", _("Shipped")
        IMPORTED = "imported", _("Taken over from the catalogue")

    stock = models.ForeignKey(Stock, on_delete=models.PROTECT, related_name="movements", verbose_name=_("stock"))
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    on_hand_change = models.IntegerField(_("change on hand"), default=0)
    allocated_change = models.IntegerField(_("change allocated"), default=0)
    order_number = models.CharField(_("order"), max_length=32, blank=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("staff member"),
        db_index=False,  # NULL for orders' movements: stockmovement_staff_idx is partial
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-created_at", "-id"]
        # Plain b-tree indexes, not db_index/unique: those add a varchar_pattern_ops copy on PostgreSQL
        # (for LIKE 'x%', never used here) that every INSERT must also write (docs/ordering.md).
        indexes = [
            models.Index(fields=["order_number"], name="stockmovement_order_idx"),
            models.Index(fields=["staff"], name="stockmovement_staff_idx", condition=Q(staff__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.reason} {self.on_hand_change:+}/{self.allocated_change:+}"


class PurchaseLimit(models.Model):
    """At most this many of one product in one cart/order (defaults: settings)."""

    product = models.OneToOneField(
        "catalog.Product", on_delete=models.CASCADE, related_name="purchase_limit", verbose_name=_("product")
    )
    max_quantity = models.PositiveIntegerField(_("most per order"))

    class Meta:
        verbose_name = _("purchase limit")
        verbose_name_plural = _("purchase limits")
        constraints = [models.CheckConstraint(condition=Q(max_quantity__gte=1), name="purchase_limit_positive")]

    def __str__(self) -> str:
        return f"{self.product_id} ≤ {self.max_quantity}"
