from tests.ordering import category, phone, phone_sku, shirt, tee_l, tee_m  # noqa: F401
