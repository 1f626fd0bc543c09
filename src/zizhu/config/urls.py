from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from zizhu.config.api import api
from zizhu.core import views as core_views

admin.site.site_header = admin.site.site_title = "自助商城 · 后台 Zizhu back office"
admin.site.index_title = "Zizhu"

urlpatterns = [
    # First: an API call is then matched without trying every page's pattern (the checkout's hot path).
    path("api/v1/", api.urls),
    path("", include("zizhu.storefront.urls")),
    path("accounts/", include("zizhu.accounts.urls")),
    path("", include("zizhu.search.urls")),
    path("", include("zizhu.catalog.urls")),
    path("cart/", include("zizhu.cart.urls")),
    path("checkout/", include("zizhu.checkout.urls")),
    path("orders/", include("zizhu.orders.urls")),
    path("pay/", include("zizhu.payments.urls")),
    path("recommendations/", include("zizhu.recommendations.urls")),
    path("inbox/", include("zizhu.notifications.urls")),
    path("sandbox-gateway/", include("zizhu.payments.sandbox_gateway.urls")),
    # The back office is not at /admin/, the first path every scanner tries.
    path("backoffice/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("healthz", core_views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on pages without an icon link (the back office's login).
    path("favicon.ico", core_views.favicon),
    path("readyz", core_views.readyz, name="readyz"),
]

if settings.DEBUG or not settings.PRODUCTION:
    from django.views.static import serve

    urlpatterns.append(path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}))

handler404 = "zizhu.core.views.not_found"
handler500 = "zizhu.core.views.server_error"
