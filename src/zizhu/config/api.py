"""The API: one Ninja instance at /api/v1/, one router per app."""

from ninja import NinjaAPI

from zizhu.accounts.api import auth_router, me_router, staff_router
from zizhu.cart.api import cart_router
from zizhu.catalog.api import catalog_router, favourites_router, history_router
from zizhu.checkout.api import checkout_router
from zizhu.core.api_errors import install_error_handlers
from zizhu.core.api_parser import StrictParser
from zizhu.notifications.api import inbox_router, settings_router
from zizhu.orders.api import orders_router
from zizhu.payments.api import payments_router
from zizhu.recommendations.api import recommendations_router
from zizhu.search.api import products_router, search_router

api = NinjaAPI(
    title="Zizhu API",
    version="1.0.0",
    description=(
        "Zizhu (自助) shop API. Browsers use the session cookie with the CSRF token; "
        "programs send `Authorization: Bearer <token>` (create tokens at /api/v1/auth/tokens). "
        'Amounts are strings: {"amount": "19.90", "currency": "CNY"}. '
        'Errors are JSON {"code", "message", "fields"}.'
    ),
    urls_namespace="api",
    parser=StrictParser(),
)
install_error_handlers(api)
api.add_router("/auth", auth_router)
api.add_router("/me", me_router)
api.add_router("/staff", staff_router)
api.add_router("/catalog", catalog_router)
api.add_router("/me/favourites", favourites_router)
api.add_router("/me/history", history_router)
api.add_router("/me/inbox", inbox_router)
api.add_router("/me/notifications", settings_router)
api.add_router("/catalog/products", products_router)  # the list with facets (zizhu.search)
api.add_router("/search", search_router)
api.add_router("/payments", payments_router)
api.add_router("/cart", cart_router)
api.add_router("/checkout", checkout_router)
api.add_router("/orders", orders_router)
api.add_router("/recommendations", recommendations_router)
