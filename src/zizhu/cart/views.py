"""Cart pages: the cart (stock status, total with delivery from the start) and the add/change/remove forms."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zizhu.cart import owners, selectors, services
from zizhu.cart.delivery import OPTIONS
from zizhu.cart.models import Cart
from zizhu.cart.services import ConfirmationRequired
from zizhu.core.errors import DomainError

CONFIRM = "cart.confirm"


def _cart(request: HttpRequest, *, create: bool) -> Cart | None:
    owner = owners.owner(request, create=create)
    return services.open_cart(owner=owner, create=create) if owner is not None else None


def cart_page(request: HttpRequest) -> HttpResponse:
    cart = _cart(request, create=False)
    delivery = request.GET.get("delivery") if request.GET.get("delivery") in OPTIONS else None
    quote = selectors.cart_quote(cart=cart, delivery=delivery)
    if request.session.get(owners.COUNT_KEY, 0) != quote.item_count and (cart or request.session.session_key):
        request.session[owners.COUNT_KEY] = quote.item_count
    options = [(option, option.fee_for(quote.subtotal)) for option in OPTIONS.values()]
    return render(
        request,
        "cart/cart.html",
        {"quote": quote, "options": options, "confirm": request.session.pop(CONFIRM, None)},
    )


def _to_cart(request: HttpRequest) -> HttpResponse:
    if request.headers.get("HX-Request"):
        return HttpResponse(headers={"HX-Redirect": reverse("cart:cart")})
    return redirect("cart:cart")


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if not (target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())):
        target = reverse("cart:cart")
    # a button inside an HTMX form (the configurator): navigate. One-click forms (recommendations, swap=1)
    # follow the redirect themselves and take the message, cart link and cart lines from the page.
    if request.headers.get("HX-Request") and request.POST.get("swap") != "1":
        return HttpResponse(headers={"HX-Redirect": target})
    return redirect(target)


@require_POST
def add(request: HttpRequest) -> HttpResponse:
    cart = _cart(request, create=True)
    assert cart is not None
    sku = request.POST.get("sku", "")
    quantity = request.POST.get("quantity", "1")
    try:
        services.add_item(cart=cart, sku=sku, quantity=quantity, confirmed=request.POST.get("confirm") == "1")
    except ConfirmationRequired as exc:
        # The question is asked on the cart page (a form with "yes" and "no"): no JavaScript needed.
        request.session[CONFIRM] = {
            "action": reverse("cart:add"),
            "sku": sku[:64],
            "quantity": str(quantity)[:6],
            "message": str(exc.message),
        }
        return _to_cart(request)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return _back(request)
    owners.remember_count(request, cart)
    messages.success(request, _("Added to your cart."))
    return _back(request)


@require_POST
def change(request: HttpRequest, line_id: int) -> HttpResponse:
    cart = _cart(request, create=False)
    try:
        if cart is None:
            raise services.NotFound()
        if request.POST.get("remove") == "1":
            services.remove_line(cart=cart, line_id=line_id)
            messages.success(request, _("Removed from your cart."))
        else:
            services.set_quantity(
                cart=cart,
                line_id=line_id,
                quantity=request.POST.get("quantity", ""),
                confirmed=request.POST.get("confirm") == "1",
            )
            messages.success(request, _("Quantity updated."))
    except ConfirmationRequired as exc:
        # Asked on the cart page like when adding; "yes" posts the same quantity back here.
        request.session[CONFIRM] = {
            "action": reverse("cart:change", args=[line_id]),
            "quantity": str(request.POST.get("quantity", ""))[:6],
            "message": str(exc.message),
        }
    except services.NotFound as exc:
        # Not a line of this cart (another customer's id, or already removed): the cart with the
        # message and a 404, nothing changed, rather than a redirect that reads like success.
        messages.error(request, str(exc.message))
        response = cart_page(request)
        response.status_code = exc.status
        return response
    except DomainError as exc:
        messages.error(request, str(exc.message))
    owners.remember_count(request, cart)
    return redirect("cart:cart")
