from tests.ordering import category, shirt, tee_l, tee_m  # noqa: F401  (orders for test_order_purchases)
from tests.recommendations.shop_fixtures import history, shop  # noqa: F401  (a tiny shop with known purchases)
