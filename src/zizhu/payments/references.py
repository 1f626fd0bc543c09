"""Whether a reference (an order number) may still be paid, as the app that owns it says.

Payments sit below orders (DESIGN.md §3), so they cannot look at an order; the orders app registers
its answer here when it starts (``OrdersConfig.ready``), as apps register their privacy exporters.
A new payment for a reference, such as "try again" after a declined card, asks first."""

from __future__ import annotations

from collections.abc import Callable

# reference → None when it may be paid, else why not (a translated sentence for the customer)
RefusalCheck = Callable[[str], "str | None"]
_checks: list[RefusalCheck] = []


def register(check: RefusalCheck) -> None:
    if check not in _checks:
        _checks.append(check)


def refusal(reference: str) -> str | None:
    """Why ``reference`` may not be paid any more (e.g. its order was cancelled), or None."""
    for check in _checks:
        reason = check(reference)
        if reason:
            return reason
    return None
