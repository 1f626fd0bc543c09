from django.urls import path

from zizhu.search import views

app_name = "search"

urlpatterns = [
    # The category page (filters and facets). config/urls.py includes these patterns before the
    # catalogue's, so /c/<slug>/ is served here; the name catalog:category reverses to the same path.
    path("c/<slug:slug>/", views.category, name="category"),
    path("browse/<slug:slug>/", views.browse_redirect, name="browse"),  # the old address
    path("search/suggest/", views.suggest, name="suggest"),
]
