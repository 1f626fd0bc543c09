from django.urls import path

from zizhu.payments.sandbox_gateway import views

app_name = "sandbox_gateway"

urlpatterns = [
    path("pay/<str:intent_id>/", views.card_page, name="pay"),
    path("3ds/<str:intent_id>/", views.challenge_page, name="challenge"),
    path("wallet/<str:intent_id>/<str:secret>/", views.wallet_page, name="wallet"),
    path("v1/tokens", views.create_token, name="tokens"),
]
