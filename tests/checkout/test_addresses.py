"""Addresses: the picker's data comes from cpca, pasted addresses are parsed into it (page with and
without JavaScript, and the API), the server checks that the district belongs to the city and the
city to the province, and the order keeps the geocode."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from tests.ordering import DETAILS, api_add, api_place, contact_address, guest_cart
from zizhu.checkout import addresses, regions
from zizhu.checkout import services as checkout
from zizhu.checkout.models import SavedAddress
from zizhu.core.errors import InvalidInput
from zizhu.orders.models import Order

pytestmark = pytest.mark.django_db


def test_the_picker_has_every_province_and_real_cities_and_districts():
    assert len(regions.province_names()) == 34
    assert regions.cities_of("上海市") == ["上海市"]  # a municipality: one city named like it
    assert "浦东新区" in regions.districts_of("上海市", "上海市")
    assert "仙桃市" in regions.cities_of("湖北省")  # a county-level city directly under the province
    assert "省直辖县级行政区划" not in regions.cities_of("湖北省")
    assert "南山区" in regions.districts_of("广东省", "深圳市")
    assert "龙华区" in regions.districts_of("广东省", "深圳市")  # newer than cpca's table, added here
    assert "市辖区" not in regions.districts_of("广东省", "深圳市")
    assert regions.cities_of("香港特别行政区") == ["香港特别行政区"]
    assert regions.cities_of("火星") == [] and regions.districts_of("广东省", "北京市") == []


@pytest.mark.smoke
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("广东省深圳市南山区科技园路1号", ("广东省", "深圳市", "南山区", "科技园路1号", "440305")),
        ("上海市浦东新区世纪大道100号", ("上海市", "上海市", "浦东新区", "世纪大道100号", "310115")),
        ("北京朝阳区建国路88号", ("北京市", "北京市", "朝阳区", "建国路88号", "110105")),
        ("湖北省仙桃市沔阳大道1号", ("湖北省", "仙桃市", "", "沔阳大道1号", "429004")),
        ("深圳市龙华区民治大道1号", ("广东省", "深圳市", "龙华区", "民治大道1号", "440309")),
    ],
)
def test_a_pasted_address_is_split_and_geocoded(text, expected):
    parsed = addresses.parse(text)
    assert (parsed.province, parsed.city, parsed.district, parsed.line, parsed.adcode) == expected
    assert parsed.found
    assert 73 < float(parsed.longitude) < 136 and 3 < float(parsed.latitude) < 54  # inside China


def test_text_without_a_place_is_not_found():
    assert not addresses.parse("hello world").found
    assert addresses.parse("hello world").line == "hello world"
    assert not addresses.parse("").found


def test_the_server_checks_that_the_parts_belong_together():
    place, errors = addresses.resolve(province="广东", city="深圳", district="南山")
    assert errors == {} and (place.province, place.city, place.district, place.adcode) == (
        "广东省",
        "深圳市",
        "南山区",
        "440305",
    )
    _place, errors = addresses.resolve(province="广东省", city="深圳市", district="浦东新区")
    assert "浦东新区" in errors["district"][0]
    _place, errors = addresses.resolve(province="广东省", city="北京市", district="")
    assert list(errors) == ["city"]
    _place, errors = addresses.resolve(province="火星", city="x", district="")
    assert list(errors) == ["province"]
    place, errors = addresses.resolve(province="广东省", city="深圳市", district="某新区")  # unknown: kept as typed
    assert errors == {} and place.district == "某新区" and place.adcode == "440300"


def test_a_district_of_another_city_is_refused_with_nothing_changed(tee_m):
    contact, _address = contact_address()
    cart = guest_cart((tee_m, 1))
    wrong = checkout.Address("广东省", "深圳市", "浦东新区", "科技园路1号")
    with pytest.raises(InvalidInput) as caught:
        checkout.place_order(cart=cart, customer=None, contact=contact, address=wrong, delivery="standard")
    assert set(caught.value.fields) == {"district"}
    assert Order.objects.count() == 0


@pytest.mark.smoke
def test_the_order_and_the_saved_address_keep_the_geocode(tee_m, customer):
    from zizhu.cart import services as carts
    from zizhu.catalog.owners import Owner

    cart = carts.open_cart(owner=Owner(user=customer), create=True)
    carts.add_item(cart=cart, sku=tee_m.sku, quantity=1)
    contact, _address = contact_address()
    address = checkout.Address("广东", "深圳", "南山", "科技园路1号")
    order = checkout.place_order(cart=cart, customer=customer, contact=contact, address=address, delivery="standard")
    order.refresh_from_db()
    assert (order.province, order.city, order.district, order.adcode) == ("广东省", "深圳市", "南山区", "440305")
    assert order.longitude == Decimal("113.930413") and order.latitude == Decimal("22.533287")
    saved = SavedAddress.objects.get(user=customer)
    assert saved.adcode == "440305" and saved.longitude == Decimal("113.930413")


def test_api_parse_and_regions(client):
    response = client.post(
        "/api/v1/checkout/address/parse",
        json.dumps({"text": "广东省深圳市南山区科技园路1号"}),
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["found"] and body["district"] == "南山区" and body["line"] == "科技园路1号"
    assert body["adcode"] == "440305" and body["longitude"] == "113.930413"
    for bad in ({}, {"text": None}, {"text": ["x"]}, {"text": "x" * 301}):
        assert (
            client.post("/api/v1/checkout/address/parse", json.dumps(bad), content_type="application/json").status_code
            == 422
        )
    assert client.get("/api/v1/checkout/regions").json()["level"] == "province"
    assert "深圳市" in client.get("/api/v1/checkout/regions", {"province": "广东省"}).json()["names"]
    districts = client.get("/api/v1/checkout/regions", {"province": "广东省", "city": "深圳市"}).json()
    assert districts["level"] == "district" and "南山区" in districts["names"]
    assert client.get("/api/v1/checkout/regions", {"province": "火星"}).status_code == 404
    assert client.get("/api/v1/checkout/regions", {"province": "广东省", "city": "北京市"}).status_code == 404


def test_api_order_with_a_wrong_city_is_422_naming_the_field(client, tee_m):
    assert api_add(client, tee_m.sku).status_code == 201
    body = json.loads(json.dumps(DETAILS))
    body["address"] = {"province": "广东省", "city": "上海市", "district": "", "line": "x 路 1 号"}
    response = api_place(client, body)
    assert response.status_code == 422 and set(response.json()["fields"]) == {"city"}
    assert Order.objects.count() == 0


def test_checkout_page_fills_the_picker_from_a_pasted_address_without_javascript(client, tee_m):
    client.post("/cart/add/", {"sku": tee_m.sku, "quantity": "1"})
    page = client.get("/checkout/").content.decode()
    assert 'list="city-options"' in page and 'id="district-options"' in page
    response = client.post(
        "/checkout/", {"name": "王小明", "line": "广东省深圳市南山区科技园路1号", "parse": "1", "delivery": "standard"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert '<option value="广东省" selected>' in html
    assert 'value="深圳市"' in html and 'value="南山区"' in html and 'value="科技园路1号"' in html
    assert 'value="王小明"' in html  # what was typed stays
    assert "error-summary" not in html  # not an attempt to continue: no errors shown
    assert '<option value="宝安区">' in html  # the district suggestions follow the city


def test_htmx_parse_and_options(client, tee_m):
    response = client.post(
        "/checkout/address/parse/", {"line": "上海市浦东新区世纪大道100号"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'id="address-fields"' in html
    assert 'hx-swap-oob="innerHTML"' in html and "上海市 上海市 浦东新区" in html
    options = client.get("/checkout/address/options/", {"province": "广东省", "city": "深圳市"}).content.decode()
    assert '<option value="深圳市">' in options and '<option value="南山区">' in options
    assert client.get("/checkout/address/parse/").status_code == 405
