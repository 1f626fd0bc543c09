"""Fixtures of the security sweeps: a shop, and customer A's world of things (see world.py)."""

import pytest

from tests.accounts.conftest import make_staff  # noqa: F401
from tests.ordering import category, shirt, tee_l, tee_m  # noqa: F401
from tests.payments.conftest import payment_settings  # noqa: F401  (webhooks through the test client)
from tests.security.world import alice_world  # noqa: F401


@pytest.fixture(autouse=True)
def no_floor(settings):
    """Real sign-ins need not wait for the equal-time floor in these tests."""
    settings.ZIZHU_AUTH_RESPONSE_FLOOR = {}
