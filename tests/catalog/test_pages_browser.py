"""The product page in Chromium: configure a phone (an excluded choice explains itself, the
price updates live, keyboard focus survives the update), add it to favourites — axe-clean,
in elder mode too."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from tests.conftest import CHROMIUM
from zizhu.catalog.models import ConfiguredSku, Favourite

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]

TARGETS = """(minimum) => [...document.querySelectorAll(
    'main .option label, main .variant label, main button, main .btn')]
  .filter(el => el.offsetParent !== null)
  .map(el => ({what: el.outerHTML.slice(0, 60), h: el.getBoundingClientRect().height}))
  .filter(t => t.h < minimum)"""


def test_configure_a_phone_and_keep_it(page, live_server, axe_check, shop):
    page.goto(f"{live_server.url}/p/{shop.phone.slug}/")
    assert page.locator("h1").inner_text() == "星河 手机"
    axe_check(page, "product page")
    status = page.locator("#config-status")
    assert "¥3,000.00" in status.inner_text()

    # 1 TB needs the Pro or Ultra processor: the page says so before anything is chosen
    assert "1TB 存储需要 Pro 或 Ultra 处理器" in page.locator("#why-storage-1tb").inner_text()
    page.locator("label[for=opt-storage-1tb]").click()
    expect(status).to_contain_text("¥5,200.00")
    assert "1TB 存储需要 Pro 或 Ultra 处理器" in status.inner_text()
    assert page.locator("#why-processor-standard").is_visible()

    # keyboard: arrow keys move through the processors; focus stays on the radio after the update
    page.locator("#opt-processor-standard").focus()
    page.keyboard.press("ArrowRight")
    expect(status).to_contain_text("¥6,000.00")
    assert page.evaluate("document.activeElement.id") == "opt-processor-pro"
    assert "需要" not in status.inner_text()
    axe_check(page, "configurator after changes")

    page.get_by_role("button", name="确认这个配置").click()
    expect(status).to_contain_text("CFG-")
    assert ConfiguredSku.objects.get().sku in status.inner_text()

    page.get_by_role("button", name="加入收藏").click()
    expect(page.locator("#favourite-status")).to_contain_text("已加入收藏")
    assert page.locator("#favourite-button").get_attribute("aria-pressed") == "true"
    assert Favourite.objects.filter(product=shop.phone).count() == 1
    assert page.foreign_requests == []


def test_product_and_category_pages_in_elder_mode(page, live_server, axe_check, shop):
    page.goto(f"{live_server.url}/p/{shop.shirt.slug}/")
    page.locator("#elder-switch").click()
    page.wait_for_load_state()
    assert "elder" in (page.locator("html").get_attribute("class") or "")
    axe_check(page, "product page, elder mode")
    assert page.evaluate(TARGETS, 60) == []
    assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('main')).fontSize)") >= 24
    page.locator("label[for^=variant-]").nth(1).click()
    expect(page.locator(".chosen")).to_contain_text("COTTON-SHIRT-1")
    page.goto(f"{live_server.url}/c/clothing/")
    axe_check(page, "category page, elder mode")
    page.goto(f"{live_server.url}/p/{shop.phone.slug}/")
    axe_check(page, "configurator, elder mode")
    assert page.evaluate(TARGETS, 60) == []
