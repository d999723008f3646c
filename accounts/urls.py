from django.urls import path

from accounts import api

app_name = "accounts_api"

urlpatterns = [
    path("auth/register", api.RegisterApi.as_view(), name="register"),
    path("auth/login", api.LoginApi.as_view(), name="login"),
    path("auth/logout", api.LogoutApi.as_view(), name="logout"),
]
