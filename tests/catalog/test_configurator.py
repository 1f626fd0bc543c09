"""Build-to-order products: rules through the service, the API and the page."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.catalog.conftest import FULL_PHONE
from zizhu.catalog import configurator, selectors, services
from zizhu.catalog.models import ConfiguredSku, Option
from zizhu.core.errors import InvalidInput

pytestmark = pytest.mark.django_db


def load(product):
    return selectors.get_product(slug=product.slug)


@pytest.mark.smoke
def test_valid_configuration_becomes_an_orderable_sku_with_its_price(shop):
    options = {**FULL_PHONE, "processor": "pro", "storage": "1tb", "body": "titanium"}
    sku = services.configure_product(product=load(shop.phone), options=options)
    assert sku.price == Decimal("3000.00") + 800 + 2200 + Decimal("900.50")
    assert sku.options == options
    again = services.configure_product(product=load(shop.phone), options=dict(reversed(options.items())))
    assert again.pk == sku.pk and ConfiguredSku.objects.count() == 1


def test_sku_price_follows_a_changed_option_price(shop):
    first = services.configure_product(product=load(shop.phone), options=FULL_PHONE)
    Option.objects.filter(group__product=shop.phone, code="glass").update(price_delta=Decimal("50.00"))
    second = services.configure_product(product=load(shop.phone), options=FULL_PHONE)
    assert second.sku == first.sku and second.price == Decimal("3050.00")


@pytest.mark.smoke
def test_requires_rule_is_named_when_broken(shop):
    with pytest.raises(InvalidInput) as caught:
        services.configure_product(product=load(shop.phone), options={**FULL_PHONE, "storage": "1tb"})
    assert caught.value.code == "rule_requires"
    assert "1TB 存储需要 Pro 或 Ultra 处理器" in str(caught.value.message)
    assert ConfiguredSku.objects.count() == 0


def test_requires_rule_accepts_any_of_its_targets_in_one_group(shop):
    for processor in ("pro", "ultra"):
        services.configure_product(
            product=load(shop.phone), options={**FULL_PHONE, "storage": "1tb", "processor": processor}
        )
    assert ConfiguredSku.objects.count() == 2


def test_excludes_rule_works_both_ways(shop):
    with pytest.raises(InvalidInput) as caught:
        services.configure_product(
            product=load(shop.phone), options={**FULL_PHONE, "body": "titanium", "colour": "green"}
        )
    assert caught.value.code == "rule_excludes"
    assert "钛金属机身没有绿色" in str(caught.value.message)


@pytest.mark.parametrize(
    ("options", "code", "field"),
    [
        ({**FULL_PHONE, "wheels": "four"}, "unknown_option", "options.wheels"),
        ({**FULL_PHONE, "storage": "2tb"}, "unknown_option", "options.storage"),
        ({**FULL_PHONE, "lens": "wide"}, "unknown_option", "options.lens"),  # a group of another product
        ({k: v for k, v in FULL_PHONE.items() if k != "storage"}, "option_required", "options.storage"),
    ],
)
def test_unknown_options_and_missing_groups_are_refused(shop, options, code, field):
    with pytest.raises(InvalidInput) as caught:
        services.configure_product(product=load(shop.phone), options=options)
    assert caught.value.code == code
    assert field in caught.value.fields


def test_non_configurable_product_cannot_be_configured(shop):
    with pytest.raises(InvalidInput):
        services.configure_product(product=load(shop.shirt), options={})


def test_evaluation_explains_each_unavailable_choice(shop):
    state = configurator.evaluate(load(shop.phone), {"storage": "1tb"})
    by_code = {o.option.code: o for g in state.groups for o in g.options}
    # 1 TB is chosen with the standard processor: the standard processor is the problem.
    assert not by_code["standard"].available
    assert "Pro 或 Ultra" in by_code["standard"].reason
    assert by_code["pro"].available and by_code["ultra"].available
    assert not state.complete and state.problems
    assert state.price.amount == Decimal("5200.00")
    fresh = configurator.evaluate(load(shop.phone))
    by_code = {o.option.code: o for g in fresh.groups for o in g.options}
    assert not by_code["1tb"].available and "Pro" in by_code["1tb"].reason
    assert by_code["titanium"].available and fresh.complete


# --- API ---------------------------------------------------------------------------------------------------


def configure(client, slug, body, **extra):
    return client.post(f"/api/v1/catalog/products/{slug}/configure", body, content_type="application/json", **extra)


@pytest.mark.smoke
def test_api_configure_returns_sku_and_price(client, shop):
    response = configure(client, shop.phone.slug, {"options": {**FULL_PHONE, "processor": "ultra", "storage": "1tb"}})
    assert response.status_code == 200
    body = response.json()
    assert body["price"] == {"amount": "6800.00", "currency": "CNY"}
    assert body["sku"] == ConfiguredSku.objects.get().sku


@pytest.mark.smoke
def test_api_configure_names_the_broken_rule_in_the_customers_language(client, shop):
    response = configure(
        client, shop.phone.slug, {"options": {**FULL_PHONE, "storage": "1tb"}}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 422
    assert response.json()["code"] == "rule_requires"
    assert response.json()["message"] == "1 TB storage requires the Pro or Ultra processor"


@pytest.mark.parametrize(
    "body",
    [
        {"options": {**FULL_PHONE, "lens": "wide"}},
        {"options": {"processor": "standard"}},
        {"options": "pro"},
        {"options": {"processor": 5}},
        {"options": {"x" * 10_000: "y"}},
        {},
        [],
    ],
)
def test_api_configure_bad_input_is_422_never_500(client, shop, body):
    response = configure(client, shop.phone.slug, body)
    assert response.status_code == 422
    assert set(response.json()) == {"code", "message", "fields"}


def test_api_configure_unknown_product_is_404(client, shop):
    assert configure(client, "no-such-phone", {"options": FULL_PHONE}).status_code == 404


# --- page (HTMX live preview and the no-JavaScript fallback) -----------------------------------------------


def form(options):
    return {f"opt-{k}": v for k, v in options.items()}


def test_live_preview_shows_price_and_why_a_choice_is_unavailable(client, shop):
    url = f"/p/{shop.phone.slug}/configure/"
    response = client.post(url, form({**FULL_PHONE, "body": "titanium"}), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "¥3,900.50" in html
    assert 'id="why-colour-green"' in html and "钛金属机身没有绿色" in html
    assert 'hx-swap-oob="innerHTML"' in html
    assert ConfiguredSku.objects.count() == 0


def test_confirming_a_configuration_on_the_page(client, shop):
    url = f"/p/{shop.phone.slug}/configure/"
    response = client.post(url, {**form(FULL_PHONE), "action": "save"}, HTTP_HX_REQUEST="true")
    assert ConfiguredSku.objects.get().sku in response.content.decode()


def test_page_without_javascript_validates_again_and_answers_422(client, shop):
    url = f"/p/{shop.phone.slug}/configure/"
    response = client.post(url, {**form({**FULL_PHONE, "storage": "1tb"}), "action": "save"})
    assert response.status_code == 422
    assert "1TB 存储需要 Pro 或 Ultra 处理器" in response.content.decode()
    assert ConfiguredSku.objects.count() == 0
