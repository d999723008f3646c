"""Django admin change forms that never write back a stale row.

Django's admin saves the whole row it read at the start of the request (`obj.save()`), and its
`changed_data` compares the submitted form with the row *as it is now*, not as the admin saw
it. So a change form opened while buyers reserve stock or orders redeem a promo writes back
old `stock` / `used_count` / `status` values. `LockedPartialSaveMixin` fixes both halves:

- every field of a change form carries the value it was loaded with in a hidden
  `initial-<name>` input (Django's `show_hidden_initial`), so `changed_data` means
  "changed by the admin on this page";
- the save takes the row lock (SELECT ... FOR UPDATE) and writes only those fields
  (`save(update_fields=...)`);
- `relative_fields` (e.g. a product's stock) are applied as a delta on the current value:
  `new = submitted + (current - loaded)`, at least 0.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest


def _loaded_value(form: forms.BaseForm, name: str) -> Any:
    """The value a field had when the page was rendered (its hidden initial input), or None."""
    field = form.fields[name]
    raw = form.data.get(form.add_initial_prefix(name))
    if raw is None:
        return None
    try:
        return field.to_python(raw)
    except ValidationError:
        return None


class LockedPartialSaveMixin:
    """For a ModelAdmin: change-form saves write only the changed fields, under the row lock."""

    # Integer fields that other code moves concurrently and the admin may adjust (stock).
    relative_fields: tuple[str, ...] = ()

    def get_form(self, request: HttpRequest, obj: models.Model | None = None, change: bool = False, **kwargs: Any):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            # A fresh form class per request (modelform_factory), so this never leaks to others.
            for field in form.base_fields.values():
                if not isinstance(field, forms.FileField):
                    field.show_hidden_initial = True
        return form

    def save_model(self, request: HttpRequest, obj: models.Model, form: forms.ModelForm, change: bool) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            return
        model = type(obj)
        columns = {f.name for f in model._meta.concrete_fields if not f.primary_key}
        with transaction.atomic():
            current = model._default_manager.select_for_update().get(pk=obj.pk)
            changed = [name for name in form.changed_data if name in columns]
            for name in self.relative_fields:
                loaded = _loaded_value(form, name) if name in changed else None
                if loaded is not None:
                    submitted = getattr(obj, name)
                    setattr(obj, name, max(0, submitted + getattr(current, name) - loaded))
            if changed:
                auto_now = [
                    f.name
                    for f in model._meta.concrete_fields
                    if getattr(f, "auto_now", False) and f.name not in changed
                ]
                obj.save(update_fields=[*changed, *auto_now])
            # Show the admin (and the audit trail) the row as it now is, not the stale copy.
            obj.refresh_from_db()
