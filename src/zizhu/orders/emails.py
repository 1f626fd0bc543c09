"""The order confirmation e-mail (sent by the ``order.paid`` outbox handler)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from zizhu.orders.access import order_link
from zizhu.orders.models import Order


def site_url() -> str:
    return str(getattr(settings, "ZIZHU_SITE_URL", "http://127.0.0.1:8000")).rstrip("/")


def send_confirmation(*, number: str) -> bool:
    order = Order.objects.select_related("customer").prefetch_related("lines").filter(number=number).first()
    if order is None:
        return False
    to = order.email or (order.customer.email if order.customer is not None else "")
    if not to:
        return False
    language = getattr(order.customer, "language", None) or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {"order": order, "link": site_url() + order_link(order.number)}
        subject = render_to_string("orders/emails/confirmation_subject.txt", context).strip()
        body = render_to_string("orders/emails/confirmation.txt", context)
    send_mail(subject, body, None, [to])
    return True
