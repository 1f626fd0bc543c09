from django.urls import path

from zizhu.search import views as search_views
from zizhu.storefront import views

app_name = "storefront"

urlpatterns = [
    path("", views.home, name="home"),
    path("help/", views.help_centre, name="help"),
    path("search/", search_views.search, name="search"),  # products + help topics (zizhu.search)
    path("preferences/elder-mode/", views.set_elder_mode, name="set_elder_mode"),
    path("preferences/language/", views.set_language, name="set_language"),
]
