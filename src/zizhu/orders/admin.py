"""Back office for orders: read-only records, moved on only through ``zizhu.orders.services`` (the
timeline, stock and outbox events stay right). Staff move paid orders through fulfilment (warehouse:
``orders.fulfil_order``) or cancel them for a customer (customer service: ``orders.cancel_order``;
paid ones are refunded). The customer's name and e-mail are masked without ``accounts.view_pii``;
an unmasked order page is audited."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from zizhu.accounts import audit, pii
from zizhu.accounts.masking import mask_name
from zizhu.cart.delivery import OPTIONS, get_option
from zizhu.core.errors import DomainError
from zizhu.orders import services
from zizhu.orders.models import Order, OrderEvent, OrderLine

PII_FIELDS = ("contact_name", "email", "customer")
HIDDEN_FIELDS = ("contact_phone", "address_line")  # never shown here: the label printer has them
_sees_pii: ContextVar[bool] = ContextVar("orders_admin_sees_pii", default=False)


class _PartOfTheOrder(admin.TabularInline):
    """Lines and timeline: read-only, shown to whoever may view the order."""

    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return bool(request.user.has_perm("orders.view_order"))

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class LineInline(_PartOfTheOrder):
    model = OrderLine
    fields = ["sku", "name", "quantity", "unit_price", "line_total"]
    readonly_fields = fields


class EventInline(_PartOfTheOrder):
    model = OrderEvent
    fields = ["created_at", "status", "what", "note", "by"]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("what happened"))
    def what(self, event: OrderEvent) -> str:
        return event.kind_label

    @admin.display(description=gettext_lazy("by"))
    def by(self, event: OrderEvent) -> str:
        """Staff by name; the customer (who cancelled, say) masked for roles without personal data."""
        actor = event.actor
        if actor is None:
            return "-"
        if actor.is_staff or _sees_pii.get():
            return actor.display_name or str(actor.pk)
        return _("customer %(name)s") % {"name": mask_name(actor.display_name)}


def _apply(request: HttpRequest, orders: QuerySet[Order], step: Callable[[Order], Order], modeladmin: Any) -> int:
    """Run ``step`` on each order; warn, in words, why an order did not move. Returns how many
    changed status (an order already where the step leads is not counted)."""
    moved = 0
    for order in orders:
        try:
            after = step(order)
        except DomainError as exc:
            modeladmin.message_user(request, f"{order.number}: {exc.message}", messages.WARNING)
        else:
            moved += after.status != order.status
    return moved


def _report(request: HttpRequest, modeladmin: Any, text: str) -> None:
    modeladmin.message_user(request, text, messages.SUCCESS)


def _fulfilment_action(step_name: str, description: Any) -> Callable[..., None]:
    """An admin action running ``services.<step_name>`` (one step of fulfilment) on each order."""
    step = getattr(services, step_name)

    @admin.action(description=description, permissions=["fulfil"])
    def action(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        moved = _apply(request, queryset, lambda order: step(order=order, actor=request.user), modeladmin)
        if moved:
            text = ngettext("%(count)s order moved on.", "%(count)s orders moved on.", moved) % {"count": moved}
            _report(request, modeladmin, text)

    action.__name__ = step_name
    return action


class DeliveryFilter(admin.SimpleListFilter):
    """The delivery options by their names (the column holds their codes)."""

    title = gettext_lazy("delivery")
    parameter_name = "delivery_method"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(code, str(option.label)) for code, option in OPTIONS.items()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Order]) -> QuerySet[Order]:
        return queryset.filter(delivery_method=self.value()) if self.value() else queryset


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["number", "status", "total", "currency", "placed_at", "paid_at"]
    list_filter = ["status", DeliveryFilter]
    search_fields = ["number", "payment_number"]
    date_hierarchy = "placed_at"
    inlines = [LineInline, EventInline]
    actions = [
        _fulfilment_action("start_fulfilment", gettext_lazy("Start preparing the selected orders")),
        _fulfilment_action("mark_shipped", gettext_lazy("Mark the selected orders shipped")),
        _fulfilment_action("mark_delivered", gettext_lazy("Mark the selected orders delivered")),
        _fulfilment_action("complete", gettext_lazy("Complete the selected orders")),
        "cancel",
    ]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        names = [f.name for f in Order._meta.fields if f.name not in HIDDEN_FIELDS and f.name != "id"]
        names = ["delivery" if name == "delivery_method" else name for name in names]
        if pii.can_see_pii(request.user):
            return names
        return [f"shown_{name}" if name in PII_FIELDS else name for name in names]

    def lookup_allowed(self, lookup: str, value: Any, request: Any = None) -> bool:
        """No filtering on personal data without seeing it: ``?contact_name__startswith=张`` one
        character at a time would read a masked name back from the result counts."""
        personal = lookup.split("__", 1)[0] in (*PII_FIELDS, *HIDDEN_FIELDS)
        if personal and not (request is not None and pii.can_see_pii(request.user)):
            return False
        return bool(super().lookup_allowed(lookup, value, request))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        token = _sees_pii.set(pii.can_see_pii(request.user))  # the timeline's "by" column reads it
        try:
            response = super().changeform_view(request, object_id, form_url, extra_context)
            if hasattr(response, "render"):
                response.render()
            return response
        finally:
            _sees_pii.reset(token)

    @admin.display(description=gettext_lazy("delivery"))
    def delivery(self, obj: Order) -> str:
        option = get_option(obj.delivery_method)
        return str(option.label) if option is not None else obj.delivery_method

    @admin.display(description=gettext_lazy("customer"))
    def shown_customer(self, obj: Order) -> str:
        return mask_name(obj.customer.display_name) if obj.customer_id else "-"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return self.get_fields(request, obj)

    @admin.display(description=gettext_lazy("name"))
    def shown_contact_name(self, obj: Order) -> str:
        return mask_name(obj.contact_name)

    @admin.display(description=gettext_lazy("e-mail address"))
    def shown_email(self, obj: Order) -> str | None:
        return pii.mask_for(False, "email", obj.email)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and pii.can_see_pii(request.user):
            audit.record(
                actor=request.user, action=audit.PII_VIEW, target=obj, summary="backoffice order", request=request
            )
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the record itself never changes here; the actions move it on

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_fulfil_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("orders.fulfil_order"))

    def has_cancel_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("orders.cancel_order"))

    @admin.action(
        description=gettext_lazy("Cancel the selected orders (paid ones are refunded)"), permissions=["cancel"]
    )
    def cancel(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        reason = _("Cancelled by our staff")
        step = lambda order: services.cancel_order(  # noqa: E731
            order=order, actor=request.user, by_customer=False, reason=reason
        )
        cancelled = _apply(request, queryset, step, self)
        if cancelled:
            text = ngettext("%(count)s order cancelled.", "%(count)s orders cancelled.", cancelled)
            _report(request, self, text % {"count": cancelled})
