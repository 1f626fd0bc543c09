"""Which province an IP address is in, worked out offline (no look-up service is asked).

The built-in table only knows a few well-known provincial ISP networks (the ranges around the
provincial telecom/unicom resolvers): enough for the demo and the tests. A real shop loads a full
table with ``ZIZHU_RISK_IP_REGIONS_FILE`` (CSV lines ``cidr,province``, e.g. an ip2region export)
and/or ``ZIZHU_RISK_IP_REGIONS`` (a dict). Unknown, private and loopback addresses have no
province, so the mismatch signal stays silent for them.
"""

from __future__ import annotations

import csv
import ipaddress
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from zizhu.accounts.devices import LOCAL, place_of

BUILT_IN: dict[str, str] = {
    "202.106.0.0/16": "北京市",
    "219.141.136.0/24": "北京市",
    "202.96.209.0/24": "上海市",
    "202.96.128.0/18": "广东省",
    "61.139.2.0/24": "四川省",
    "218.2.135.0/24": "江苏省",
    "202.101.172.0/24": "浙江省",
    "202.102.224.0/24": "河南省",
    "202.103.24.0/24": "湖北省",
}

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def province_key(name: str) -> str:
    """Provinces compare by their first two characters: 广东 = 广东省, 内蒙 = 内蒙古自治区 (all 34 differ)."""
    return (name or "").strip()[:2]


def _load(extra: dict[str, str], path: str) -> tuple[tuple[Network, str], ...]:
    table = dict(BUILT_IN)
    table.update(extra)
    if path:
        with Path(path).open(encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle):
                if len(row) >= 2 and row[0].strip() and not row[0].startswith("#"):
                    table[row[0].strip()] = row[1].strip()
    networks = [(ipaddress.ip_network(cidr, strict=False), province) for cidr, province in table.items()]
    # The most specific network wins: longest prefixes first.
    networks.sort(key=lambda item: item[0].prefixlen, reverse=True)
    return tuple(networks)


@lru_cache(maxsize=4)
def _table(extra: tuple[tuple[str, str], ...], path: str) -> tuple[tuple[Network, str], ...]:
    return _load(dict(extra), path)


def province_of_ip(ip: str | None) -> str:
    """The province of a public address from the offline table, else ''."""
    if place_of(ip) in ("", LOCAL):  # unreadable, private or loopback (the devices page's own rule)
        return ""
    address = ipaddress.ip_address(str(ip))
    extra = tuple(sorted(dict(getattr(settings, "ZIZHU_RISK_IP_REGIONS", {}) or {}).items()))
    path = str(getattr(settings, "ZIZHU_RISK_IP_REGIONS_FILE", "") or "")
    for network, province in _table(extra, path):
        if address.version == network.version and address in network:
            return province
    return ""
