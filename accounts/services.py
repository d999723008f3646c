"""Writes for accounts."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

from accounts.models import User
from tokoblitar.errors import ValidationFailed

DUPLICATE_EMAIL_MESSAGE = _("This email cannot be used to register")


def user_register(*, email: str, password: str, full_name: str, role: str, phone: str = "") -> User:
    """Create a buyer or seller account (the user row only).

    Sign-up goes through `stores.services.account_register`, which also gives a seller her
    store in the same transaction. ValidationFailed: invalid_role, weak_password (Django's
    validators' messages), duplicate_email."""
    if role not in (User.Role.BUYER, User.Role.SELLER):
        raise ValidationFailed(_("Invalid role"), code="invalid_role", fields={"role": [_("Choose buyer or seller")]})
    email = User.objects.normalize_email(email).lower()
    candidate = User(email=email, full_name=full_name, role=role, phone=phone)
    try:
        password_validation.validate_password(password, user=candidate)
    except DjangoValidationError as exc:
        # Django's validators speak the active language (it ships Indonesian for them).
        raise ValidationFailed(
            _("Password is too weak"), code="weak_password", fields={"password": list(exc.messages)}
        ) from exc
    try:
        with transaction.atomic():
            if User.objects.filter(email__iexact=email).exists():
                raise IntegrityError
            user = User.objects.create_user(email=email, password=password, full_name=full_name, role=role, phone=phone)
    except IntegrityError as exc:
        raise ValidationFailed(
            DUPLICATE_EMAIL_MESSAGE, code="duplicate_email", fields={"email": [DUPLICATE_EMAIL_MESSAGE]}
        ) from exc
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


def tokens_purge_expired() -> int:
    """Delete expired API tokens of every user; returns how many (run by the reconcile)."""
    deleted, _ = AuthToken.objects.filter(expiry__lt=timezone.now()).delete()
    return deleted
