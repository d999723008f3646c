from rest_framework.authentication import TokenAuthentication


class BearerTokenAuthentication(TokenAuthentication):
    """`Authorization: Bearer <token>` for API clients (token issued at login)."""

    keyword = "Bearer"
