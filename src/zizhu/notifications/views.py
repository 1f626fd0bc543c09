"""The inbox page, marking messages read, and the notification settings form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zizhu.accounts.views import safe_next
from zizhu.core.errors import NotFound
from zizhu.notifications import selectors, services
from zizhu.notifications.forms import SettingsForm


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "notifications/inbox.html", {"items": selectors.inbox(customer=request.user)})


@login_required
@require_POST
def mark_read(request: HttpRequest, message_id: int) -> HttpResponse:
    try:
        message = services.mark_read(customer=request.user, message_id=message_id)
    except NotFound as exc:
        return HttpResponse(str(exc.message), status=404)
    if request.headers.get("HX-Request"):
        # the message in place, and the sentence in the page's status region (announced)
        return render(request, "notifications/partials/message_read.html", {"message": message})
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    services.mark_all_read(customer=request.user)
    messages.success(request, _("All messages are marked as read."))
    return redirect("notifications:inbox")


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    current = selectors.settings_for(customer=request.user)
    initial = {"digests": current.digests, "digest_email": current.digest_email}
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.update_settings(customer=request.user, **form.cleaned_data)
        messages.success(request, _("Your notification settings are saved."))
        return redirect(safe_next(request, reverse("notifications:settings")))
    return render(request, "notifications/settings.html", {"form": form})
