"""The in-app inbox (page, header count, API), e-mail copies with the anti-phishing phrase, settings."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.urls import reverse

from zizhu.core.errors import NotFound
from zizhu.notifications import selectors, services
from zizhu.notifications.models import InboxMessage

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


def test_a_message_lands_in_the_inbox_unread_and_can_be_marked_read(customer, other_customer) -> None:
    message = services.send_message(customer=customer, subject="Hello", body="Line one", link="/")
    assert selectors.unread_count(customer=customer) == 1
    assert selectors.unread_count(customer=other_customer) == 0
    with pytest.raises(NotFound):
        services.mark_read(customer=other_customer, message_id=message.pk)
    assert services.mark_read(customer=customer, message_id=message.pk).is_read
    assert selectors.unread_count(customer=customer) == 0


def test_email_copy_only_when_asked_and_with_the_phrase(customer, django_capture_on_commit_callbacks) -> None:
    customer.anti_phishing_phrase = "blue teapot"
    customer.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.send_message(customer=customer, subject="No mail", body="inbox only")
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        message = services.send_message(customer=customer, subject="Picks", body="Tea", link="/p/x/", email=True)
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [customer.email] and sent.subject == "Picks"
    assert "blue teapot" in sent.body and "Tea" in sent.body and "/p/x/" in sent.body
    assert services.email_message(message_id=message.pk) is False  # once only
    assert len(mail.outbox) == 1


def test_inbox_page_header_count_and_mark_read(client, customer, other_customer) -> None:
    mine = services.send_message(customer=customer, subject="For you", body="Body text")
    theirs = services.send_message(customer=other_customer, subject="Not yours", body="secret")
    assert client.get(reverse("notifications:inbox")).status_code == 302  # sign in first
    client.force_login(customer)
    html = client.get(reverse("notifications:inbox"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "For you" in html and "Not yours" not in html
    assert 'id="inbox-link"' in html and "(1)" in html
    assert client.post(reverse("notifications:mark_read", args=[theirs.pk])).status_code == 404
    response = client.post(reverse("notifications:mark_read", args=[mine.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'id="site-messages" hx-swap-oob="innerHTML"' in response.content.decode()  # announced in the status region
    assert not InboxMessage.objects.get(pk=theirs.pk).is_read
    assert "inbox-count" not in client.get("/").content.decode()


def test_the_header_count_is_cached_and_follows_changes(client, customer) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def inbox_queries(url: str) -> tuple[int, str]:
        with CaptureQueriesContext(connection) as queries:
            html = client.get(url).content.decode()
        return sum("notifications_inboxmessage" in q["sql"] for q in queries.captured_queries), html

    services.send_message(customer=customer, subject="x", body="y")
    client.force_login(customer)
    assert inbox_queries(reverse("catalog:history"))[0] == 1  # one COUNT, then cached
    count, html = inbox_queries(reverse("catalog:history"))
    assert count == 0 and "(1)" in html
    services.send_message(customer=customer, subject="x2", body="y2")
    assert "(2)" in inbox_queries(reverse("catalog:history"))[1]
    services.mark_all_read(customer=customer)
    assert "inbox-count" not in inbox_queries(reverse("catalog:history"))[1]


def test_inbox_api(client, customer, other_customer) -> None:
    assert client.get("/api/v1/me/inbox").status_code == 401
    message = services.send_message(customer=customer, subject="Hi", body="Text")
    other = services.send_message(customer=other_customer, subject="Other", body="Text")
    client.force_login(customer)
    body = client.get("/api/v1/me/inbox").json()
    assert body["unread"] == 1 and [item["subject"] for item in body["items"]] == ["Hi"]
    assert client.post(f"/api/v1/me/inbox/{other.pk}/read").status_code == 404
    assert client.post(f"/api/v1/me/inbox/{message.pk}/read").status_code == 204
    assert client.get("/api/v1/me/inbox").json()["unread"] == 0
    assert client.get("/api/v1/me/inbox?limit=0").status_code == 422


def test_settings_api_and_page(client, customer) -> None:
    assert client.get("/api/v1/me/notifications").status_code == 401
    client.force_login(customer)
    assert client.get("/api/v1/me/notifications").json() == {"digests": True, "digest_email": False}
    put = client.put(
        "/api/v1/me/notifications", json.dumps({"digests": True, "digest_email": True}), content_type="application/json"
    )
    assert put.json() == {"digests": True, "digest_email": True}
    bad = client.put("/api/v1/me/notifications", json.dumps({"digests": "maybe"}), content_type="application/json")
    assert bad.status_code == 422 and "code" in bad.json()
    assert selectors.settings_for(customer=customer).digest_email is True
    response = client.post(reverse("notifications:settings"), {"digest_email": "on"})  # digests off
    assert response.status_code == 302
    settings_row = selectors.settings_for(customer=customer)
    assert settings_row.digests is False and settings_row.digest_email is False  # no e-mail without digests
    account = client.get(reverse("accounts:profile")).content.decode()
    assert f'action="{reverse("notifications:settings")}"' in account and 'name="digest_email"' in account
    back = client.post(
        reverse("notifications:settings"),
        {"digests": "on", "next": reverse("accounts:profile") + "#notification-settings"},
    )
    assert back["Location"] == reverse("accounts:profile") + "#notification-settings"
    assert selectors.settings_for(customer=customer).digests is True
    assert client.post(reverse("notifications:settings"), {"digests": "on", "next": "https://evil.example/"})[
        "Location"
    ] == reverse("notifications:settings")
