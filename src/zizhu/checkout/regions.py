"""Mainland China's divisions for the address picker, read from cpca's own data (its ``adcodes.csv``:
adcode, name, longitude, latitude of every province, city and district), so the picker, the server's
check and the parser of pasted addresses (``zizhu.checkout.addresses``) agree on every name.

The table is read once per process, on first use (40–90 ms measured here, no pandas): the picker and ``place_order``
only look names up in dictionaries. cpca's quirks are smoothed here:

* the four municipalities have pseudo-cities "市辖区"/"县": the picker shows one city named like the
  municipality (上海市 → 上海市 → 浦东新区), with all their districts;
* "省直辖县级行政区划" is not a city: its members (仙桃市, 琼海市, …) are cities without districts;
* places with no city level in the data (香港, 澳门, 台湾) get one city named like themselves;
* a few retired entries have no coordinates: the geocode falls back to the enclosing division.
"""

from __future__ import annotations

import csv
import importlib.util
import io
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

MUNICIPALITIES = ("11", "12", "31", "50")
PSEUDO_CITY_NAMES = ("市辖区", "县")
# Districts created after cpca's table was made (about 2016) whose customers would otherwise be
# refused or misplaced (深圳's 龙华区 would be taken for 海口's). Geocoded to their city.
NEWER_DISTRICTS = {
    "440309": "龙华区", "440310": "坪山区", "440311": "光明区", "510117": "郫都区", "510118": "新津区",
    "330112": "临安区", "350112": "长乐区", "370114": "章丘区",
}  # fmt: skip
DIRECT_SUFFIX = "直辖县级行政区划"


@dataclass(frozen=True)
class Region:
    adcode: str  # six digits: province 440000, city 440300, district 440305
    name: str
    longitude: str = ""  # decimal degrees as text ("113.930413"); "" when cpca has none
    latitude: str = ""

    @property
    def has_point(self) -> bool:
        return bool(self.longitude and self.latitude)


@dataclass
class Tree:
    provinces: dict[str, Region] = field(default_factory=dict)  # by name
    cities: dict[str, dict[str, Region]] = field(default_factory=dict)  # province adcode → name → city
    districts: dict[str, dict[str, Region]] = field(default_factory=dict)  # city adcode → name → district


def _rows() -> list[Region]:
    # find_spec locates the package without importing it: importing cpca builds its matcher
    # through pkg_resources (~0.4 s), which the picker does not need.
    spec = importlib.util.find_spec("cpca")
    if spec is None or spec.origin is None:
        raise RuntimeError("cpca is not installed")
    raw = (Path(spec.origin).parent / "resources" / "adcodes.csv").read_text(encoding="utf-8")
    return [
        Region(row["adcode"][:6], row["name"], row["longitude"] or "", row["latitude"] or "")
        for row in csv.DictReader(io.StringIO(raw))
    ]


@lru_cache(maxsize=1)
def tree() -> Tree:
    rows = sorted(_rows(), key=lambda r: r.adcode)
    result = Tree()
    by_code = {r.adcode: r for r in rows}
    for region in rows:
        if region.adcode.endswith("0000"):
            result.provinces[region.name] = region
            result.cities[region.adcode] = {}
    for region in rows:  # cities (or what stands for them)
        province_code = region.adcode[:2] + "0000"
        if region.adcode.endswith("0000") or province_code not in result.cities:
            continue
        is_city_rank = region.adcode.endswith("00")
        if region.adcode[:2] in MUNICIPALITIES:
            _municipality_city(result, by_code[province_code])
        elif is_city_rank and not region.name.endswith(DIRECT_SUFFIX):
            result.cities[province_code][region.name] = region
            result.districts.setdefault(region.adcode, {})
        elif not is_city_rank and by_code.get(region.adcode[:4] + "00", region).name.endswith(DIRECT_SUFFIX):
            result.cities[province_code][region.name] = region  # 仙桃市: a county-level city on its own
            result.districts.setdefault(region.adcode, {})
    for region in rows:  # districts
        if region.adcode.endswith("00") or region.name in PSEUDO_CITY_NAMES:
            continue
        if region.adcode[:2] in MUNICIPALITIES:
            city = _municipality_city(result, by_code[region.adcode[:2] + "0000"])
        else:
            city = by_code.get(region.adcode[:4] + "00")
        if city is not None and city.adcode in result.districts and region.adcode not in result.districts:
            result.districts[city.adcode][region.name] = region
    for code, name in NEWER_DISTRICTS.items():
        city = by_code.get(code[:4] + "00")
        if city is not None and city.adcode in result.districts:
            result.districts[city.adcode].setdefault(name, Region(code, name, city.longitude, city.latitude))
    for province in result.provinces.values():  # 香港, 澳门, 台湾: no city level in the data
        if not result.cities[province.adcode]:
            result.cities[province.adcode][province.name] = province
            result.districts.setdefault(province.adcode, {})
    return result


def _municipality_city(result: Tree, province: Region) -> Region:
    """The one city of a municipality, named like it (上海市), adcode xx0100."""
    cities = result.cities[province.adcode]
    if province.name not in cities:
        city = Region(province.adcode[:2] + "0100", province.name, province.longitude, province.latitude)
        cities[province.name] = city
        result.districts.setdefault(city.adcode, {})
    return cities[province.name]


def province_names() -> list[str]:
    return list(tree().provinces)


def cities_of(province: str) -> list[str]:
    region = tree().provinces.get(province)
    return list(tree().cities.get(region.adcode, {})) if region else []


def districts_of(province: str, city: str) -> list[str]:
    found = find_city(province, city)
    return list(tree().districts.get(found.adcode, {})) if found else []


def _named(options: dict[str, Region], name: str, suffixes: tuple[str, ...]) -> Region | None:
    """Exact name, or the name a customer typed without its suffix (深圳 → 深圳市)."""
    if name in options:
        return options[name]
    for suffix in suffixes:
        if name + suffix in options:
            return options[name + suffix]
    return None


def find_province(name: str) -> Region | None:
    return _named(tree().provinces, name, ("省", "市", "自治区", "特别行政区"))


def find_city(province: str, city: str) -> Region | None:
    found = find_province(province)
    if found is None:
        return None
    return _named(tree().cities.get(found.adcode, {}), city, ("市", "地区", "自治州", "盟"))


DISTRICT_SUFFIXES = ("区", "县", "市", "旗")


def find_district(city: Region, district: str) -> Region | None:
    return _named(tree().districts.get(city.adcode, {}), district, DISTRICT_SUFFIXES)


@lru_cache(maxsize=1)
def _all_district_names() -> frozenset[str]:
    return frozenset(name for districts in tree().districts.values() for name in districts)


def is_known_district(name: str) -> bool:
    """Whether the name is a district somewhere in the data (so it can be checked against the city).
    cpca's table predates a few districts (深圳 龙华区, 2016…): unknown names are taken as typed."""
    names = _all_district_names()
    return name in names or any(name + suffix in names for suffix in DISTRICT_SUFFIXES)
