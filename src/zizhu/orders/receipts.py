"""The e-receipt as a PDF (reportlab; Chinese through the built-in STSong-Light CID font, so no
font file is embedded or fetched)."""

from __future__ import annotations

from io import BytesIO

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from zizhu.orders.models import Order

FONT = "STSong-Light"


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def receipt_pdf(order: Order) -> bytes:
    font = _font()
    buffer = BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    pdf.setTitle(_("Receipt for order %(number)s") % {"number": order.number})
    height = A4[1]
    y = height - 25 * mm

    def line(text: str, size: int = 11, x: float = 20 * mm, gap: float = 7 * mm) -> None:
        nonlocal y
        if y < 25 * mm:
            pdf.showPage()
            y = height - 25 * mm
        pdf.setFont(font, size)
        pdf.drawString(x, y, text)
        y -= gap

    line(_("Zizhu self-service shop · receipt"), 16, gap=10 * mm)
    line(f"{_('Order number')}: {order.number}")
    line(f"{_('Placed at')}: {date_format(timezone.localtime(order.placed_at), 'DATETIME_FORMAT')}")
    if order.paid_at:
        line(f"{_('Paid at')}: {date_format(timezone.localtime(order.paid_at), 'DATETIME_FORMAT')}")
    line(f"{_('Status')}: {order.get_status_display()}")
    line(f"{_('Deliver to')}: {order.contact_name}, {order.province} {order.city} {order.district}", gap=10 * mm)
    for item in order.lines.all():
        line(f"{item.name} ({item.sku}) × {item.quantity}", 11, gap=5 * mm)
        line(f"¥{item.unit_price} × {item.quantity} = ¥{item.line_total}", 10, x=30 * mm)
    y -= 3 * mm
    line(f"{_('Subtotal')}: {order.subtotal_money}")
    if order.discount:
        line(f"{_('Discount')}: -{order.money('discount')}")
    line(f"{_('Delivery')}: {order.delivery_fee_money}")
    line(f"{_('Total')}: {order.total_money}", 14)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
