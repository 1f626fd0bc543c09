from django.urls import path

from zizhu.cart import views

app_name = "cart"

urlpatterns = [
    path("", views.cart_page, name="cart"),
    path("add/", views.add, name="add"),
    path("lines/<int:line_id>/", views.change, name="change"),
]
