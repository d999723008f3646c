"""Auth routes: register, login (token, plus a session for same-site browsers), logout."""

from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from knox.models import AuthToken
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.views import APIView

from accounts.services import user_issue_token, user_revoke_token
from tokoblitar.api.errors import envelope
from tokoblitar.api.schema import error_response
from tokoblitar.errors import NotAuthenticated


class _CsrfCheck(CsrfViewMiddleware):
    # Django's own check (Origin/Referer against the host and CSRF_TRUSTED_ORIGINS, then the
    # token), as DRF's SessionAuthentication runs it; answers the reason instead of a 403.
    def _reject(self, request: HttpRequest, reason: str) -> str:
        return reason


def request_passes_csrf(request: HttpRequest) -> bool:
    """True when `request` would pass Django's CSRF check (same-site page with a valid token)."""
    check = _CsrfCheck(lambda _request: None)
    check.process_request(request)
    return check.process_view(request, None, (), {}) is None


class LoginApi(APIView):
    """`POST /api/auth/login {email, password}` → `{data: {user_id, role, token}}`; 401 if wrong.

    Every successful login issues a new per-device token (see user_issue_token). A session
    cookie is set only when the request passes Django's CSRF check, i.e. it comes from one of
    our own pages with the CSRF token (`X-CSRFToken` header or `csrfmiddlewaretoken` field)
    and a same-origin Origin/Referer. A request without one (a cross-site form post, or an API
    client that only wants the token) still gets its token but no cookie, so a hostile page
    cannot sign a visitor's browser into another account (login CSRF). Rate-limited with the
    other sign-in routes (tokoblitar.api.ratelimit).
    """

    permission_classes = [AllowAny]
    authentication_classes: list = []

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField(max_length=254)
        password = serializers.CharField(max_length=128, trim_whitespace=False)

    @extend_schema(
        operation_id="auth_login",
        request=InputSerializer,
        responses={
            200: inline_serializer(
                "LoginOutput",
                {"user_id": serializers.UUIDField(), "role": serializers.CharField(), "token": serializers.CharField()},
            ),
            401: error_response("Wrong email or password"),
        },
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(request, username=data.validated_data["email"], password=data.validated_data["password"])
        if user is None:
            raise NotAuthenticated(_("Wrong email or password"), code="wrong_credentials")
        if request_passes_csrf(request._request):
            login(request, user)  # session cookie for our own pages
        else:
            user_logged_in.send(sender=user.__class__, request=request, user=user)  # last_login, audit
        return envelope({"user_id": str(user.id), "role": user.role, "token": user_issue_token(user=user)})


class LogoutApi(APIView):
    """`POST /api/auth/logout` → `{data: {ok: true}}`.

    With a token: revokes that token only (the user's other devices stay signed in). With the
    session cookie (CSRF token required): ends the session. Sockets opened under the ended
    session are closed (accounts.realtime).
    """

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_logout",
        request=None,
        responses={200: inline_serializer("LogoutOutput", {"ok": serializers.BooleanField()})},
    )
    def post(self, request):
        if isinstance(request.auth, AuthToken):
            user_revoke_token(token=request.auth)
        else:
            logout(request._request)
        return envelope({"ok": True})
