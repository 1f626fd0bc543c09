"""The digest settings form on the account page (accounts' view knows nothing of notifications)."""

from __future__ import annotations

from typing import Any

from django import template

from zizhu.notifications import selectors
from zizhu.notifications.forms import SettingsForm

register = template.Library()


@register.inclusion_tag("notifications/partials/settings_form.html", takes_context=True)
def notification_settings_form(context: dict[str, Any]) -> dict[str, Any]:
    request = context["request"]
    current = selectors.settings_for(customer=request.user)
    form = SettingsForm(initial={"digests": current.digests, "digest_email": current.digest_email})
    return {"form": form, "csrf_token": context.get("csrf_token"), "request": request}
