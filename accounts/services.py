"""Writes for accounts."""

from __future__ import annotations

import re

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

from accounts.models import SavedAddress, User
from tokoblitar import phones
from tokoblitar.errors import NotFound, ValidationFailed

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


# --- Saved addresses ------------------------------------------------------------------------


def saved_address_create(*, actor: User, address: dict, label: str = "", is_default: bool = False) -> SavedAddress:
    """Keep a shipping address for `actor`. `address` is what `storefront.forms.AddressForm`
    cleans: {name, phone, address, district_id, district, city, postal_code}. The first address,
    or one marked `is_default`, becomes the default. ValidationFailed (`too_many_addresses`)
    past SavedAddress.MAX_PER_USER, or on a field rule."""
    with transaction.atomic():
        # The user row serialises two saves at once (the limit and the one default).
        User.objects.select_for_update().filter(pk=actor.pk).first()
        existing = SavedAddress.objects.filter(user=actor)
        if existing.count() >= SavedAddress.MAX_PER_USER:
            raise ValidationFailed(
                _("You can keep up to %(max)s addresses"),
                code="too_many_addresses",
                params={"max": SavedAddress.MAX_PER_USER},
            )
        is_default = is_default or not existing.exists()
        if is_default:
            existing.filter(is_default=True).update(is_default=False)
        saved = SavedAddress(user=actor, label=label, is_default=is_default, **address)
        try:
            saved.full_clean()
        except DjangoValidationError as exc:
            raise ValidationFailed(_("Check the address"), code="invalid_address", fields=exc.message_dict) from exc
        saved.save()
    return saved


def saved_address_delete(*, actor: User, address_id: int) -> None:
    """Forget one of `actor`'s addresses (NotFound for anyone else's); the newest remaining one
    becomes the default when the default goes."""
    with transaction.atomic():
        saved = SavedAddress.objects.select_for_update().filter(pk=address_id, user=actor).first()
        if saved is None:
            raise NotFound(_("Address not found"), code="address_not_found")
        was_default = saved.is_default
        saved.delete()
        if was_default:
            successor = SavedAddress.objects.filter(user=actor).order_by("-created_at", "-id").first()
            if successor is not None:
                SavedAddress.objects.filter(pk=successor.pk).update(is_default=True)


# --- Profile and password -------------------------------------------------------------------

PHONE_PATTERN = phones.PHONE_PATTERN


def user_profile_update(*, actor: User, full_name: str, phone: str = "") -> User:
    """Change `actor`'s own name and phone (the only profile fields a user edits; the email is
    her sign-in and stays). `full_name` 2–150 characters, `phone` empty or 8–15 digits with an
    optional leading +. ValidationFailed (`invalid_profile`, field messages) and nothing saved
    when a rule fails."""
    full_name = (full_name or "").strip()
    phone = phones.phone_normalize(phone)
    fields: dict[str, list] = {}
    if not 2 <= len(full_name) <= 150:
        fields["full_name"] = [_("Enter your name (2 to 150 characters)")]
    if phone and not re.fullmatch(PHONE_PATTERN, phone):
        fields["phone"] = [_("8 to 15 digits, optionally starting with +")]
    if fields:
        raise ValidationFailed(_("Check your profile"), code="invalid_profile", fields=fields)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        user.full_name, user.phone = full_name, phone
        user.save(update_fields=["full_name", "phone"])
    actor.full_name, actor.phone = full_name, phone
    return user


def user_change_password(*, actor: User, old_password: str, new_password: str) -> User:
    """Change `actor`'s password after checking the current one.

    Saving the new password revokes every API token of the user and closes her sockets
    (User.save); every session signed in with the old password ends through Django's session
    auth hash. The caller keeps its own session with `update_session_auth_hash`. Returns the
    user with the new hash. ValidationFailed: `wrong_password` (field old_password),
    `weak_password` (field new_password, Django's validators' messages)."""
    if not actor.check_password(old_password):
        message = _("The current password is wrong")
        raise ValidationFailed(message, code="wrong_password", fields={"old_password": [message]})
    try:
        password_validation.validate_password(new_password, user=actor)
    except DjangoValidationError as exc:
        raise ValidationFailed(
            _("Password is too weak"), code="weak_password", fields={"new_password": list(exc.messages)}
        ) from exc
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        user.set_password(new_password)
        user.save(update_fields=["password"])
    actor.password = user.password
    return user
