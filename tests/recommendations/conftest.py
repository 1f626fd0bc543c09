from tests.ordering import category, shirt, tee_l, tee_m  # noqa: F401  (orders for test_order_purchases)
