"""The checkout page: step 1 contact and address, step 2 delivery (one page), step 3 review and
confirm; then the payment app's pay page, then the order's receipt page."""

from __future__ import annotations

import secrets
import time
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zizhu.cart import owners, selectors
from zizhu.cart import services as carts
from zizhu.cart.delivery import DEFAULT, OPTIONS
from zizhu.cart.models import Cart
from zizhu.cart.pricing import Quote
from zizhu.checkout import addresses, again, discounts, regions, services
from zizhu.checkout import selectors as checkout_selectors
from zizhu.checkout.forms import NEW, CheckoutForm
from zizhu.core.errors import Conflict, DomainError
from zizhu.orders import access as order_access
from zizhu.orders import selectors as order_selectors
from zizhu.payments import access as payment_access
from zizhu.payments import saved_card_views
from zizhu.payments import selectors as payment_selectors

DETAILS = "checkout.details"
KEY = "checkout.key"


def _cart(request: HttpRequest) -> Cart | None:
    owner = owners.owner(request, create=False)
    return carts.open_cart(owner=owner, create=False) if owner is not None else None


def _delivery_choices(quote: Quote) -> list[tuple[str, str]]:
    build = max((line.product.delivery_days for line in quote.lines if line.kind == "configured"), default=0)
    today = timezone.localdate()
    choices = []
    for option in OPTIONS.values():
        label = _("%(name)s · %(fee)s · arrives about %(date)s") % {
            "name": option.label,
            "fee": option.fee_for(quote.subtotal),
            "date": date_format(option.estimated_date(today=today, build_days=build), "MONTH_DAY_FORMAT"),
        }
        choices.append((option.code, label))
    return choices


def start(request: HttpRequest) -> HttpResponse:
    cart = _cart(request)
    delivery = request.GET.get("delivery") if request.GET.get("delivery") in OPTIONS else None
    saved_details: dict[str, Any] = request.session.get(DETAILS) or {}
    quote = selectors.cart_quote(cart=cart, delivery=delivery or saved_details.get("delivery"))
    if not quote.lines:
        return redirect("cart:cart")
    guest = not request.user.is_authenticated
    saved = list(checkout_selectors.saved_addresses(user=request.user))
    form_kwargs = {"guest": guest, "saved_addresses": saved, "delivery_choices": _delivery_choices(quote)}
    address_status = ""
    if request.method == "POST" and request.POST.get("parse"):
        # "Fill in from the street address" without JavaScript: the same page, the picker filled.
        values, address_status = _filled_from_line(request.POST)
        form = CheckoutForm(initial=values, **form_kwargs)
    elif request.method == "POST":
        form = CheckoutForm(request.POST, **form_kwargs)
        if form.is_valid():
            request.session[DETAILS] = form.cleaned_data["details"]
            return redirect("checkout:review")
    else:
        initial: dict[str, Any] = {"delivery": quote.delivery.code or DEFAULT}
        if saved:
            initial["saved"] = str(saved[0].pk)
        if saved_details:
            initial.update(saved_details.get("contact", {}), **saved_details.get("address", {}))
        form = CheckoutForm(initial=initial, **form_kwargs)
    context = {"form": form, "quote": quote, "guest": guest, "address_status": address_status}
    return render(request, "checkout/start.html", context | _options(form))


def _value(form: CheckoutForm, name: str) -> str:
    value = form[name].value() if name in form.fields else ""
    return value if isinstance(value, str) else ""


def _options(form: CheckoutForm) -> dict[str, list[str]]:
    """The picker's suggestions for what the form holds now (cities of its province, districts of its city)."""
    province, city = _value(form, "province"), _value(form, "city")
    return {"city_options": regions.cities_of(province), "district_options": regions.districts_of(province, city)}


def _filled_from_line(data: Any) -> tuple[dict[str, Any], str]:
    values = {key: data.get(key, "") for key in ("saved", "name", "phone", "email", "delivery", "line")}
    values = {key: value[:300] for key, value in values.items() if isinstance(value, str)}
    found = addresses.parse(values.get("line", ""))
    if not found.found:
        keep = {key: str(data.get(key, ""))[:60] for key in ("province", "city", "district")}
        return values | keep, _("We could not find a province or city in this address. Please choose them.")
    values |= {"province": found.province, "city": found.city, "district": found.district, "line": found.line}
    values["saved"] = NEW if values.get("saved") else ""
    place = " ".join(part for part in (found.province, found.city, found.district) if part)
    return values, _("Filled in: %(place)s. Please check them.") % {"place": place}


def address_options(request: HttpRequest) -> HttpResponse:
    """HTMX: the city and district suggestions for the chosen province and city."""
    province, city = request.GET.get("province", "")[:30], request.GET.get("city", "")[:30]
    context = {"city_options": regions.cities_of(province), "district_options": regions.districts_of(province, city)}
    return render(request, "checkout/partials/address_options.html", context)


@require_POST
def parse_address(request: HttpRequest) -> HttpResponse:
    """HTMX: parse the street address field (a pasted full address) and fill the picker."""
    values, status = _filled_from_line(request.POST)
    saved = list(checkout_selectors.saved_addresses(user=request.user))
    form = CheckoutForm(initial=values, guest=not request.user.is_authenticated, saved_addresses=saved)
    context = {"form": form, "address_status": status} | _options(form)
    return render(request, "checkout/partials/address_parsed.html", context)


def review(request: HttpRequest) -> HttpResponse:
    details = request.session.get(DETAILS)
    cart = _cart(request)
    if not details:
        return redirect("checkout:start")
    quote = selectors.cart_quote(cart=cart, delivery=details.get("delivery"))
    if not quote.lines:
        return redirect("cart:cart")
    voucher_error = ""
    voucher = None
    code = details.get("voucher", "")
    if request.method == "POST":
        code = request.POST.get("voucher", "")[:64].strip().upper()
    if code:
        try:
            voucher = discounts.find_voucher(
                code, subtotal=quote.subtotal, customer=request.user, email=details["contact"].get("email", "")
            )
        except DomainError as exc:
            voucher_error = str(exc.message)
    if request.method == "POST":
        details["voucher"] = voucher.code if voucher else ""
        request.session[DETAILS] = details
        if not voucher_error:
            if voucher:
                messages.success(request, _("The voucher is applied."))
            return redirect("checkout:review")
    priced = discounts.price(quote, voucher=voucher)
    saved_cards = payment_selectors.usable_saved_cards(user=request.user)
    key = request.session.get(KEY) or secrets.token_urlsafe(24)
    request.session[KEY] = key
    context = {
        "details": details,
        "quote": quote,
        "priced": priced,
        "key": key,
        "voucher_code": code,
        "voucher_error": voucher_error,
        # A returning customer's saved cards: "pay with Visa ···4242" (the last used one preselected) makes
        # "Confirm order and pay" the last click (my orders → buy again → confirm).
        "saved_cards": saved_cards,
        "password_free": payment_selectors.password_free_for(user=request.user) if saved_cards else None,
    }
    return render(request, "checkout/review.html", context)


def place(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("checkout:review")
    details = request.session.get(DETAILS)
    if not details:
        return redirect("checkout:start")
    cart = _cart(request)
    try:
        order = _place_once(
            cart=cart,
            customer=request.user,
            contact=services.Contact(**details["contact"]),
            address=services.Address(**details["address"]),
            delivery=details["delivery"],
            idempotency_key=request.POST.get("key", "")[:255] or None,
            idempotency_owner=owners.guest_key(request),
            voucher=details.get("voucher", ""),
            reviewed_total=_decimal_or_none(request.POST.get("total", "")),
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        if exc.code in ("out_of_stock", "cart_problem", "cart_empty"):
            return redirect("cart:cart")
        if exc.code in ("total_changed", "voucher_invalid"):  # shown where the total and the voucher are
            return redirect("checkout:review")
        return redirect("checkout:start")
    request.session.pop(KEY, None)
    order_access.grant(request, order.number)
    if order.customer_id is None:
        payment_access.grant(request, order.payment_number)
    request.session[owners.COUNT_KEY] = 0
    card_id = saved_card_views.card_id_of(request.POST.get("pay_with", "")[:30])
    payment = (
        payment_selectors.get_payment_for(number=order.payment_number, user=request.user)
        if card_id and order.customer_id
        else None
    )
    if payment is not None:
        return saved_card_views.pay_and_redirect(request, payment, card_id)
    return redirect("payments:pay", order.payment_number)


TWIN_WAIT_SECONDS = 5.0


def _decimal_or_none(text: str) -> Decimal | None:
    try:
        value = Decimal(text[:20])
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def _place_once(**details: Any) -> Any:
    """``services.place_order``; when the same form is being placed by an earlier click (same key,
    409 ``idempotency_key_in_use``), wait for it and answer with its order: the browser shows the
    answer to the last click, and that must be the order's payment page, not an error."""
    deadline = time.monotonic() + TWIN_WAIT_SECONDS
    while True:
        try:
            return services.place_order(**details)
        except Conflict as exc:
            if exc.code != "idempotency_key_in_use" or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@require_POST
def buy_again(request: HttpRequest, number: str) -> HttpResponse:
    """Put a past order's items in the cart and go to the review step with its details."""
    order = order_selectors.get_order_for(
        number=number[:20], user=request.user, granted=order_access.granted_numbers(request)
    )
    if order is None:
        raise Http404()
    owner = owners.owner(request, create=True)
    cart = carts.open_cart(owner=owner, create=True)
    assert cart is not None
    outcome = again.buy_again(order=order, cart=cart)
    owners.remember_count(request, cart)
    if not outcome.added:
        messages.error(request, _("None of the items of this order can be bought now."))
        return redirect("orders:detail", order.number)
    if outcome.skipped:
        messages.warning(
            request, _("Some items could not be added again: %(names)s") % {"names": "、".join(outcome.skipped)}
        )
    request.session[DETAILS] = outcome.details
    messages.info(
        request,
        _("Buy again: the items of order %(number)s are in your cart. Check and confirm.") % {"number": order.number},
    )
    return redirect("checkout:review")
