"""The e-receipt as a PDF (reportlab; Chinese through the built-in STSong-Light CID font, so no
font file is embedded or fetched)."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from zizhu.orders import selectors
from zizhu.orders.models import Order

FONT = "STSong-Light"


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


@dataclass(frozen=True)
class Line:
    text: str
    size: int = 11
    indent: float = 0  # mm beyond the margin
    gap: float = 7  # mm down to the next line


def receipt_lines(order: Order) -> list[Line]:
    """What the receipt says, line by line (``receipt_pdf`` lays it out)."""
    lines = [Line(_("Zizhu self-service shop · receipt"), 16, gap=10)]
    if order.status in (Order.Status.PENDING_PAYMENT, Order.Status.CANCELLED):
        # Not proof of a purchase: it says so at the top, before anything else is read.
        mark = _("NOT PAID: this order is waiting for payment.")
        if order.status == Order.Status.CANCELLED:
            mark = _("CANCELLED: this order was cancelled.")
        lines.append(Line(mark, 13, gap=9))
    lines.append(Line(f"{_('Order number')}: {order.number}"))
    lines.append(Line(f"{_('Placed at')}: {date_format(timezone.localtime(order.placed_at), 'DATETIME_FORMAT')}"))
    if order.paid_at:
        lines.append(Line(f"{_('Paid at')}: {date_format(timezone.localtime(order.paid_at), 'DATETIME_FORMAT')}"))
    lines.append(Line(f"{_('Status')}: {order.get_status_display()}"))
    place = f"{order.contact_name}, {order.province} {order.city} {order.district}"
    lines.append(Line(f"{_('Deliver to')}: {place}", gap=10))
    for item in order.lines.all():
        lines.append(Line(f"{item.name} ({item.sku}) × {item.quantity}", gap=5))
        lines.append(Line(f"¥{item.unit_price} × {item.quantity} = ¥{item.line_total}", 10, indent=10, gap=10))
    lines.append(Line(f"{_('Subtotal')}: {order.subtotal_money}"))
    if order.discount:
        lines.append(Line(f"{_('Discount')}: -{order.money('discount')}"))
    lines.append(Line(f"{_('Delivery')}: {order.delivery_fee_money}"))
    lines.append(Line(f"{_('Total')}: {order.total_money}", 14))
    refunded = selectors.refunded(order)
    if refunded.amount:
        lines.append(Line(f"{_('Refunded')}: -{refunded}"))
    return lines


def receipt_pdf(order: Order) -> bytes:
    font = _font()
    buffer = BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(_("Receipt for order %(number)s") % {"number": order.number})
    top = A4[1] - 25 * mm
    y = top
    for line in receipt_lines(order):
        if y < 25 * mm:
            pdf.showPage()
            y = top
        pdf.setFont(font, line.size)
        pdf.drawString((20 + line.indent) * mm, y, line.text)
        y -= line.gap * mm
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
