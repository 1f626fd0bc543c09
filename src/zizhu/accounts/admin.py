"""Back office for accounts: people (PII masked without accounts.view_pii, unmasked views audited),
staff roles (through the audited service), API tokens and the audit log (read-only, filtered)."""

from __future__ import annotations

import csv
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from zizhu.accounts import audit, pii, selectors, services
from zizhu.accounts.logins import parse_mainland_mobile
from zizhu.accounts.models import ApiToken, AuditRecord, User
from zizhu.accounts.roles import ROLE_LABELS, ROLES, has_permission, role_names
from zizhu.core.errors import DomainError

AUDIT_PAGE_SIZE = 50

# Whether the staff member of the current request sees PII. A context variable, not admin state:
# the ModelAdmin instance is shared by concurrent requests. Masked unless a view sets it.
_sees_pii: ContextVar[bool] = ContextVar("zizhu_admin_sees_pii", default=False)


@contextmanager
def _pii_context(request: HttpRequest) -> Any:
    token = _sees_pii.set(pii.can_see_pii(request.user))
    try:
        yield _sees_pii.get()
    finally:
        _sees_pii.reset(token)


class PhoneFormMixin:
    """The phone as typed in the back office is stored in E.164, unique through its blind index."""

    def clean_phone(self) -> str | None:
        phone = self.cleaned_data.get("phone") or None  # type: ignore[attr-defined]
        if phone:
            normalised = parse_mainland_mobile(phone)
            if normalised is None:
                raise forms.ValidationError(_("Enter a mainland China mobile number (11 digits, starting with 1)."))
            others = User.objects.filter(phone=normalised).exclude(pk=self.instance.pk)  # type: ignore[attr-defined]
            if others.exists():
                raise forms.ValidationError(_("Another account already uses this mobile number."))
            phone = normalised
        return phone


class UserCreationAdminForm(PhoneFormMixin, BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "phone")
        widgets = {"phone": forms.TextInput(attrs={"autocomplete": "off"})}


class UserChangeAdminForm(PhoneFormMixin, UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        widgets = {"phone": forms.TextInput(attrs={"autocomplete": "off"})}


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=gettext_lazy("Roles"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(role, ROLE_LABELS[role]) for role in ROLES],
        help_text=gettext_lazy("A person with no role has no access to the back office."),
    )


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    ordering = ["-date_joined"]
    list_display = ["id", "shown_email", "shown_phone", "display_name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_active", "elder_mode", "language", "groups"]
    search_fields = ["email", "display_name"]
    actions = ["export_csv"]
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "phone", "password1", "password2")}),)
    # Staff status, superuser status and permissions only change through the audited roles page.
    readonly_fields = [
        "shown_email",
        "shown_phone",
        "roles",
        "is_staff",
        "is_superuser",
        "last_login",
        "date_joined",
    ]

    # --- masking -------------------------------------------------------------------------------------
    @admin.display(description=gettext_lazy("e-mail address"))
    def shown_email(self, obj: User) -> str | None:
        return pii.mask_for(_sees_pii.get(), "email", obj.email)

    @admin.display(description=gettext_lazy("mobile number"))
    def shown_phone(self, obj: User) -> str | None:
        return pii.mask_for(_sees_pii.get(), "phone", obj.phone)

    @admin.display(description=gettext_lazy("Roles"))
    def roles(self, obj: User) -> str:
        names = ", ".join(str(ROLE_LABELS[name]) for name in role_names(obj)) or "-"
        if obj.pk is None:
            return names
        url = reverse("admin:accounts_user_roles", args=[obj.pk])
        return format_html('{} · <a href="{}">{}</a>', names, url, _("Change roles"))

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return self.add_fieldsets
        identity = ("email", "phone") if pii.can_see_pii(request.user) else ("shown_email", "shown_phone")
        return (
            (None, {"fields": (*identity, "password")}),
            (_("Profile"), {"fields": ("display_name", "language", "elder_mode")}),
            (_("Staff"), {"fields": ("is_active", "is_staff", "is_superuser", "roles")}),
            (_("Dates"), {"fields": ("last_login", "date_joined")}),
        )

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str) -> Any:
        phone = parse_mainland_mobile(search_term or "")
        if phone:  # a mobile number is found through its blind index, never by scanning ciphertext
            return queryset.filter(phone=phone), False
        return super().get_search_results(request, queryset, search_term)

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        with _pii_context(request) as sees_pii:
            response = super().changelist_view(request, extra_context)
            changelist = (getattr(response, "context_data", None) or {}).get("cl")
            if changelist is not None:
                if sees_pii:
                    pii.audit_pii_view(
                        viewer=request.user,
                        users=list(changelist.result_list),
                        request=request,
                        channel="backoffice list",
                    )
                response.render()  # inside the context: the rows are rendered with this request's masking
        return response

    def render_change_form(
        self, request: HttpRequest, context: Any, add: bool = False, change: bool = False, form_url: str = "", obj=None
    ) -> Any:
        with _pii_context(request) as sees_pii:
            if obj is not None and sees_pii:
                pii.audit_pii_view(viewer=request.user, users=[obj], request=request, channel="backoffice detail")
            response = super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)
            return response.render()

    # --- who may edit whom -----------------------------------------------------------------------------
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Only a superuser edits another staff member's account (its e-mail, phone or password would
        let the editor take it over); everyone else may only view it."""
        other_staff = obj is not None and (obj.is_staff or obj.is_superuser) and obj.pk != request.user.pk
        if other_staff and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            target = self.get_object(request, id)
            audit.record(actor=request.user, action=audit.PASSWORD_SET, target=target, request=request)
        return response

    # --- export --------------------------------------------------------------------------------------
    @admin.action(description=gettext_lazy("Export the selected people (CSV)"), permissions=["view"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse:
        people = pii.people_for_staff(
            viewer=request.user,
            users=list(queryset.prefetch_related("groups").order_by("pk")),
            request=request,
            channel="backoffice export",
            action=audit.PII_EXPORT,
        )
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = f'attachment; filename="people-{stamp}.csv"'
        response.write("\ufeff")  # so spreadsheet programs read UTF-8 (Chinese names)
        writer = csv.writer(response)
        writer.writerow(["id", "email", "phone", "display_name", "roles", "is_staff", "is_active", "date_joined"])
        for person in people:
            writer.writerow(
                [
                    person.id,
                    person.email or "",
                    person.phone or "",
                    _csv_safe(person.display_name),
                    " ".join(person.roles),
                    person.is_staff,
                    person.is_active,
                    person.date_joined.isoformat(),
                ]
            )
        return response

    # --- roles page ----------------------------------------------------------------------------------
    def get_urls(self) -> list[Any]:
        custom = [
            path(
                "<int:user_id>/roles/",
                self.admin_site.admin_view(self.roles_view),
                name="accounts_user_roles",
            )
        ]
        return custom + super().get_urls()

    def roles_view(self, request: HttpRequest, user_id: int) -> HttpResponse:
        if not has_permission(request.user, "accounts.change_roles"):
            raise_denied()
        member = User.objects.prefetch_related("groups").filter(pk=user_id).first()
        if member is None:
            return HttpResponseRedirect(reverse("admin:accounts_user_changelist"))
        form = RolesForm(request.POST if request.method == "POST" else None, initial={"roles": role_names(member)})
        status = 200
        if request.method == "POST" and form.is_valid():
            try:
                services.set_staff_roles(
                    actor=request.user, member_id=member.pk, roles=form.cleaned_data["roles"], request=request
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status
            else:
                messages.success(request, _("The roles were saved."))
                return HttpResponseRedirect(reverse("admin:accounts_user_change", args=[member.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Roles of %(person)s") % {"person": member},
            "member": member,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "accounts/admin/roles.html", context, status=status)


def raise_denied() -> None:
    from django.core.exceptions import PermissionDenied as DjangoPermissionDenied

    raise DjangoPermissionDenied


def _csv_safe(text: str) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas: prefix them with a quote."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix"]
    readonly_fields = ["user", "prefix", "key_hash", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False


class AuditFilterForm(forms.Form):
    actor = forms.CharField(
        label=gettext_lazy("Actor"),
        required=False,
        max_length=254,
        help_text=gettext_lazy("User id, e-mail address or mobile number."),
    )
    action = forms.ChoiceField(label=gettext_lazy("Action"), required=False)
    target_type = forms.CharField(
        label=gettext_lazy("Target type"), required=False, max_length=100, help_text=gettext_lazy("E.g. accounts.user")
    )
    target_id = forms.CharField(label=gettext_lazy("Target id"), required=False, max_length=64)
    date_from = forms.DateField(
        label=gettext_lazy("Date from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=gettext_lazy("Date to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, actions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("Any action")), *((a, a) for a in actions)]


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
    """The audit log: a filter page instead of the generic list; nothing can be added, changed or deleted."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[Any]:
        return [
            path("", self.admin_site.admin_view(self.changelist_view), name="accounts_auditrecord_changelist"),
        ]

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        if not has_permission(request.user, "accounts.view_auditrecord"):
            raise_denied()
        form = AuditFilterForm(request.GET or None, actions=selectors.audit_actions())
        filters = form.cleaned_data if form.is_valid() else {}
        records = selectors.audit_records(viewer=request.user, **{k: v for k, v in filters.items() if v})
        page = Paginator(records, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Audit log"),
            "opts": self.model._meta,
            "form": form,
            "page": page,
            "query": query.urlencode(),
        }
        return TemplateResponse(request, "accounts/admin/audit_log.html", context)


admin.site.unregister(Group)


@admin.register(Group)
class RoleAwareGroupAdmin(GroupAdmin):
    """The role groups are defined in code (zizhu.accounts.roles) and synced after every migrate:
    they are shown read-only, so nobody edits a role by hand and is surprised when it reverts."""

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return (obj is None or obj.name not in ROLES) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return (obj is None or obj.name not in ROLES) and super().has_delete_permission(request, obj)


def backoffice_login(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """The back office signs in through the shop's sign-in page, so lockout, rate limits and the
    second factor apply to staff too (the admin's own login form would skip them)."""
    from django.contrib.auth.views import redirect_to_login
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.GET.get("next") or reverse("admin:index")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("admin:index")
    if request.user.is_authenticated and request.user.is_staff:
        return HttpResponseRedirect(target)
    return redirect_to_login(target, login_url=reverse("accounts:signin"))


admin.site.login = backoffice_login  # type: ignore[method-assign]

# Second-factor secrets (TOTP keys, backup codes) are nobody's business in the back office.
for _otp_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_otp_model):
        admin.site.unregister(_otp_model)
