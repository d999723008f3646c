"""The sales-channel pages, included by dashboard/urls.py under `marketplace/` (namespace
`dashboard:marketplace`). The simulator consent path is fixed by the channels
(`/dashboard/marketplace/simulator/<platform>/authorize`)."""

from django.urls import path

from dashboard import marketplace_views as views

app_name = "marketplace"

urlpatterns = [
    path("", views.index, name="index"),
    path("hubungkan/<str:platform>/", views.connect_start, name="connect"),
    path("callback/<str:platform>/", views.connect_callback, name="callback"),
    path("putuskan/<str:platform>/", views.disconnect, name="disconnect"),
    path("sinkron/<str:platform>/", views.sync, name="sync"),
    path("simulasi-pesanan/<str:platform>/", views.simulate_order, name="simulate-order"),
    path("pesanan/<str:order_id>/<str:action>/", views.order_action, name="order-action"),
    path("simulator/<str:platform>/authorize", views.simulator_authorize, name="simulator-authorize"),
]
