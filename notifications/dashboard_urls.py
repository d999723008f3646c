"""The seller's alert settings, included by dashboard/urls.py under `peringatan/` (namespace
`dashboard:alerts`)."""

from django.urls import path

from notifications import views

app_name = "alerts"

urlpatterns = [path("", views.alert_settings, name="settings")]
