"""Orders: a price snapshot of what was bought, where it goes, and its status timeline.

Statuses move forward only (``FORWARD``); each transition is one service function that writes
an ``OrderEvent`` and emits an outbox event in the same transaction. Order numbers are random
(``zizhu.core.ids``). The contact phone and the address line are encrypted at rest.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zizhu.core.crypto import EncryptedTextField
from zizhu.core.money import DEFAULT_CURRENCY, Money


class Order(models.Model):
    class Status(models.TextChoices):
        PENDING_PAYMENT = "pending_payment", _("Waiting for payment")
        PAID = "paid", _("Paid")
        FULFILLING = "fulfilling", _("Being prepared")
        SHIPPED = "shipped", _("Shipped")
        DELIVERED = "delivered", _("Delivered")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")
        REFUNDED = "refunded", _("Refunded")

    number = models.CharField(_("order number"), max_length=20)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
        verbose_name=_("customer"),
        db_index=False,  # order_customer_idx starts with the customer
    )
    email = models.EmailField(_("e-mail for the receipt"), blank=True)
    contact_name = models.CharField(_("name"), max_length=60)
    contact_phone = EncryptedTextField(_("mobile number"), context="orders.order.contact_phone")
    province = models.CharField(_("province"), max_length=30)
    city = models.CharField(_("city"), max_length=30)
    district = models.CharField(_("district"), max_length=30, blank=True)
    address_line = EncryptedTextField(_("street address"), context="orders.order.address_line")
    # Geocode from cpca (zizhu.checkout.addresses): the district's (else city's) centre, not the door.
    adcode = models.CharField(_("administrative code"), max_length=6, blank=True, default="")
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    delivery_method = models.CharField(_("delivery"), max_length=20)
    delivery_fee = models.DecimalField(_("delivery fee"), max_digits=12, decimal_places=2)
    estimated_date = models.DateField(_("estimated delivery"))
    subtotal = models.DecimalField(_("subtotal"), max_digits=12, decimal_places=2)
    discount = models.DecimalField(_("discount"), max_digits=12, decimal_places=2, default=0)
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default=DEFAULT_CURRENCY)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING_PAYMENT)
    payment_number = models.CharField(_("payment"), max_length=20, blank=True)
    placed_at = models.DateTimeField(_("placed at"), default=timezone.now, db_index=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-placed_at", "-id"]
        permissions = [
            ("fulfil_order", _("Can move orders through fulfilment (prepare, ship, deliver, complete)")),
            ("cancel_order", _("Can cancel orders for customers (paid ones are refunded)")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(subtotal__gte=0), name="order_subtotal_not_negative"),
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative"),
            models.CheckConstraint(condition=Q(delivery_fee__gte=0), name="order_delivery_fee_not_negative"),
            # A constraint, not unique=True: that adds a varchar_pattern_ops index on PostgreSQL (for
            # LIKE 'x%', never used) which every order's INSERT must also write (docs/ordering.md).
            models.UniqueConstraint(fields=["number"], name="order_number_unique"),
        ]
        indexes = [
            # Partial (customers' orders only): a guest's order writes no entry (docs/ordering.md).
            models.Index(
                fields=["customer", "-placed_at"], name="order_customer_idx", condition=Q(customer__isnull=False)
            ),
            models.Index(fields=["status", "placed_at"], name="order_status_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    def money(self, field: str) -> Money:
        return Money.of(getattr(self, field), self.currency)

    @property
    def total_money(self) -> Money:
        return self.money("total")

    @property
    def subtotal_money(self) -> Money:
        return self.money("subtotal")

    @property
    def delivery_fee_money(self) -> Money:
        return self.money("delivery_fee")


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # One of the two is set: their indexes are partial (orderline_variant_idx, orderline_configured_idx).
    variant = models.ForeignKey(
        "catalog.Variant", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    configured_sku = models.ForeignKey(
        "catalog.ConfiguredSku", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    sku = models.CharField(_("SKU"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    options = models.JSONField(_("options"), default=dict, blank=True)
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    quantity = models.PositiveIntegerField(_("quantity"))
    line_total = models.DecimalField(_("line total"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="order_line_price_not_negative"),
        ]
        indexes = [
            models.Index(fields=["variant"], name="orderline_variant_idx", condition=Q(variant__isnull=False)),
            models.Index(
                fields=["configured_sku"], name="orderline_configured_idx", condition=Q(configured_sku__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.sku}"


EVENT_KINDS = {  # what happened, as staff read it in the timeline (the code stays in the database)
    "placed": _("placed"),
    "paid": _("paid"),
    "paid_after_cancel": _("paid after cancellation (refunding)"),
    "paid_twice": _("paid a second time (refunding it)"),
    "payment_mismatch": _("payment with another amount (not accepted)"),
    "fulfilling": _("being prepared"),
    "shipped": _("shipped"),
    "delivered": _("delivered"),
    "completed": _("completed"),
    "cancelled": _("cancelled"),
    "refunded": _("refund"),
}


class OrderEvent(models.Model):
    """The order's timeline (shown to the customer)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(_("status"), max_length=20, choices=Order.Status.choices)
    kind = models.CharField(_("what happened"), max_length=40)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # Staff or the customer who acted; NULL for the system and guests (orderevent_actor_idx is partial).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["actor"], name="orderevent_actor_idx", condition=Q(actor__isnull=False))]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.kind}"

    @property
    def kind_label(self) -> str:
        return str(EVENT_KINDS.get(self.kind, self.kind))
