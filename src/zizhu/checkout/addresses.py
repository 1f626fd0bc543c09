"""Addresses: check a province / city / district against each other, geocode them, and parse a pasted
full address ("广东省深圳市南山区科技园路1号") with cpca into the picker's fields.

The geocode is the most precise division cpca knows a point for (the district's centre, else the
city's, else the province's): good enough to group deliveries and plan routes, not a door position.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from zizhu.checkout import regions

MAX_PASTED = 300


@dataclass(frozen=True)
class Place:
    province: str
    city: str
    district: str
    adcode: str = ""
    longitude: str = ""
    latitude: str = ""


def resolve(*, province: str, city: str, district: str) -> tuple[Place, dict[str, list[str]]]:
    """Canonical names and geocode, or the errors per field (in words). An unknown district name is
    kept as typed (cpca's table misses some recent ones); one that belongs to another city is not."""
    errors: dict[str, list[str]] = {}
    found_province = regions.find_province(province)
    if found_province is None:
        errors["province"] = [_("Choose a province from the list.")]
        return Place(province, city, district), errors
    found_city = regions.find_city(found_province.name, city) if city else None
    if found_city is None:
        if city:
            errors["city"] = [
                _("%(city)s is not a city of %(province)s. Choose one from the list.")
                % {"city": city, "province": found_province.name}
            ]
        return Place(found_province.name, city, district), errors
    found_district = regions.find_district(found_city, district) if district else None
    if district and found_district is None and regions.is_known_district(district):
        errors["district"] = [
            _("%(district)s is not in %(city)s. Check the district, or leave it empty.")
            % {"district": district, "city": found_city.name}
        ]
    candidates = (found_district, found_city, found_province)
    point = next((r for r in candidates if r is not None and r.has_point), found_province)
    return (
        Place(
            province=found_province.name,
            city=found_city.name,
            district=found_district.name if found_district else district,
            adcode=(found_district or found_city).adcode,
            longitude=point.longitude,
            latitude=point.latitude,
        ),
        errors,
    )


@dataclass(frozen=True)
class Parsed:
    province: str
    city: str
    district: str
    line: str
    adcode: str
    longitude: str
    latitude: str

    @property
    def found(self) -> bool:
        return bool(self.province)


def parse(text: str) -> Parsed:
    """Split a pasted address into province, city, district and the rest (the detail line).
    cpca fills in what the text leaves out when it is unambiguous (深圳南山 → 广东省 深圳市 南山区)."""
    text = " ".join(str(text or "").split())[:MAX_PASTED]
    if not text:
        return Parsed("", "", "", "", "", "", "")
    import cpca  # heavy (pandas): loaded on the first parse, not at start-up

    row = cpca.transform([text]).iloc[0]

    def cell(name: str) -> str:
        value = row.get(name)
        return value if isinstance(value, str) else ""

    province, city, district, rest = cell("省"), cell("市"), cell("区"), cell("地址")
    if not province:
        return Parsed("", "", "", text, "", "", "")
    if city in regions.PSEUDO_CITY_NAMES or not city:
        # Municipalities (上海市 → 上海市), and the places without a city level (香港).
        city = province if regions.find_city(province, province) else city
    if city.endswith(regions.DIRECT_SUFFIX):  # 湖北省 省直辖县级行政区划 仙桃市: the city is 仙桃市
        city, district = district, ""
    if not district and city:  # a district newer than cpca's table stays in the rest: take it out
        district, rest = _leading_district(province, city, rest)
    place, _errors = resolve(province=province, city=city, district=district)
    return Parsed(
        place.province, place.city, place.district, rest.strip(), place.adcode, place.longitude, place.latitude
    )


def _leading_district(province: str, city: str, rest: str) -> tuple[str, str]:
    for name in regions.districts_of(province, city):
        if rest.startswith(name):
            return name, rest[len(name) :]
    return "", rest
