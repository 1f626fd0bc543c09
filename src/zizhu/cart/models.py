"""Carts of signed-in customers and of guests (by the guest key kept in their session).

A cart is ``open`` until an order is placed from it; then it is ``ordered`` and frozen
(no line may be added or changed), and the customer's next add opens a new cart.
Lines hold a stock variant or a configured (built-to-order) SKU, never a price: prices are
read from the catalogue every time the cart is shown or ordered.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Cart(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ORDERED = "ordered", _("Ordered")

    # NULL for guests' carts: cart_user_idx is partial.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="carts", db_index=False
    )
    guest_key = models.CharField(_("guest key"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("cart")
        verbose_name_plural = _("carts")
        constraints = [
            models.CheckConstraint(condition=Q(user__isnull=False) | ~Q(guest_key=""), name="cart_has_owner"),
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="open", user__isnull=False), name="cart_one_open_per_user"
            ),
            models.UniqueConstraint(
                fields=["guest_key"], condition=Q(status="open", user__isnull=True), name="cart_one_open_per_guest"
            ),
        ]
        # Plain b-tree indexes, not db_index/unique: those add a varchar_pattern_ops copy on PostgreSQL
        # (for LIKE 'x%', never used here) that every INSERT must also write (docs/ordering.md).
        indexes = [
            models.Index(fields=["guest_key"], name="cart_guest_key_idx"),
            models.Index(fields=["user"], name="cart_user_idx", condition=Q(user__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"cart {self.pk}"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(
        "catalog.Variant", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("variant")
    )
    configured_sku = models.ForeignKey(
        "catalog.ConfiguredSku",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("configuration"),
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("cart line")
        verbose_name_plural = _("cart lines")
        ordering = ["added_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="cart_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(variant__isnull=False, configured_sku__isnull=True)
                | Q(variant__isnull=True, configured_sku__isnull=False),
                name="cart_line_one_item",
            ),
            models.UniqueConstraint(
                fields=["cart", "variant"], condition=Q(variant__isnull=False), name="cart_line_variant_once"
            ),
            models.UniqueConstraint(
                fields=["cart", "configured_sku"],
                condition=Q(configured_sku__isnull=False),
                name="cart_line_configured_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.variant_id or self.configured_sku_id}"
