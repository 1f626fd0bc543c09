from django.urls import path

from zizhu.catalog import views

app_name = "catalog"

urlpatterns = [
    path("p/<slug:slug>/", views.product_detail, name="product"),
    path("p/<slug:slug>/configure/", views.configure, name="configure"),
    path("p/<slug:slug>/favourite/", views.toggle_favourite, name="favourite"),
    path("c/", views.category_index, name="categories"),
    # The category page itself is the search app's (filters, facets): its /c/<slug>/ pattern is
    # included first in config/urls.py. This one keeps the name catalog:category.
    path("c/<slug:slug>/", views.category_detail, name="category"),
    path("favourites/", views.favourites, name="favourites"),
    path("history/", views.history, name="history"),
    path("history/clear/", views.clear_history, name="clear_history"),
]
