"""Favourites and browsing history: pages for guests, the API for accounts, the merge at
sign-in, and other customers' ids."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from zizhu.catalog import selectors, services
from zizhu.catalog.models import BrowsingHistory, Favourite
from zizhu.catalog.owners import GUEST_KEY, Owner

pytestmark = pytest.mark.django_db


def favourites_api(client, method="get", **kwargs):
    return getattr(client, method)("/api/v1/me/favourites", content_type="application/json", **kwargs)


@pytest.mark.smoke
def test_me_endpoints_need_an_account(client, shop):
    assert client.get("/api/v1/me/favourites").status_code == 401
    assert client.get("/api/v1/me/history").status_code == 401
    assert client.delete("/api/v1/me/history").status_code == 401


@pytest.mark.smoke
def test_add_list_and_remove_favourites_through_the_api(client, customer, shop):
    client.force_login(customer)
    created = client.post("/api/v1/me/favourites", {"product": shop.shirt.slug}, content_type="application/json")
    assert created.status_code == 201
    assert created.json()["product"]["price"] == {"amount": "99.00", "currency": "CNY"}
    again = client.post("/api/v1/me/favourites", {"product": shop.shirt.slug}, content_type="application/json")
    assert again.status_code == 200 and again.json()["id"] == created.json()["id"]
    client.post("/api/v1/me/favourites", {"product": shop.phone.slug}, content_type="application/json")
    listing = client.get("/api/v1/me/favourites").json()
    assert listing["total"] == 2 and [i["product"]["slug"] for i in listing["items"]] == [
        shop.phone.slug,
        shop.shirt.slug,
    ]
    assert client.delete(f"/api/v1/me/favourites?product={shop.phone.slug}").status_code == 204
    assert client.delete(f"/api/v1/me/favourites/{created.json()['id']}").status_code == 204
    assert client.get("/api/v1/me/favourites").json() == {"items": [], "total": 0}


def test_favouriting_an_unknown_product_is_422(client, customer, shop):
    client.force_login(customer)
    response = client.post("/api/v1/me/favourites", {"product": "nope"}, content_type="application/json")
    assert response.status_code == 422 and "product" in response.json()["fields"]


@pytest.mark.smoke
def test_other_customers_favourite_and_history_ids_are_not_found(client, customer, other_customer, shop):
    theirs = Favourite.objects.create(user=other_customer, product=shop.shirt)
    their_view = BrowsingHistory.objects.create(user=other_customer, product=shop.shirt)
    client.force_login(customer)
    assert client.delete(f"/api/v1/me/favourites/{theirs.pk}").status_code == 404
    assert client.delete(f"/api/v1/me/history/{their_view.pk}").status_code == 404
    assert client.get("/api/v1/me/favourites").json()["total"] == 0
    assert client.delete("/api/v1/me/history").status_code == 204
    assert Favourite.objects.filter(pk=theirs.pk).exists()
    assert BrowsingHistory.objects.filter(pk=their_view.pk).exists()


@pytest.mark.smoke
def test_viewing_products_fills_history_and_clearing_empties_it(client, customer, shop):
    client.force_login(customer)
    client.get(f"/p/{shop.shirt.slug}/")
    client.get(f"/p/{shop.phone.slug}/")
    client.get(f"/p/{shop.shirt.slug}/")  # viewed again: one row, now the latest
    items = client.get("/api/v1/me/history").json()["items"]
    assert [i["product"]["slug"] for i in items] == [shop.shirt.slug, shop.phone.slug]
    assert client.delete("/api/v1/me/history").status_code == 204
    assert client.get("/api/v1/me/history").json()["total"] == 0


def test_guest_can_favourite_with_htmx_and_without_javascript(client, shop):
    url = f"/p/{shop.shirt.slug}/favourite/"
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'aria-pressed="true"' in response.content.decode()
    assert 'role="status"' in response.content.decode()
    key = client.session[GUEST_KEY]
    assert Favourite.objects.filter(user=None, session_key=key, product=shop.shirt).exists()
    response = client.post(url)  # the plain form toggles it off again and goes back to the product
    assert response.status_code == 302
    assert not Favourite.objects.exists()


def test_guest_pages_show_favourites_and_history(client, shop):
    client.get(f"/p/{shop.phone.slug}/")
    client.post(f"/p/{shop.shirt.slug}/favourite/")
    assert shop.shirt.name_zh in client.get("/favourites/").content.decode()
    assert shop.phone.name_zh in client.get("/history/").content.decode()
    client.post("/history/clear/")
    assert shop.phone.name_zh not in client.get("/history/").content.decode()


@pytest.mark.smoke
def test_guest_favourites_and_history_move_to_the_account_at_sign_in(client, customer, password, shop):
    client.get(f"/p/{shop.shirt.slug}/")
    client.get(f"/p/{shop.phone.slug}/")
    client.post(f"/p/{shop.shirt.slug}/favourite/")
    client.post(f"/p/{shop.phone.slug}/favourite/")
    # the account already has the phone as a favourite and an older view of it
    Favourite.objects.create(user=customer, product=shop.phone)
    old = BrowsingHistory.objects.create(
        user=customer, product=shop.phone, viewed_at=timezone.now() - timedelta(days=3)
    )
    response = client.post("/accounts/signin/", {"username": customer.email, "password": password})
    assert response.status_code == 302
    assert sorted(Favourite.objects.filter(user=customer).values_list("product__slug", flat=True)) == sorted(
        [shop.shirt.slug, shop.phone.slug]
    )
    assert not Favourite.objects.filter(user=None).exists()
    history = BrowsingHistory.objects.filter(user=customer)
    assert history.count() == 2 and not BrowsingHistory.objects.filter(user=None).exists()
    old.refresh_from_db()
    assert old.viewed_at > timezone.now() - timedelta(minutes=5)  # the guest's later view wins


def test_merge_twice_changes_nothing_more(customer, shop):
    guest = Owner(session_key="guest-key-1")
    services.add_favourite(owner=guest, product=shop.shirt)
    assert services.merge_guest_activity(session_key="guest-key-1", user=customer)["favourites"] == 1
    assert services.merge_guest_activity(session_key="guest-key-1", user=customer) == {"favourites": 0, "history": 0}
    rows, total = selectors.list_favourites(owner=Owner(user=customer))
    assert total == 1 and rows[0].product == shop.shirt


def test_two_guests_do_not_see_each_others_favourites(shop):
    services.add_favourite(owner=Owner(session_key="a"), product=shop.shirt)
    assert selectors.list_favourites(owner=Owner(session_key="b")) == ([], 0)


@pytest.mark.smoke
def test_cached_product_page_still_shows_each_visitors_own_favourite_state_and_token(client, shop):
    from django.test import Client

    url = f"/p/{shop.shirt.slug}/"
    other = Client()
    assert 'aria-pressed="false"' in other.get(url).content.decode()  # fills the page cache
    client.post(f"/p/{shop.shirt.slug}/favourite/")
    mine = client.get(url).content.decode()
    theirs = other.get(url).content.decode()
    assert 'aria-pressed="true"' in mine and 'aria-pressed="false"' in theirs
    assert "zizhu-csrf-slot" not in mine and "<!--zizhu:favourite-->" not in mine
    assert 'name="csrfmiddlewaretoken"' in mine


def test_forms_on_a_cached_product_page_carry_a_working_csrf_token(shop):
    import re

    from django.test import Client

    Client().get(f"/p/{shop.shirt.slug}/")  # another visitor fills the page cache
    browser = Client(enforce_csrf_checks=True)
    html = browser.get(f"/p/{shop.shirt.slug}/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = browser.post(f"/p/{shop.shirt.slug}/favourite/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Favourite.objects.filter(product=shop.shirt).count() == 1
    assert browser.post(f"/p/{shop.shirt.slug}/favourite/", {}).status_code == 403


def test_old_guest_activity_is_purged_but_accounts_keep_theirs(customer, shop):
    from zizhu.catalog import tasks

    old = timezone.now() - timedelta(days=40)
    Favourite.objects.create(session_key="old-guest", product=shop.shirt, created_at=old)
    BrowsingHistory.objects.create(session_key="old-guest", product=shop.shirt, viewed_at=old)
    Favourite.objects.create(session_key="new-guest", product=shop.shirt)
    Favourite.objects.create(user=customer, product=shop.shirt, created_at=old)
    assert tasks.purge_guest_activity() == 2
    assert list(Favourite.objects.order_by("id").values_list("session_key", "user")) == [
        ("new-guest", None),
        ("", customer.pk),
    ]


@pytest.mark.django_db
def test_favourite_api_refuses_non_slug_product_names(client, customer):
    """Found by schemathesis: a NUL in the product name reached PostgreSQL and answered 500."""
    client.force_login(customer)
    for bad in ["\x00abc", "a\ud800b", "名字", "a b"]:
        response = client.post("/api/v1/me/favourites", {"product": bad}, content_type="application/json")
        assert response.status_code == 422, bad
    for bad in ["\x00abc", "名字", "a b"]:
        assert client.delete("/api/v1/me/favourites", QUERY_STRING=urlencode({"product": bad})).status_code == 422


@pytest.mark.django_db
def test_script_in_a_product_name_is_inert_through_the_cached_page(client, shop):
    """The product page is cached as HTML and marked safe after slots are filled: it must stay escaped."""
    shop.shirt.name_zh = "<script>alert(1)</script>衬衫"
    shop.shirt.description_zh = '<img src=x onerror="alert(2)">'
    shop.shirt.save()
    for _ in range(2):  # the first render fills the cache, the second is served from it
        html = client.get(f"/p/{shop.shirt.slug}/").content.decode()
        assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<img src=x" not in html
