from django.urls import path

from zizhu.orders import views

app_name = "orders"

urlpatterns = [
    path("", views.order_list, name="list"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/cancel/", views.cancel, name="cancel"),
    path("<str:number>/receipt.pdf", views.receipt_pdf, name="receipt_pdf"),
]
