"""A new visitor signs up, signs out, signs in, switches language and elder mode — in Chromium."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from zizhu.accounts.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MEASURE_ELDER = """() => {
  const px = (el, prop) => parseFloat(getComputedStyle(el)[prop]);
  const body = document.body;
  const mainText = [...document.querySelectorAll('main p, main li, main label, main dd')]
    .filter(el => el.offsetParent !== null);
  const controls = [...document.querySelectorAll(
      'button, input:not([type=hidden]):not([type=checkbox]), select, textarea, .btn, header a, footer a, ' +
      'main p > a:only-child, main figcaption > a:only-child, main td > a:first-child')]
    .filter(el => el.offsetParent !== null);
  return {
    bodyFont: px(body, 'fontSize'),
    mainFonts: mainText.map(el => px(el, 'fontSize')),
    lineRatios: mainText.map(el => {
      const lh = getComputedStyle(el).lineHeight;
      return lh === 'normal' ? 1.2 : parseFloat(lh) / px(el, 'fontSize');
    }),
    controls: controls.map(el => {
      const r = el.getBoundingClientRect();
      return {what: el.outerHTML.slice(0, 80), w: r.width, h: r.height};
    }),
  };
}"""


def measure(page):
    return page.evaluate(MEASURE_ELDER)


def assert_targets(metrics, minimum):
    small = [c for c in metrics["controls"] if c["w"] < minimum or c["h"] < minimum]
    assert not small, f"targets smaller than {minimum}px: {small[:5]}"


def test_new_visitor_journey(page, live_server, axe_check, password):
    url = live_server.url
    page.goto(url + "/")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    axe_check(page, "home")
    assert_targets(measure(page), 44)

    # keyboard: the first Tab reaches the skip link, which moves focus to the main content
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # sign up
    page.get_by_role("link", name="注册", exact=True).first.click()
    axe_check(page, "sign-up")
    page.get_by_label("邮箱或手机号").fill("visitor@example.com")
    page.get_by_label("密码").fill("short")
    page.get_by_role("button", name="注册").click()
    assert page.locator("#error-summary").is_visible()  # the error is explained, next to its field too
    assert page.locator(".field-error .error").count() >= 1
    axe_check(page, "sign-up with errors")
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="注册").click()
    # the same answer for a new address and a taken one: "check your messages", then the code
    page.wait_for_url("**/accounts/signup/confirm/")
    axe_check(page, "sign-up code")
    code = re.findall(r"\b(\d{6})\b", mail.outbox[-1].body)[-1]
    page.get_by_label("验证码").fill(code)
    page.get_by_role("button", name="继续").click()
    page.wait_for_url("**/accounts/profile/")
    assert page.get_by_role("status").filter(has_text="欢迎").count() >= 1
    axe_check(page, "profile")
    assert User.objects.filter(email="visitor@example.com").exists()

    # sign out, then sign in again
    page.get_by_role("button", name="退出登录").click()
    page.get_by_role("link", name="登录").first.click()
    axe_check(page, "sign-in")
    page.get_by_label("邮箱或手机号").fill("visitor@example.com")
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")
    page.goto(url + "/accounts/profile/")
    assert "visitor@example.com" in page.content()

    # switch to English
    page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="My account").is_visible()
    axe_check(page, "profile (English)")

    # elder mode, switched on from the header
    page.get_by_role("button", name="Elder mode (larger text)").click()
    assert page.locator("html").get_attribute("class") == "elder"
    assert page.get_by_role("button", name="Read this page aloud").is_visible()
    for path in ["/", "/accounts/profile/", "/help/"]:
        page.goto(url + path)
        metrics = measure(page)
        assert metrics["bodyFont"] >= 18
        assert metrics["mainFonts"] and min(metrics["mainFonts"]) >= 24, metrics["mainFonts"]
        assert min(metrics["lineRatios"]) >= 1.3
        assert_targets(metrics, 60)
        axe_check(page, f"{path} in elder mode")
    assert User.objects.get(email="visitor@example.com").elder_mode is True

    # back to Chinese, elder mode stays
    page.get_by_role("button", name="中文").click()
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert page.locator("html").get_attribute("class") == "elder"
    page.screenshot(path="var/screenshots/elder-mode-help.png", full_page=True)
    assert page.foreign_requests == []


def test_elder_mode_is_found_by_searching_for_it(page, live_server, axe_check):
    page.goto(live_server.url + "/")
    search_box = page.get_by_role("combobox", name="搜索商城")
    search_box.fill("关怀版")
    search_box.press("Enter")
    offer = page.get_by_role("button", name="开启长辈模式")
    assert offer.is_visible()
    axe_check(page, "search for 关怀版")
    offer.click()
    assert page.locator("html").get_attribute("class") == "elder"
    axe_check(page, "search in elder mode")
    assert page.foreign_requests == []
