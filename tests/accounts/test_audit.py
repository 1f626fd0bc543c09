"""The audit log: append-only (model and PostgreSQL trigger), staff sign-ins, the admins' audit page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from zizhu.accounts import audit
from zizhu.accounts.models import AppendOnlyError, AuditRecord

pytestmark = [pytest.mark.django_db]
AUDIT_PAGE = "/backoffice/accounts/auditrecord/"


@pytest.mark.smoke
def test_records_cannot_be_changed_or_deleted_through_the_orm(admin_staff, customer):
    entry = audit.record(actor=admin_staff, action="payment.refund", target=customer, summary="¥19.90")
    entry.summary = "nothing happened"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditRecord.objects.filter(pk=entry.pk).update(summary="x")
    with pytest.raises(AppendOnlyError):
        AuditRecord.objects.all().delete()
    assert AuditRecord.objects.get(pk=entry.pk).summary == "¥19.90"


@pytest.mark.postgres
def test_postgresql_refuses_update_and_delete_of_audit_rows(admin_staff, customer):
    entry = audit.record(actor=admin_staff, action="payment.refund", target=customer, summary="¥19.90")
    for sql in (
        "UPDATE accounts_auditrecord SET summary = 'x' WHERE id = %s",
        "DELETE FROM accounts_auditrecord WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    assert AuditRecord.objects.get(pk=entry.pk).summary == "¥19.90"


@pytest.mark.smoke
def test_deleting_a_person_keeps_their_audit_trail(admin_staff, make_user):
    leaver = make_user("leaver@example.com", is_staff=True)
    audit.record(actor=leaver, action="payment.refund", target_type="payments.refund", target_id="R1")
    leaver.delete()
    entry = AuditRecord.objects.get(target_id="R1")
    assert entry.actor_id is not None and entry.actor_label == "l***@example.com"


@pytest.mark.smoke
def test_staff_sign_in_is_audited_once_and_customer_sign_in_is_not(client, admin_staff, customer, password):
    client.post(reverse("accounts:signin"), {"username": "alice@example.com", "password": password})
    client.post(reverse("accounts:signout"))
    assert not AuditRecord.objects.exists()
    client.post(
        reverse("accounts:signin"), {"username": "boss@example.com", "password": password}, REMOTE_ADDR="198.51.100.7"
    )
    [entry] = AuditRecord.objects.all()
    assert (entry.action, entry.actor_id, entry.ip) == (audit.STAFF_SIGN_IN, admin_staff.pk, "198.51.100.7")


@pytest.mark.smoke
def test_staff_sign_in_through_the_api_is_audited(client, admin_staff, password):
    client.post(
        "/api/v1/auth/signin", {"login": "boss@example.com", "password": password}, content_type="application/json"
    )
    assert AuditRecord.objects.filter(action=audit.STAFF_SIGN_IN, actor=admin_staff).count() == 1


@pytest.mark.smoke
def test_client_ip_trusts_forwarded_for_only_behind_configured_proxies(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5")
    assert audit.client_ip(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert audit.client_ip(request) == "203.0.113.5"
    assert audit.client_ip(rf.get("/", REMOTE_ADDR="not-an-ip")) is None


@pytest.fixture
def log(admin_staff, service_staff, customer):
    now = timezone.now()
    entries = [
        audit.record(actor=service_staff, action=audit.PII_VIEW, target=customer, summary="backoffice detail"),
        audit.record(actor=admin_staff, action="payment.refund", target_type="payments.refund", target_id="R7",
                     summary='<script>alert("x")</script>\r\n2026-01-01 INFO forged'),
    ]  # fmt: skip
    old = AuditRecord(action="staff.sign_in", actor=admin_staff, at=now - timedelta(days=40))
    old.save()
    return entries


@pytest.mark.smoke
def test_audit_page_for_admins_filters_and_escapes(client, admin_staff, service_staff, customer, log):
    client.force_login(admin_staff)
    page = client.get(AUDIT_PAGE, HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<script>alert" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    rows = lambda response: len(response.context["page"].object_list)  # noqa: E731
    assert rows(client.get(AUDIT_PAGE, {"actor": "cs@example.com"})) == 1
    assert (
        rows(client.get(AUDIT_PAGE, {"actor": str(admin_staff.pk)})) == 3
    )  # refund, old sign-in, this session's sign-in
    assert rows(client.get(AUDIT_PAGE, {"action": "payment.refund"})) == 1
    assert rows(client.get(AUDIT_PAGE, {"target_type": "accounts.user", "target_id": str(customer.pk)})) == 1
    today = timezone.localdate()
    recent = client.get(
        AUDIT_PAGE, {"date_from": (today - timedelta(days=7)).isoformat(), "date_to": today.isoformat()}
    )
    assert all(r.at > timezone.now() - timedelta(days=8) for r in recent.context["page"].object_list)
    assert rows(client.get(AUDIT_PAGE, {"date_to": (today - timedelta(days=30)).isoformat()})) == 1


@pytest.mark.smoke
def test_audit_page_pages(client, admin_staff, customer):
    AuditRecord.objects.bulk_create(AuditRecord(action="pii.view", target_id=str(n)) for n in range(120))
    client.force_login(admin_staff)
    first = client.get(AUDIT_PAGE)
    assert len(first.context["page"].object_list) == 50 and first.context["page"].paginator.num_pages == 3
    last = client.get(AUDIT_PAGE, {"action": "pii.view", "page": 3})
    assert len(last.context["page"].object_list) == 20
    assert 'href="?action=pii.view&amp;page=2"' in last.content.decode()


@pytest.mark.smoke
def test_audit_page_is_for_admins_only(client, service_staff, customer, log):
    client.force_login(service_staff)
    assert client.get(AUDIT_PAGE).status_code == 403
    client.force_login(customer)
    assert client.get(AUDIT_PAGE).status_code == 302
