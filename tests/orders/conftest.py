import pytest

from tests.ordering import category, phone, phone_sku, shirt, tee_l, tee_m  # noqa: F401
from tests.payments.conftest import payment_settings  # noqa: F401  (webhooks through the test client)


@pytest.fixture
def guest_order(tee_m):  # noqa: F811  (the fixture imported above)
    """A guest's unpaid order of one TEE-M, placed through the checkout."""
    from tests.ordering import contact_address, guest_cart
    from zizhu.checkout import services as checkout

    contact, address = contact_address()
    return checkout.place_order(
        cart=guest_cart((tee_m, 1)), customer=None, contact=contact, address=address, delivery="standard"
    )
