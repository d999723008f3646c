"""The one place where domain errors meet pages: forms, flash messages, 404/403 pages.

The API maps domain errors in `tokoblitar.api.errors`; pages use these helpers, so a service's
error reads in the page's language (messages are translated where they are read) and lands on
the field it names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from tokoblitar.errors import DomainError, NotFound, PermissionDenied


def domain_error_first_message(exc: DomainError) -> str:
    """The most specific message of an error: its first field message, else its message."""
    for errors in (exc.fields or {}).values():
        if errors:
            return str(errors[0])
    return exc.message


def domain_error_to_form(form: forms.BaseForm, exc: DomainError, *, aliases: Mapping[str, str] | None = None) -> None:
    """Put a service's field errors on the form fields they name (`aliases` maps service
    names to form field names, e.g. {"category_id": "category"}); the rest, or the message
    when there are no field errors, go on top of the form."""
    fields = exc.fields or {}
    if not fields:
        form.add_error(None, exc.message)
        return
    for name, errors in fields.items():
        key = (aliases or {}).get(name, name)
        for error in errors:
            form.add_error(key if key in form.fields else None, str(error))


def form_page_status(request: HttpRequest, *page_forms: forms.BaseForm | None) -> int:
    """The status of a page that shows its form again: 400 when a POST came back with errors (bad
    input: nothing was changed, the errors are on the page), else 200. Browsers render the page
    either way; the status tells clients, tests and logs that the input was refused."""
    if request.method == "POST" and any(f is not None and f.is_bound and f.errors for f in page_forms):
        return 400
    return 200


class RefusedFormIs400:
    """Mixin for Django's class-based form views (before the view class): a refused form is shown
    again with status 400, as form_page_status gives the function views."""

    def form_invalid(self, form: forms.BaseForm) -> HttpResponse:
        response = super().form_invalid(form)  # type: ignore[misc]
        response.status_code = 400
        return response


def domain_error_message(request: HttpRequest, exc: DomainError, *, prefix: str | None = None) -> None:
    """Flash the error on the next page; `prefix` is a translated "%(reason)s" sentence."""
    text = domain_error_first_message(exc)
    messages.error(request, prefix % {"reason": text} if prefix else text)


def run_with_message(request: HttpRequest, action: Callable[[], Any], done: str) -> bool:
    """Run one service: its domain error becomes a flash message, success flashes `done`."""
    try:
        action()
    except DomainError as exc:
        domain_error_message(request, exc)
        return False
    messages.success(request, done)
    return True


def domain_errors_as_pages(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Services raise NotFound/PermissionDenied; on pages they become the styled 404/403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(exc.message) from exc

    return wrapper
