from django.urls import path

from zizhu.recommendations import views

app_name = "recommendations"

urlpatterns = [
    path("for-you/", views.for_you, name="for_you"),
    path("p/<int:product_id>/", views.related, name="related"),
    path("hide/<int:product_id>/", views.hide, name="hide"),
    path("cart/", views.cart_suggestions, name="cart"),
    path("size/<int:product_id>/", views.size_advice, name="size_advice"),
]
