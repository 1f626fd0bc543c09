"""The layout (header, footer, skip link), the language switch and elder mode."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

PAGES = ["/", "/help/", "/search/?q=手机", "/accounts/signin/", "/accounts/signup/", "/accounts/password/reset/"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_the_layout(client, path):
    html = client.get(path).content.decode()
    assert 'class="skip-link" href="#main"' in html
    assert 'id="main"' in html
    assert 'role="search"' in html
    assert reverse("storefront:set_language") in html
    assert reverse("storefront:set_elder_mode") in html
    assert reverse("storefront:help") in html  # footer help


@pytest.mark.parametrize("path", PAGES)
def test_pages_load_nothing_from_another_host_and_have_no_inline_code(client, path):
    html = client.get(path).content.decode()
    assert not re.search(r'(src|href)="(https?:)?//', html), "an asset from another host"
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert " style=" not in html and "<style" not in html, "inline style"


def test_chinese_is_the_default_and_english_is_one_click_away(client):
    home = client.get("/")
    assert '<html lang="zh-Hans"' in home.content.decode()
    assert "欢迎" in home.content.decode()
    switched = client.post(reverse("storefront:set_language"), {"language": "en", "next": "/help/"})
    assert switched["Location"] == "/help/"
    english = client.get("/").content.decode()
    assert '<html lang="en"' in english and "Welcome to Zizhu" in english


def test_language_switch_ignores_unknown_languages_and_foreign_next(client):
    response = client.post(reverse("storefront:set_language"), {"language": "xx", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert "zizhu_lang" not in response.cookies


def test_language_choice_is_saved_on_the_account(client, customer):
    client.force_login(customer)
    client.post(reverse("storefront:set_language"), {"language": "en"})
    customer.refresh_from_db()
    assert customer.language == "en"


def test_elder_mode_for_guests_is_a_cookie(client):
    assert 'class=""' in client.get("/").content.decode()
    response = client.post(reverse("storefront:set_elder_mode"), {"enabled": "1", "next": "/help/"})
    assert response.cookies["zizhu_elder"].value == "1"
    assert response.cookies["zizhu_elder"]["httponly"]
    html = client.get("/help/").content.decode()
    assert '<html lang="zh-Hans" class="elder">' in html
    assert 'id="read-aloud"' in html
    assert 'aria-pressed="true"' in html
    client.post(reverse("storefront:set_elder_mode"), {"enabled": "0"})
    assert 'class="elder"' not in client.get("/").content.decode()


def test_elder_mode_is_remembered_on_the_account(client, customer, password):
    client.force_login(customer)
    client.post(reverse("storefront:set_elder_mode"), {"enabled": "1"})
    customer.refresh_from_db()
    assert customer.elder_mode is True
    # a new device: signing in brings elder mode back
    other_device = type(client)()
    other_device.post(reverse("accounts:signin"), {"username": "alice@example.com", "password": password})
    assert 'class="elder"' in other_device.get("/").content.decode()


def test_guest_elder_mode_survives_sign_in(client, customer, password):
    client.post(reverse("storefront:set_elder_mode"), {"enabled": "1"})
    client.post(reverse("accounts:signin"), {"username": "alice@example.com", "password": password})
    customer.refresh_from_db()
    assert customer.elder_mode is True


@pytest.mark.parametrize("query", ["长辈版", "关怀版", "长辈模式", "elder"])
def test_elder_mode_is_findable_by_search(client, query):
    html = client.get(reverse("storefront:search"), {"q": query}).content.decode()
    assert 'id="elder-offer-title"' in html
    assert reverse("storefront:set_elder_mode") in html


def test_search_handles_nasty_queries(client):
    for query in ["\x00", "a" * 10_000, '" * : - ( ) OR NEAR', "😀", "\u202eabc", "<script>alert(1)</script>"]:
        response = client.get(reverse("storefront:search"), {"q": query})
        assert response.status_code == 200
        assert "<script>alert(1)</script>" not in response.content.decode()


def test_unknown_pages_get_a_friendly_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "home" in response.content.decode() or "首页" in response.content.decode()
