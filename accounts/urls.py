from django.urls import path

from accounts import api
from stores.api import RegisterApi

app_name = "accounts_api"

urlpatterns = [
    path("auth/register", RegisterApi.as_view(), name="register"),
    path("auth/login", api.LoginApi.as_view(), name="login"),
    path("auth/logout", api.LogoutApi.as_view(), name="logout"),
]
