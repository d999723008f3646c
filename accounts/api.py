"""Auth routes: register, login (token + session), logout."""

from django.contrib.auth import authenticate, login, logout
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.views import APIView

from accounts.models import User
from accounts.services import user_issue_token, user_register, user_revoke_token
from tokoblitar.api.errors import NotAuthenticated, envelope


class RegisterApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField(max_length=254)
        password = serializers.CharField(max_length=128, trim_whitespace=False)
        full_name = serializers.CharField(max_length=150)
        role = serializers.ChoiceField(choices=[User.Role.BUYER, User.Role.SELLER])
        phone = serializers.RegexField(r"^\+?[0-9]{8,15}$", required=False, allow_blank=True)

    @extend_schema(
        request=InputSerializer,
        responses={201: inline_serializer("RegisterOutput", {"user_id": serializers.UUIDField()})},
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_register(**data.validated_data)
        return envelope({"user_id": str(user.id)}, status=201)


class LoginApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField(max_length=254)
        password = serializers.CharField(max_length=128, trim_whitespace=False)

    @extend_schema(
        request=InputSerializer,
        responses={
            200: inline_serializer(
                "LoginOutput",
                {"user_id": serializers.UUIDField(), "role": serializers.CharField(), "token": serializers.CharField()},
            )
        },
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(request, username=data.validated_data["email"], password=data.validated_data["password"])
        if user is None:
            raise NotAuthenticated("Wrong email or password")
        login(request, user)  # session cookie for browsers
        return envelope({"user_id": str(user.id), "role": user.role, "token": user_issue_token(user=user)})


class LogoutApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: inline_serializer("LogoutOutput", {"ok": serializers.BooleanField()})})
    def post(self, request):
        user_revoke_token(user=request.user)
        logout(request)
        return envelope({"ok": True})
