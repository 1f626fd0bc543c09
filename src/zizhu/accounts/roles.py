"""Staff roles: Django groups with the least permissions each job needs (DESIGN.md §6).

The roles and their permissions are declared here (and, for apps that come later, in a
``ROLE_PERMISSIONS`` dict of their own ``zizhu.<app>.roles`` module). A data migration creates
the groups; :func:`sync_roles` runs after every ``migrate`` so permissions of apps migrated later
are attached too. The declaration is the truth: permissions added to a role group by hand in the
back office are removed by the next sync.

Services and selectors check permissions with :func:`require_permission`, not only the admin.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import Any

from django.apps import apps as global_apps
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zizhu.core.errors import PermissionDenied

CUSTOMER_SERVICE = "customer_service"
WAREHOUSE = "warehouse"
MERCHANDISER = "merchandiser"
FINANCE = "finance"
ADMIN = "admin"
ROLES = (CUSTOMER_SERVICE, WAREHOUSE, MERCHANDISER, FINANCE, ADMIN)
ROLE_LABELS = {
    CUSTOMER_SERVICE: gettext_lazy("Customer service"),
    WAREHOUSE: gettext_lazy("Warehouse"),
    MERCHANDISER: gettext_lazy("Merchandiser"),
    FINANCE: gettext_lazy("Finance"),
    ADMIN: gettext_lazy("Administrator"),
}

_CATALOG_EDITABLE = [
    "category",
    "brand",
    "product",
    "productimage",
    "attribute",
    "attributevalue",
    "variant",
    "variantvalue",
    "optiongroup",
    "option",
    "rule",
]


def _crud(app: str, models: Iterable[str], verbs: Iterable[str] = ("add", "change", "delete", "view")) -> list[str]:
    return [f"{app}.{verb}_{model}" for model in models for verb in verbs]


# Role → "app_label.codename". Permissions of apps not installed (yet) are skipped.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    # Talks to customers: sees who they are (unmasked, audited) and what they bought.
    CUSTOMER_SERVICE: [
        "accounts.view_user",
        "accounts.view_pii",
        "catalog.view_product",
        "catalog.view_variant",
        "catalog.view_configuredsku",
    ],
    # Picks and packs: products and SKUs; no customer data (labels are printed by fulfilment).
    WAREHOUSE: ["catalog.view_product", "catalog.view_variant", "catalog.view_configuredsku"],
    # Runs the catalogue: edits products and their parts; sees the search vocabulary.
    MERCHANDISER: [
        *_crud("catalog", _CATALOG_EDITABLE),
        "catalog.view_configuredsku",
        "search.view_searchterm",
        "search.view_searchsuggestion",
    ],
    # Money: customers' accounts (masked) and products' prices; payments add refunds.
    FINANCE: ["accounts.view_user", "catalog.view_product", "catalog.view_variant", "catalog.view_configuredsku"],
    # Runs the shop's staff and data: accounts, roles, audit log, outbox, catalogue. Not a superuser:
    # no editing of groups or permissions themselves.
    ADMIN: [
        "accounts.view_user",
        "accounts.change_user",
        "accounts.view_pii",
        "accounts.change_roles",
        "accounts.view_auditrecord",
        "accounts.view_apitoken",
        "accounts.change_apitoken",
        "core.view_outboxevent",
        *_crud("catalog", _CATALOG_EDITABLE),
        "catalog.view_configuredsku",
        "catalog.view_behaviourevent",
        "search.view_searchterm",
        "search.view_searchsuggestion",
    ],
}


def declared_permissions() -> dict[str, set[str]]:
    """This module's declaration merged with ``ROLE_PERMISSIONS`` of other apps' ``roles`` modules."""
    merged = {role: set(perms) for role, perms in ROLE_PERMISSIONS.items()}
    for config in global_apps.get_app_configs():
        if config.name == __name__.rpartition(".")[0] or not config.name.startswith("zizhu."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.roles")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.roles":
                raise
            continue
        for role, perms in getattr(module, "ROLE_PERMISSIONS", {}).items():
            if role not in merged:
                raise ValueError(f"{config.name}.roles names an unknown role {role!r}")
            merged[role].update(perms)
    return merged


def sync_roles(apps: Any = None, using: str = "default") -> dict[str, int]:
    """Create the role groups and give each exactly its declared permissions that exist now."""
    registry = apps or global_apps
    group_model = registry.get_model("auth", "Group")
    permission_model = registry.get_model("auth", "Permission")
    wanted = declared_permissions()
    all_codes = {code for codes in wanted.values() for code in codes}
    app_labels = {code.partition(".")[0] for code in all_codes}
    existing = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in permission_model.objects.using(using)
        .filter(content_type__app_label__in=app_labels)
        .values_list("pk", "content_type__app_label", "codename")
    }
    counts: dict[str, int] = {}
    for role in ROLES:
        group, _created = group_model.objects.using(using).get_or_create(name=role)
        ids = sorted(existing[code] for code in wanted[role] if code in existing)
        group.permissions.set(ids)
        counts[role] = len(ids)
    return counts


def sync_roles_after_migrate(sender: Any, app_config: Any = None, using: str = "default", **kwargs: Any) -> None:
    """post_migrate hook (also sent after a test flush): once an app named in a role has its
    permissions created (Django's own post_migrate handler runs first), sync the roles."""
    labels = {code.partition(".")[0] for codes in declared_permissions().values() for code in codes}
    if app_config is None or app_config.label not in labels | {"auth"}:
        return
    sync_roles(using=using)


def role_names(user: Any) -> list[str]:
    """The user's staff roles (uses prefetched ``groups`` when present)."""
    return sorted(group.name for group in user.groups.all() if group.name in ROLES)


def require_staff(user: Any) -> None:
    if not (getattr(user, "is_authenticated", False) and user.is_active and user.is_staff):
        raise PermissionDenied(_("This is for shop staff only."))


def require_permission(user: Any, *perms: str) -> None:
    """Raise PermissionDenied unless ``user`` is active staff holding every permission named."""
    require_staff(user)
    if not user.has_perms(perms):
        raise PermissionDenied(_("Your role does not allow this."))


def has_permission(user: Any, perm: str) -> bool:
    try:
        require_permission(user, perm)
    except PermissionDenied:
        return False
    return True
