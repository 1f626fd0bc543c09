"""Framework hook: Django's ``user_logged_in`` signal merges a guest's cart into the account
(the work is the cart service ``merge_guest_cart``; not a business flow between apps)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver


@receiver(user_logged_in, dispatch_uid="zizhu.cart.merge_guest_cart")
def merge_guest_cart_on_sign_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is None or not getattr(user, "pk", None) or not hasattr(request, "session"):
        return
    from zizhu.cart import owners, services

    key = owners.guest_key(request)
    if key:
        cart = services.merge_guest_cart(guest_key=key, user=user)
        if cart is not None:
            owners.remember_count(request, cart)
