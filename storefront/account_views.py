"""Account pages: profile, password change, password reset (Django's views, our templates and
forms), personal data download and account deletion. Thin: parse, call one service, render.

Every POST here that checks a password, and the reset request, is rate-limited with the other
sign-in routes (tokoblitar.api.ratelimit); the reset request also per email address
(storefront.account_forms.PasswordResetForm).
"""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.services import user_change_password, user_profile_update
from privacy.selectors import open_orders_blocking_deletion, personal_data_export
from privacy.services import account_delete
from storefront.account_forms import (
    AccountDeleteForm,
    PasswordChangeForm,
    PasswordResetForm,
    ProfileForm,
    SetPasswordForm,
)
from tokoblitar.errors import Conflict, DomainError
from tokoblitar.pages import RefusedFormIs400, domain_error_to_form

# --- Password reset (Django's views and token generator) ----------------------------------


class PasswordResetView(RefusedFormIs400, auth_views.PasswordResetView):
    """Asks for an email and always answers with the same "check your inbox" page, whether or
    not an active account has that address (no account enumeration). The email is written in
    the language of the page it was asked from; its link is built from SITE_URL, never from
    the request's Host header."""

    form_class = PasswordResetForm
    template_name = "registration/password_reset_form.html"
    subject_template_name = "registration/password_reset_subject.txt"
    email_template_name = "registration/password_reset_email.txt"
    html_email_template_name = "registration/password_reset_email.html"
    success_url = reverse_lazy("storefront:password-reset-done")

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        self.extra_email_context = {"site_url": settings.SITE_URL.rstrip("/")}
        return super().form_valid(form)


password_reset = PasswordResetView.as_view()
password_reset_done = auth_views.PasswordResetDoneView.as_view(template_name="registration/password_reset_done.html")


class PasswordResetConfirmView(RefusedFormIs400, auth_views.PasswordResetConfirmView):
    """Django's view: the link's token is checked, then the new password (a weak one is a 400)."""


password_reset_confirm = PasswordResetConfirmView.as_view(
    form_class=SetPasswordForm,
    template_name="registration/password_reset_confirm.html",
    success_url=reverse_lazy("storefront:password-reset-complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="registration/password_reset_complete.html"
)


# --- Profile and password change ----------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(request.POST or None, initial={"full_name": user.full_name, "phone": user.phone})
    if request.method == "POST":
        if form.is_valid():
            try:
                user_profile_update(actor=user, **form.cleaned_data)
            except DomainError as exc:
                domain_error_to_form(form, exc)
            else:
                messages.success(request, _("Profil disimpan."))
                return redirect("storefront:profile")
        return render(request, "storefront/account/profile_edit.html", {"form": form}, status=400)
    return render(request, "storefront/account/profile_edit.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    """Keeps this browser signed in; every other session and every API token of the user ends."""
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                user = user_change_password(
                    actor=request.user,
                    old_password=form.cleaned_data["old_password"],
                    new_password=form.cleaned_data["new_password"],
                )
            except DomainError as exc:
                domain_error_to_form(form, exc)
            else:
                update_session_auth_hash(request, user)
                messages.success(request, _("Kata sandi diganti. Perangkat lain sudah dikeluarkan."))
                return redirect("storefront:profile")
        return render(request, "storefront/account/password_change.html", {"form": form}, status=400)
    return render(request, "storefront/account/password_change.html", {"form": form})


# --- Personal data ------------------------------------------------------------------------


@login_required
@require_GET
def data_export(request: HttpRequest) -> HttpResponse:
    """The signed-in user's data as a JSON file (the same content as GET /api/account/export)."""
    data = personal_data_export(user=request.user)
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="tokoblitar-data-saya-{day}.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def account_delete_page(request: HttpRequest) -> HttpResponse:
    """Shows, before any attempt, the orders that must be finished first; a refused attempt
    answers 409 with that list (the service's own, so it is what was refused)."""
    form = AccountDeleteForm(request.POST or None)
    status, blocking = 200, None
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                account_delete(actor=request.user, password=form.cleaned_data["password"], request=request)
            except Conflict as exc:
                status, blocking = 409, exc.meta.get("orders", [])
            except DomainError as exc:
                domain_error_to_form(form, exc)
            else:
                logout(request)
                messages.success(request, _("Akun Anda sudah dihapus. Terima kasih pernah berbelanja di TokoBLITAR."))
                return redirect("/")
    if blocking is None:
        blocking = open_orders_blocking_deletion(user=request.user)
    context = {"form": form, "blocking": blocking}
    return render(request, "storefront/account/delete.html", context, status=status)
