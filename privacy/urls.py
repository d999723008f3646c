from django.urls import path

from privacy import api

app_name = "privacy_api"

urlpatterns = [
    path("account/export", api.AccountExportApi.as_view(), name="export"),
    path("account/delete", api.AccountDeleteApi.as_view(), name="delete"),
]
