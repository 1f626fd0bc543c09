"""A new customer looks at phones; after the next training the home page's "for you" shows phones and
says why — in Chromium, axe-clean, also in elder mode."""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from zizhu.catalog.models import BehaviourEvent, Category, Product
from zizhu.recommendations import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def make_shop(make_user) -> tuple[list[Product], list[Product]]:
    phones = Category.objects.create(slug="phones", name_zh="手机", name_en="Phones")
    tea = Category.objects.create(slug="tea", name_zh="茶叶", name_en="Tea")
    phone_items = [
        Product.objects.create(
            slug=f"phone-{n}", category=phones, name_zh=f"星河手机{n}号", price=Decimal("1999.00"), sales_count=10 + n
        )
        for n in range(6)
    ]
    tea_items = [  # the shop's best sellers: not what this customer looks at
        Product.objects.create(
            slug=f"tea-{n}", category=tea, name_zh=f"龙井茶{n}号", price=Decimal("99.00"), sales_count=500 + n
        )
        for n in range(6)
    ]
    when = timezone.now() - timedelta(days=3)
    for n in range(4):  # other customers: phone buyers and tea buyers
        phone_fan, tea_fan = make_user(f"phone{n}@example.com"), make_user(f"tea{n}@example.com")
        for product in phone_items[n : n + 3]:
            BehaviourEvent.objects.create(
                user=phone_fan, product=product, event_type="purchase", occurred_at=when, context={"order": f"P{n}"}
            )
        for product in tea_items[n : n + 3]:
            BehaviourEvent.objects.create(
                user=tea_fan, product=product, event_type="purchase", occurred_at=when, context={"order": f"T{n}"}
            )
    return phone_items, tea_items


def sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])


def wait_for_views(user, count: int, timeout: float = 10.0) -> None:
    """View events are written after each response: wait until the server has written them."""
    deadline = time.monotonic() + timeout
    while BehaviourEvent.objects.filter(user=user, event_type="view").count() < count:
        assert time.monotonic() < deadline, "the product views were not recorded"
        time.sleep(0.1)


def for_you_cards(page) -> list[tuple[str, str]]:
    page.locator("#for-you .reco-card").first.wait_for()
    cards = page.locator("#for-you .reco-card")
    return [
        (cards.nth(i).locator("a").first.inner_text(), cards.nth(i).locator(".reco-why").inner_text())
        for i in range(cards.count())
    ]


def test_a_new_customer_who_looks_at_phones_is_shown_phones(page, live_server, axe_check, make_user) -> None:
    phones, _tea = make_shop(make_user)
    newcomer = make_user("newcomer@example.com")
    sign_in(page, live_server, newcomer)
    for product in phones[:3]:
        page.goto(f"{live_server.url}/p/{product.slug}/")
        assert product.name_zh in page.locator("h1").inner_text()
    wait_for_views(newcomer, 3)

    services.train_recommendations()  # what the nightly job does

    page.goto(live_server.url + "/")
    cards = for_you_cards(page)
    assert page.locator("#for-you-title").inner_text() == "为您推荐"
    phone_names = {p.name_zh for p in phones}
    assert cards and all(name in phone_names for name, _why in cards[:3]), cards
    assert all(why == "手机热门" or why.startswith("因为您看过") for _name, why in cards[:3]), cards
    axe_check(page, "home with for you")
    assert page.foreign_requests == []

    # elder mode: the same list, still axe-clean; the hide button is reachable by keyboard
    page.locator("#elder-switch").click()
    page.wait_for_load_state()
    assert "elder" in (page.locator("html").get_attribute("class") or "")
    elder_cards = for_you_cards(page)
    assert elder_cards[:3] == cards[:3]
    axe_check(page, "home with for you, elder mode")
    hide = page.locator("#for-you .reco-card button").first
    hide.focus()
    assert page.evaluate("document.activeElement.tagName") == "BUTTON"


def test_one_click_add_from_the_cart_page(page, live_server, axe_check, make_user) -> None:
    """Frequently bought together on the cart page: "add to cart" by keyboard, the cart updates in place
    and the status region says so."""
    from zizhu.catalog.models import Variant
    from zizhu.inventory import services as inventory

    phones, tea = make_shop(make_user)
    for product in [*phones, *tea]:
        Variant.objects.create(product=product, sku=f"SKU-{product.slug}", price=product.price, stock=20)
    inventory.take_over_variants(variant_ids=Variant.objects.values_list("pk", flat=True))
    services.train_recommendations()

    page.goto(f"{live_server.url}/p/{phones[1].slug}/")
    page.locator("#add-to-cart-button").click()
    page.wait_for_url("**/cart/")
    suggestion = page.locator("#cart-suggestions form.one-click button").first
    suggestion.wait_for()
    axe_check(page, "cart with suggestions")
    name = suggestion.locator("xpath=ancestor::li").locator("a").first.inner_text()
    suggestion.focus()
    page.keyboard.press("Enter")
    page.locator("#site-messages").get_by_text("已加入购物车").wait_for()
    page.locator("#cart-content").get_by_text(name).first.wait_for()
    assert "(2)" in page.locator("#cart-link").inner_text()
    assert page.url.endswith("/cart/")  # no navigation: parts of the page were swapped
    axe_check(page, "cart after one-click add")
    page.locator("#elder-switch").click()
    page.wait_for_load_state()
    page.locator("#cart-suggestions form.one-click button").first.wait_for()
    box = page.locator("#cart-suggestions form.one-click button").first.bounding_box()
    assert box["width"] >= 60 and box["height"] >= 60  # elder mode touch targets
    axe_check(page, "cart with suggestions, elder mode")


def test_inbox_digest_read_by_keyboard(page, live_server, axe_check, make_user) -> None:
    """A digest in the inbox: the header shows it unread; marking it read by keyboard is announced;
    the inbox and its settings are axe-clean in standard and elder mode."""
    from zizhu.notifications import services as notifications

    customer = make_user("reader@example.com")
    notifications.send_message(
        customer=customer, subject="本周为您精选", body="• 星河手机1号 — ¥1999.00（手机热门）", link="/", kind="digest"
    )
    sign_in(page, live_server, customer)
    page.goto(live_server.url + "/")
    assert "(1)" in page.locator("#inbox-link").inner_text()
    page.locator("#inbox-link").click()
    page.wait_for_url("**/inbox/")
    axe_check(page, "inbox")
    button = page.locator(".inbox-message form button").first
    button.focus()
    page.keyboard.press("Enter")
    page.locator("#site-messages").get_by_text("已标为已读").wait_for()  # the role=status region
    axe_check(page, "inbox after marking read")
    page.locator("#elder-switch").click()
    page.wait_for_load_state()
    assert "inbox-count" not in page.locator("#inbox-link").inner_html()
    axe_check(page, "inbox, elder mode")
    page.get_by_role("link", name="我们给您发送什么（精选和邮件设置）").click()
    page.wait_for_url("**/inbox/settings/")
    axe_check(page, "notification settings, elder mode")
    page.get_by_label("同时通过电子邮件发送精选").check()
    page.get_by_role("button", name="保存").click()
    page.get_by_role("status").filter(has_text="您的通知设置已保存").wait_for()
    assert page.get_by_label("同时通过电子邮件发送精选").is_checked()
