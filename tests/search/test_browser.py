"""In the browser: suggestions by keyboard, filters without JavaScript tricks, axe-clean, elder mode too."""

from __future__ import annotations

import pytest

from tests.search.conftest import build_shop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_by_pinyin_suggestions_filters_and_elder_mode(page, live_server, axe_check):
    build_shop()
    page.goto(live_server.url + "/")
    box = page.get_by_role("combobox", name="搜索商城")
    box.press_sequentially("hua", delay=50)
    listbox = page.get_by_role("listbox")
    listbox.wait_for(state="visible")
    assert box.get_attribute("aria-expanded") == "true"
    box.press("ArrowDown")
    first = page.get_by_role("option").first
    assert first.get_attribute("aria-selected") == "true"
    assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
    axe_check(page, "suggestions open")
    box.press("Escape")
    assert box.get_attribute("aria-expanded") == "false"

    box.fill("shouji")
    box.press("Enter")
    page.wait_for_url("**/search/?q=shouji")
    assert page.get_by_role("status").filter(has_text="件商品").first.is_visible()
    axe_check(page, "results for shouji")
    page.get_by_label("苹果").check()
    page.get_by_role("button", name="查看结果").click()
    cards = page.locator(".product-card .product-name")
    assert sorted(cards.all_inner_texts()) == ["苹果 iPhone 15 Pro 手机", "苹果 iPhone 15 智能手机"]

    page.get_by_role("button", name="长辈版（大字）").click()
    assert page.locator("html").get_attribute("class") == "elder"
    axe_check(page, "results in elder mode")
    assert page.foreign_requests == []


def test_no_results_page_is_accessible(page, live_server, axe_check):
    build_shop()
    page.goto(live_server.url + "/search/?q=%E9%A6%96%E6%9C%BA")  # 首机
    assert page.get_by_role("link", name="手机").first.is_visible()
    axe_check(page, "no results")
    page.goto(live_server.url + "/c/digital/")
    axe_check(page, "category page")
