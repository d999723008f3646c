"""Phone numbers as people type them: one rule for every form and API field that takes one.

Indonesian numbers are written "0812-3456-7890", "0812 3456 7890", "(0342) 801234" or
"+62 812 3456 7890". We store digits only (an optional leading +), so the separators a
person types are removed before the 8–15 digit rule is checked, and never refused.
"""

from __future__ import annotations

import re

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

PHONE_PATTERN = r"^\+?[0-9]{8,15}$"
# Spaces (any Unicode space, e.g. NBSP from a pasted contact), dashes, dots, slashes, brackets.
_SEPARATORS = re.compile(r"[\s\-‐-―.()/]+")
PHONE_MESSAGE = _("8 to 15 digits, optionally starting with +")
phone_validator = RegexValidator(PHONE_PATTERN, message=PHONE_MESSAGE, code="invalid_phone")


def phone_normalize(value: str | None) -> str:
    """`value` without the separators people type ("0812-3456 7890" -> "081234567890"); not
    validated (see `phone_validator`). None -> ""."""
    return _SEPARATORS.sub("", (value or "").strip())


class PhoneFormField(forms.CharField):
    """A form field for a phone number: separators removed, then 8–15 digits (optional +)."""

    default_error_messages = {"invalid_phone": PHONE_MESSAGE}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 32)  # as typed, separators included
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}))
        super().__init__(**kwargs)
        self.validators.append(phone_validator)

    def to_python(self, value):
        return phone_normalize(super().to_python(value))


class PhoneSerializerField(serializers.CharField):
    """The API's phone field: the same rule as `PhoneFormField` (message in the response language)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = phone_normalize(super().to_internal_value(data))
        if value and not re.fullmatch(PHONE_PATTERN, value):
            raise serializers.ValidationError(str(PHONE_MESSAGE), code="invalid_phone")
        if not value and not self.allow_blank:
            self.fail("blank")
        return value
