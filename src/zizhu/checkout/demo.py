"""Demo data: the automatic promotion 满300减30 and two vouchers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from zizhu.checkout.models import Promotion, Voucher


def seed(progress: Any = None) -> None:
    Promotion.objects.get_or_create(
        name_zh="满300减30",
        defaults={"name_en": "¥30 off orders of ¥300", "threshold": Decimal("300"), "amount": Decimal("30")},
    )
    Voucher.objects.get_or_create(
        code="WELCOME10", defaults={"kind": Voucher.Kind.PERCENT, "value": Decimal("10"), "min_spend": Decimal("50")}
    )
    Voucher.objects.get_or_create(code="FREESHIP", defaults={"kind": Voucher.Kind.FREE_DELIVERY, "per_customer": 3})
