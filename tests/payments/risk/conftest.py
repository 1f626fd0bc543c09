from tests.ordering import category, shirt, tee_m  # noqa: F401  (a T-shirt in stock to order)
