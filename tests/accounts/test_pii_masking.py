"""Personal data is masked for staff without accounts.view_pii (back office, staff API, export);
every unmasked view by staff is audited exactly once per person shown."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zizhu.accounts import audit
from zizhu.accounts.masking import mask_address, mask_email, mask_phone
from zizhu.accounts.models import AuditRecord

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

PLAIN = ("13800138000", "carol@example.com")
MASKED = ("138****8000", "c***@example.com")


@pytest.fixture
def finance_staff(make_staff):
    return make_staff("finance", email="money@example.com", display_name="财务")


def _pii_views(user=None):
    records = AuditRecord.objects.filter(action__in=[audit.PII_VIEW, audit.PII_EXPORT])
    return records.filter(target_id=str(user.pk)) if user is not None else records


def test_masking_functions():
    assert mask_phone("+8613800138000") == "138****8000"
    assert mask_email("carol@example.com") == "c***@example.com"
    assert mask_address("北京市朝阳区建国路88号3单元502") == "北京市朝阳区****"
    assert mask_address("") == ""


@pytest.mark.parametrize("page", ["list", "detail", "history"])
def test_back_office_pages_mask_for_a_role_without_view_pii(client, finance_staff, phone_customer, page):
    client.force_login(finance_staff)
    url = {
        "list": reverse("admin:accounts_user_changelist"),
        "detail": reverse("admin:accounts_user_change", args=[phone_customer.pk]),
        "history": reverse("admin:accounts_user_history", args=[phone_customer.pk]),
    }[page]
    html = client.get(url).content.decode()
    assert all(plain not in html for plain in PLAIN)
    if page != "history":
        assert all(masked in html for masked in MASKED)
    assert not _pii_views().exists()


def test_customer_service_sees_the_detail_unmasked_and_it_is_audited_once(client, service_staff, phone_customer):
    client.force_login(service_staff)
    response = client.get(
        reverse("admin:accounts_user_change", args=[phone_customer.pk]),
        HTTP_USER_AGENT="Firefox/140",
        HTTP_X_REQUEST_ID="req-abcdef123456",
        REMOTE_ADDR="203.0.113.9",
    )
    html = response.content.decode()
    assert response.status_code == 200 and all(plain in html for plain in PLAIN)
    [record] = _pii_views()
    assert (record.actor_id, record.target_type, record.target_id) == (
        service_staff.pk,
        "accounts.user",
        str(phone_customer.pk),
    )
    assert (record.ip, record.user_agent, record.request_id) == ("203.0.113.9", "Firefox/140", "req-abcdef123456")
    assert record.summary == "backoffice detail"
    # the read-only form for a role that may not edit: no input with the number, only the text
    assert 'name="phone"' not in html


def test_the_list_audits_each_person_shown_once(client, service_staff, phone_customer, customer):
    client.force_login(service_staff)
    html = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert all(plain in html for plain in PLAIN)
    shown = {service_staff.pk, phone_customer.pk, customer.pk}
    assert sorted(int(r.target_id) for r in _pii_views()) == sorted(shown)


def test_back_office_search_by_mobile_number_uses_the_blind_index(client, service_staff, phone_customer, customer):
    client.force_login(service_staff)
    response = client.get(reverse("admin:accounts_user_changelist"), {"q": "138 0013 8000"})
    assert response.context["cl"].result_count == 1
    assert list(response.context["cl"].result_list) == [phone_customer]


def test_staff_api_masks_without_view_pii_and_audits_unmasked_views(
    client, finance_staff, service_staff, phone_customer
):
    url = f"/api/v1/staff/users/{phone_customer.pk}"
    client.force_login(finance_staff)
    body = client.get(url).json()
    assert (body["phone"], body["email"], body["masked"]) == ("138****8000", "c***@example.com", True)
    listing = client.get("/api/v1/staff/users", {"q": "13800138000"}).json()
    assert [person["phone"] for person in listing] == ["138****8000"]
    assert not _pii_views().exists()

    client.force_login(service_staff)
    body = client.get(url).json()
    assert (body["phone"], body["email"], body["masked"]) == ("+8613800138000", "carol@example.com", False)
    assert _pii_views(phone_customer).count() == 1
    client.get("/api/v1/staff/users", {"q": "carol@example.com"})
    assert _pii_views(phone_customer).count() == 2


def test_staff_api_refuses_customers_and_roles_without_view_user(client, customer, warehouse_staff, phone_customer):
    url = f"/api/v1/staff/users/{phone_customer.pk}"
    assert client.get(url).status_code == 401
    client.force_login(customer)
    assert client.get(url).status_code == 403
    assert client.get("/api/v1/staff/users").json()["code"] == "permission_denied"
    client.force_login(warehouse_staff)
    assert client.get(url).status_code == 403


def _export(client, user_ids):
    return client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "export_csv", "_selected_action": [str(pk) for pk in user_ids]},
    )


def test_export_masks_without_view_pii(client, finance_staff, phone_customer):
    client.force_login(finance_staff)
    response = _export(client, [phone_customer.pk])
    text = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv") and "attachment" in response["Content-Disposition"]
    assert all(masked in text for masked in MASKED) and all(plain not in text for plain in PLAIN)
    assert not _pii_views().exists()


def test_unmasked_export_is_audited_per_person_and_neutralises_formulas(
    client, service_staff, phone_customer, make_user
):
    sneaky = make_user("sneaky@example.com", display_name='=HYPERLINK("http://evil")')
    client.force_login(service_staff)
    text = _export(client, [phone_customer.pk, sneaky.pk]).content.decode("utf-8-sig")
    assert "+8613800138000" in text and "carol@example.com" in text
    assert "'=HYPERLINK" in text
    assert sorted(r.target_id for r in AuditRecord.objects.filter(action=audit.PII_EXPORT)) == sorted(
        [str(phone_customer.pk), str(sneaky.pk)]
    )


def test_user_str_never_shows_full_contact_details(make_user):
    assert str(make_user("dave@example.com")) == "d***@example.com"
    assert str(make_user(phone="+8613900139000")) == "139****9000"
