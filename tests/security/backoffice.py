"""The back office's URLs, enumerated from the admin site (never a hand list), with the permission
each one needs, so the sweeps can say who must be refused."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.contrib import admin
from django.urls import URLPattern, URLResolver

PREFIX = "/backoffice/"
MISSING_ID = 987654321

# The standard ModelAdmin views → the permissions (any one of them) that open them, per method.
STANDARD: dict[str, dict[str, tuple[str, ...]]] = {
    "changelist": {"GET": ("view", "change"), "POST": ("view", "change")},
    "add": {"GET": ("add",), "POST": ("add",)},
    "change": {"GET": ("view", "change"), "POST": ("change",)},
    "delete": {"GET": ("delete",), "POST": ("delete",)},
    "history": {"GET": ("view", "change"), "POST": ("view", "change")},
}
# Views a ModelAdmin adds of its own (URL name → the full permission names that open them). A new
# custom view without an entry here fails the sweep by name.
CUSTOM: dict[str, tuple[str, ...]] = {
    "accounts_user_roles": ("accounts.change_roles",),
    "auth_user_password_change": ("accounts.change_user",),  # Django's set-password form of UserAdmin
    "payments_payment_refund": ("payments.add_refund",),
    "payments_riskassessment_approve": ("payments.review_payment",),  # the risk review queue's decisions
    "payments_riskassessment_reject": ("payments.review_payment",),
}


@dataclass(frozen=True)
class AdminUrl:
    name: str
    url: str
    model: Any
    kind: str  # changelist, add, change, delete, history or custom
    has_object: bool

    def needs(self, method: str) -> tuple[str, ...]:
        """The permissions (any one) a staff member needs for this URL and method."""
        if self.kind == "custom":
            return CUSTOM[self.name]
        opts = self.model._meta
        return tuple(f"{opts.app_label}.{verb}_{opts.model_name}" for verb in STANDARD[self.kind][method])


def _object_id(model: Any) -> tuple[int | str, bool]:
    first = model._default_manager.order_by("pk").first()
    return (first.pk, True) if first is not None else (MISSING_ID, False)


def model_admin_urls() -> list[AdminUrl]:
    """Every URL of every registered ModelAdmin, with a real object's id where one exists."""
    found = []
    for model, model_admin in admin.site._registry.items():
        object_id, exists = _object_id(model)
        base = f"{PREFIX}{model._meta.app_label}/{model._meta.model_name}/"
        for pattern in model_admin.urls:
            if not isinstance(pattern, URLPattern) or not pattern.name:
                continue  # the catch-all redirect of old-style object URLs
            kind = pattern.name.rsplit("_", 1)[-1]
            kind = kind if kind in STANDARD and pattern.name.endswith(f"_{model._meta.model_name}_{kind}") else "custom"
            route = re.sub(r"<(?:\w+:)?\w+>", str(object_id), str(pattern.pattern))
            found.append(AdminUrl(pattern.name, base + route, model, kind, exists))
    return found


def site_urls() -> list[tuple[str, str]]:
    """(name, path) of the admin site's own views (index, app lists, password change, ...)."""
    found = []
    for pattern in admin.site.get_urls():
        if isinstance(pattern, URLResolver):
            continue
        route = str(pattern.pattern)
        if "app_label" in route:
            route = "accounts/"
        elif "content_type_id" in route:
            route = "r/1/1/"
        elif "<path:url>" in route or ".*" in route:
            continue  # the catch-all (its model URLs are enumerated above)
        found.append((pattern.name or "", PREFIX + route))
    return found
