"""Demo data: a default warehouse holding the catalogue's demo stock."""

from __future__ import annotations

from typing import Any

from zizhu.catalog.models import Variant
from zizhu.inventory import services
from zizhu.inventory.models import Warehouse


def seed(progress: Any = None) -> None:
    services.default_warehouse()
    Warehouse.objects.get_or_create(code="shanghai-store", defaults={"name": "上海门店 Shanghai store", "priority": 10})
    ids = list(Variant.objects.values_list("pk", flat=True))
    for start in range(0, len(ids), 1000):
        services.take_over_variants(variant_ids=ids[start : start + 1000])
