from django.urls import path

from zizhu.payments import saved_card_views, views
from zizhu.payments.risk import views as risk_views

app_name = "payments"

urlpatterns = [
    path("cards/", saved_card_views.cards, name="cards"),
    path("cards/password-free/", saved_card_views.password_free_settings, name="password_free"),
    path("cards/<int:card_id>/remove/", saved_card_views.remove_card, name="card_remove"),
    path("<str:number>/", views.pay, name="pay"),
    path("<str:number>/start/", views.start, name="start"),
    path("<str:number>/wallet/", views.wallet, name="wallet"),
    path("<str:number>/status/", views.status, name="status"),
    path("<str:number>/check/", views.check, name="check"),
    path("<str:number>/return/", views.return_from_gateway, name="return"),
    path("<str:number>/result/", views.result, name="result"),
    path("<str:number>/retry/", views.retry, name="retry"),
    path("<str:number>/verify/", risk_views.verify, name="verify"),
]
