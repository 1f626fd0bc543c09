"""A guest buys a T-shirt in Chromium: product page → cart → checkout (3 visible steps) → review →
pay with the 3-D Secure test card → the order's receipt, paid. axe-clean on every page of the way,
in standard and in elder mode."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from tests.e2e.test_visitor_journey import assert_targets, measure
from zizhu.catalog.models import Category, Product, Variant
from zizhu.inventory import selectors as stock
from zizhu.inventory import services as inventory
from zizhu.orders.models import Order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def deliver_webhooks_over_http(settings):
    settings.PAYMENTS_SANDBOX_WEBHOOK_DELIVERY = "inline"
    settings.PAYMENTS_SANDBOX_WEBHOOK_SENDER = "zizhu.payments.sandbox_gateway.delivery.http_send"


@pytest.fixture
def tee():
    category = Category.objects.create(slug="clothing", name_zh="服装", name_en="Clothing")
    product = Product.objects.create(
        slug="tee", category=category, name_zh="纯棉T恤", name_en="Cotton T-shirt", price=Decimal("79.00")
    )
    variant = Variant.objects.create(product=product, sku="TEE-M", price=Decimal("79.00"), stock=5)
    inventory.take_over_variants(variant_ids=[variant.pk])
    return variant


def type_card_on_the_gateway(page, number: str) -> None:
    """On the pay page: "bank card", then the card typed on the gateway's hosted page (not yet sent)."""
    page.get_by_label(re.compile("银行卡")).check()
    page.get_by_role("button", name="继续付款").click()
    page.wait_for_url(re.compile(r"/sandbox-gateway/pay/"))
    page.get_by_label("卡号").fill(number)
    page.get_by_label("有效期（MM/YY）").fill("12/34")
    page.get_by_label("安全码（CVC）").fill("123")


def pay_with_3ds_card(page) -> None:
    """On the pay page: the 3-D Secure test card on the gateway's page, then its challenge, to the result."""
    type_card_on_the_gateway(page, "4000 0000 0000 3220")
    page.locator("form.card-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/sandbox-gateway/3ds/"))
    code = page.locator("#one-time-code strong").inner_text().strip()
    page.get_by_label("一次性验证码", exact=True).fill(code)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/result/"))


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
def test_guest_buys_a_t_shirt_and_sees_the_receipt(page, live_server, axe_check, tee, elder):
    url = live_server.url
    page.goto(url + "/p/tee/")
    if elder:
        page.locator("#elder-switch").click()
        page.wait_for_load_state()
        assert "elder" in (page.locator("html").get_attribute("class") or "")
    page.get_by_role("button", name="加入购物车").click()

    page.wait_for_url(re.compile(r"/cart/$"))
    assert "(1)" in page.locator("#cart-link").inner_text()
    assert "¥89.00" in page.locator(".cart-totals").inner_text()  # 79 + standard delivery, from the start
    axe_check(page, "cart")
    page.get_by_role("link", name="去结算").click()

    page.wait_for_url(re.compile(r"/checkout/"))
    assert "第1步/共3步" in page.locator(".checkout-steps").inner_text()
    axe_check(page, "checkout")
    assert (
        page.locator("form[action='/checkout/'] input:not([type=hidden]), form[action='/checkout/'] select").count()
        <= 8 + 2
    )
    page.get_by_role("button", name="下一步：核对订单").click()
    assert page.locator("#error-summary").is_visible()
    assert page.locator("#id_phone_error").is_visible()
    axe_check(page, "checkout with errors")
    page.get_by_label("收货人姓名").fill("王小明")
    page.get_by_label(re.compile("^手机号")).fill("138 0013 8000")
    page.get_by_label("电子邮箱（接收电子收据）").fill("xm@example.com")
    page.get_by_label("省份").select_option("上海市")
    page.get_by_label("城市").fill("上海市")
    page.get_by_label("区县（选填）").fill("浦东新区")
    page.get_by_label("详细地址").fill("世纪大道 100 号 5 楼")
    page.get_by_role("button", name="下一步：核对订单").click()

    page.wait_for_url(re.compile(r"/checkout/review/"))
    assert "第3步/共3步" in page.locator(".checkout-steps").inner_text()
    assert "¥89.00" in page.locator("main").inner_text()
    axe_check(page, "review")
    page.get_by_role("button", name="确认订单并付款").click()

    page.wait_for_url(re.compile(r"/pay/P\d+/$"))
    order = Order.objects.get()
    assert order.total == Decimal("89.00") and order.status == "pending_payment"
    pay_with_3ds_card(page)
    assert page.locator("h1").inner_text() == "支付成功"

    page.goto(f"{url}/orders/{order.number}/")
    assert order.number in page.locator("h1").inner_text()
    assert page.locator(".status-badge").inner_text() in ("已付款", "已支付")
    assert "¥89.00" in page.locator(".receipt").inner_text()
    axe_check(page, "receipt")
    if elder:
        metrics = measure(page)
        assert_targets(metrics, 60)
        assert min(metrics["mainFonts"]) >= 24 and min(metrics["lineRatios"]) >= 1.3
    order.refresh_from_db()
    assert order.status == "paid"
    assert stock.totals(variant_id=tee.pk)["allocated"] == 1
    assert page.foreign_requests == []


@pytest.fixture
def phone(tee):
    from zizhu.catalog.models import Option, OptionGroup

    product = Product.objects.create(
        slug="phone",
        category=tee.product.category,
        name_zh="星河手机",
        name_en="Xinghe phone",
        price=Decimal("3000.00"),
        is_configurable=True,
        delivery_days=4,
    )
    group = OptionGroup.objects.create(product=product, code="storage", name_zh="存储", name_en="Storage")
    Option.objects.create(group=group, code="128gb", name_zh="128GB", price_delta=0, is_default=True)
    Option.objects.create(group=group, code="1tb", name_zh="1TB", price_delta=Decimal("2200.00"), position=1)
    return product


def test_guest_buys_a_configured_phone_and_a_t_shirt(page, live_server, axe_check, phone):
    url = live_server.url
    page.goto(url + "/p/phone/")
    page.get_by_label(re.compile("1TB")).check()
    page.get_by_role("button", name="确认这个配置").click()
    page.get_by_role("button", name="将这个配置加入购物车").click()
    page.wait_for_url(re.compile(r"/cart/$"))
    assert "按订单定制" in page.locator(".cart-lines").inner_text()  # made to order: no stock needed
    page.goto(url + "/p/tee/")
    page.get_by_role("button", name="加入购物车").click()
    page.wait_for_url(re.compile(r"/cart/$"))
    assert "(2)" in page.locator("#cart-link").inner_text()
    assert "¥5,279.00" in page.locator(".cart-totals").inner_text()  # 5200 + 79, free delivery
    axe_check(page, "cart with a configured phone")
    page.get_by_role("link", name="去结算").click()
    page.get_by_label("收货人姓名").fill("李华")
    page.get_by_label(re.compile("^手机号")).fill("13912345678")
    page.get_by_label("电子邮箱（接收电子收据）").fill("lh@example.com")
    page.get_by_label("省份").select_option("广东省")
    page.get_by_label("城市").fill("深圳市")
    page.get_by_label("详细地址").fill("科技园南路 1 号")
    page.get_by_label(re.compile("特快专递")).check()
    page.get_by_role("button", name="下一步：核对订单").click()
    page.wait_for_url(re.compile(r"/checkout/review/"))
    page.get_by_role("button", name="确认订单并付款").click()
    page.wait_for_url(re.compile(r"/pay/P\d+/$"))
    order = Order.objects.get()
    assert order.total == Decimal("5301.00")  # 5279 + express 22
    assert order.lines.count() == 2
    assert order.lines.exclude(sku="TEE-M").get().options == {"storage": "1tb"}
