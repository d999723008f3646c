"""Seller dashboard: "Perbaiki foto" on the product edit page (photos app services).

The page shows open enhancement jobs in a panel (`dashboard/_enhance_jobs.html`); the panel
listens to `ws/photos/products/<id>/` and re-reads itself from `product_enhance_panel` on every
event, so progress and the before/after comparison appear without a reload."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from catalog.selectors import product_get_for_seller
from dashboard.views import seller_page
from photos.selectors import enhance_job_get_for_seller, enhance_job_list_open_for_product
from photos.services import KEEP_ADD, KEEP_REPLACE, seller_enhance_discard, seller_enhance_keep, seller_enhance_start
from stores.models import Store
from tokoblitar.errors import DomainError
from tokoblitar.pages import domain_error_message

DISCARD = "discard"


def _back(product_id: UUID) -> HttpResponse:
    return redirect(reverse("dashboard:product-edit", kwargs={"product_id": product_id}) + "#enhance-panel")


@require_POST
@seller_page
def product_photo_enhance(request: HttpRequest, store: Store, product_id: UUID, image_id: UUID) -> HttpResponse:
    # Another store's product is a plain 404 page: no message queued for a page that cannot open.
    product_get_for_seller(store=store, product_id=product_id)
    try:
        seller_enhance_start(actor=request.user, product_id=product_id, image_id=image_id)
    except DomainError as exc:
        domain_error_message(request, exc)
    else:
        messages.info(request, _("Foto sedang diperbaiki. Hasilnya muncul di bawah foto begitu selesai."))
    return _back(product_id)


@require_GET
@seller_page
def product_enhance_panel(request: HttpRequest, store: Store, product_id: UUID) -> HttpResponse:
    product = product_get_for_seller(store=store, product_id=product_id)
    jobs = list(enhance_job_list_open_for_product(product=product))
    return render(request, "dashboard/_enhance_jobs.html", {"product": product, "enhance_jobs": jobs})


@require_POST
@seller_page
def enhance_decide(request: HttpRequest, store: Store, job_id: UUID, action: str) -> HttpResponse:
    if action not in (KEEP_REPLACE, KEEP_ADD, DISCARD):
        raise Http404
    job = enhance_job_get_for_seller(store=store, job_id=job_id)
    try:
        if action in (KEEP_REPLACE, KEEP_ADD):
            seller_enhance_keep(actor=request.user, job_id=job.pk, mode=action)
            messages.success(
                request,
                _("Foto asli diganti dengan foto yang sudah diperbaiki.")
                if action == KEEP_REPLACE
                else _("Foto yang sudah diperbaiki ditambahkan."),
            )
        else:
            seller_enhance_discard(actor=request.user, job_id=job.pk)
            messages.info(request, _("Hasil perbaikan dibuang; foto asli tetap."))
    except DomainError as exc:
        domain_error_message(request, exc)
    return _back(job.product_id)
