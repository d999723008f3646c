"""Writes for accounts."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from knox.models import AuthToken

from accounts.models import User
from stores.services import store_create_for_seller
from tokoblitar.errors import ValidationFailed

DUPLICATE_EMAIL_MESSAGE = "This email cannot be used to register"


def user_register(*, email: str, password: str, full_name: str, role: str, phone: str = "") -> User:
    """Create a buyer or seller; a seller gets their store in the same transaction."""
    if role not in (User.Role.BUYER, User.Role.SELLER):
        raise ValidationFailed("Invalid role", fields={"role": ["Choose buyer or seller"]})
    email = User.objects.normalize_email(email).lower()
    candidate = User(email=email, full_name=full_name, role=role, phone=phone)
    try:
        password_validation.validate_password(password, user=candidate)
    except DjangoValidationError as exc:
        raise ValidationFailed("Password is too weak", fields={"password": list(exc.messages)}) from exc
    try:
        with transaction.atomic():
            if User.objects.filter(email__iexact=email).exists():
                raise IntegrityError
            user = User.objects.create_user(email=email, password=password, full_name=full_name, role=role, phone=phone)
            if role == User.Role.SELLER:
                store_create_for_seller(owner=user)
    except IntegrityError as exc:
        raise ValidationFailed(DUPLICATE_EMAIL_MESSAGE, fields={"email": [DUPLICATE_EMAIL_MESSAGE]}) from exc
    return user


def user_issue_token(*, user: User) -> str:
    """Issue a new API token for one device and return it (the only time it is readable).

    Each call makes a separate token (django-rest-knox stores only its digest), so signing
    out one device leaves the others signed in. It expires per settings.REST_KNOX
    (TOKEN_TTL after last use, AUTO_REFRESH_MAX_TTL at most). Sent as `Authorization: Bearer <token>`.
    """
    _instance, token = AuthToken.objects.create(user=user)
    return token


def user_revoke_token(*, token: AuthToken) -> None:
    """Revoke one device's token (logout on that device); the user's other tokens stay valid."""
    AuthToken.objects.filter(pk=token.pk).delete()


def user_revoke_all_tokens(*, user: User) -> int:
    """Revoke every API token of `user` (password change); returns how many were revoked."""
    deleted, _ = AuthToken.objects.filter(user=user).delete()
    return deleted
