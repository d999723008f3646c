"""Forms of the account pages: profile, password change and reset, account deletion.

They parse and label input; the services (accounts.services, privacy.services) decide the rules.
"""

from __future__ import annotations

import hashlib

from django import forms
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm
from django.contrib.auth.forms import SetPasswordForm as DjangoSetPasswordForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import is_ratelimited

from tokoblitar.phones import PhoneFormField

# Reset emails one address may receive (per hour, from any number of visitors): past this the
# page answers exactly as before but sends nothing, so nobody can flood an inbox and the answer
# still says nothing about whether the address has an account. Requests per visitor are limited
# with the other sign-in routes (tokoblitar.api.ratelimit).
RESET_EMAILS_PER_ADDRESS = "3/h"


def _email_key(group: str, request: HttpRequest) -> str:
    # The address is read by the form and put on the request; the cache key holds a digest only.
    return hashlib.sha256(request._reset_email.encode()).hexdigest()


class PasswordResetForm(DjangoPasswordResetForm):
    """Django's reset form (token link by email, nothing sent for unknown or inactive accounts)
    with our label and a per-address limit."""

    email = forms.EmailField(
        label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )

    def save(self, *args, request: HttpRequest | None = None, **kwargs) -> None:  # noqa: ANN002, ANN003
        if request is not None:
            request._reset_email = self.cleaned_data["email"].strip().lower()
            if is_ratelimited(
                request,
                group="password-reset-email",
                key=_email_key,
                rate=RESET_EMAILS_PER_ADDRESS,
                increment=True,
            ):
                return
        super().save(*args, request=request, **kwargs)


class SetPasswordForm(DjangoSetPasswordForm):
    """The new password after following a reset link (Django's validators and messages)."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("Kata sandi baru")
        self.fields["new_password2"].label = _("Ulangi kata sandi baru")


class ProfileForm(forms.Form):
    full_name = forms.CharField(
        label=_("Nama lengkap"),
        min_length=2,
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = PhoneFormField(label=_("Nomor HP (opsional)"), required=False)


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("Kata sandi sekarang"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("Kata sandi baru"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Minimal 8 karakter, jangan hanya angka."),
    )
    new_password_again = forms.CharField(
        label=_("Ulangi kata sandi baru"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("new_password") and data.get("new_password_again") != data.get("new_password"):
            self.add_error("new_password_again", _("Kedua kata sandi baru tidak sama."))
        return data


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Kata sandi Anda"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
