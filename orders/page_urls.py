from django.urls import path

from orders import views

app_name = "orders"

urlpatterns = [
    path("pay/<uuid:order_id>/", views.payment_page, name="pay"),
    path("pay/<uuid:order_id>/status", views.payment_status, name="pay-status"),
    path("pay/<uuid:order_id>/qr.png", views.payment_qr_png, name="pay-qr"),
    path("pay/<uuid:order_id>/simulate/<str:action>", views.payment_simulate_view, name="pay-simulate"),
]
