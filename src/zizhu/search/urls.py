from django.urls import path

from zizhu.search import views

app_name = "search"

urlpatterns = [
    path("browse/<slug:slug>/", views.category, name="category"),  # a category with filters and facets
    path("search/suggest/", views.suggest, name="suggest"),
]
