from tests.ordering import category, phone, phone_sku, shirt, tee_l, tee_m  # noqa: F401
from tests.payments.conftest import payment_settings  # noqa: F401  (webhooks through the test client)
