"""Order pages: the account's order list, and the order / e-receipt page with its timeline."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zizhu.core.errors import DomainError
from zizhu.orders import access, selectors, services
from zizhu.orders.models import Order
from zizhu.payments.risk import selectors as payment_risk


def _order_or_404(request: HttpRequest, number: str) -> Order:
    token = request.GET.get("t", "")
    if token:
        access.redeem(request, number, token)
    order = selectors.get_order_for(number=number[:20], user=request.user, granted=access.granted_numbers(request))
    if order is None:
        raise Http404()
    return order


@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    orders = selectors.orders_of(user=request.user)[:100]
    return render(request, "orders/list.html", {"orders": orders})


def detail(request: HttpRequest, number: str) -> HttpResponse:
    order = _order_or_404(request, number)
    return render(
        request,
        "orders/detail.html",
        {
            "order": order,
            "can_cancel": services.can_customer_cancel(order),
            "S": Order.Status,
            "review": payment_risk.review_state(reference=order.number),
            "refunded": selectors.refunded(order),
        },
    )


def receipt_pdf(request: HttpRequest, number: str) -> HttpResponse:
    from zizhu.orders.receipts import receipt_pdf as render_pdf

    order = _order_or_404(request, number)
    response = HttpResponse(render_pdf(order), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="receipt-{order.number}.pdf"'
    return response


@require_POST
def cancel(request: HttpRequest, number: str) -> HttpResponse:
    order = _order_or_404(request, number)
    try:
        services.cancel_order(order=order, actor=request.user, by_customer=True)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The order is cancelled. Any payment is refunded automatically."))
    return redirect("orders:detail", order.number)
