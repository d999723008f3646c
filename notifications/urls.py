"""Notification pages, included by storefront/urls.py under `notifikasi/` (namespace
`storefront:notifications`)."""

from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("jumlah/", views.notification_unread, name="unread"),
    path("<uuid:notification_id>/buka/", views.notification_open, name="open"),
    path("baca-semua/", views.notification_read_all, name="read-all"),
    path("pengaturan/", views.notification_settings, name="settings"),
]
