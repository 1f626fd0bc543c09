from django.urls import path

from zizhu.checkout import views

app_name = "checkout"

urlpatterns = [
    path("", views.start, name="start"),
    path("review/", views.review, name="review"),
    path("place/", views.place, name="place"),
    path("address/options/", views.address_options, name="address_options"),
    path("address/parse/", views.parse_address, name="parse_address"),
    path("again/<str:number>/", views.buy_again, name="buy_again"),
]
