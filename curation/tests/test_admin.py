"""Django admin: the audit trail is read-only; curated models' edits are audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AuditLog
from audit.services import audit_record
from curation.models import Banner
from curation.tests.factories import quick_store

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_web(client, admin_user):
    client.force_login(admin_user)
    return client


def test_audit_log_is_listed_filterable_and_read_only(admin_web, admin_user):
    store = quick_store(name="Kopi Mbah Sastro")
    entry = audit_record(
        actor=admin_user, action="store.feature", target=store, before={"featured": False}, after={"featured": True}
    )
    audit_record(actor=admin_user, action="banner.create", target=("curation.banner", "x"), before=None, after={})

    changelist = reverse("admin:audit_auditlog_changelist")
    response = admin_web.get(changelist)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 2
    filtered = admin_web.get(changelist, {"action": "store.feature"})
    assert [e.action for e in filtered.context["cl"].result_list] == ["store.feature"]
    searched = admin_web.get(changelist, {"q": "Kopi Mbah"})
    assert [e.target_repr for e in searched.context["cl"].result_list] == ["Kopi Mbah Sastro"]

    assert admin_web.get(reverse("admin:audit_auditlog_add")).status_code == 403
    detail = admin_web.get(reverse("admin:audit_auditlog_change", args=[entry.pk]))
    assert detail.status_code == 200 and detail.context["has_change_permission"] is False
    response = admin_web.post(reverse("admin:audit_auditlog_change", args=[entry.pk]), {"action": "forged"})
    assert response.status_code == 403
    assert admin_web.post(reverse("admin:audit_auditlog_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert entry.action == "store.feature" and AuditLog.objects.count() == 2


def test_banner_admin_add_is_validated_and_audited(admin_web):
    url = reverse("admin:curation_banner_add")
    base = {"title": "Promo Ramadan", "image_url": "https://cdn.contoh.id/r.jpg", "position": 0, "is_active": "on"}
    response = admin_web.post(url, {**base, "link": "javascript:alert(1)"})
    assert response.status_code == 200  # form redisplayed with the error
    assert Banner.objects.count() == 0
    response = admin_web.post(url, {**base, "link": "/kategori/makanan"})
    assert response.status_code == 302
    banner = Banner.objects.get()
    entry = AuditLog.objects.get()
    assert (entry.action, entry.target_id, entry.after["link"]) == (
        "banner.admin_add",
        str(banner.pk),
        "/kategori/makanan",
    )
    assert admin_web.get(reverse("admin:curation_banner_changelist")).status_code == 200
    assert admin_web.get(reverse("admin:stores_storefeatureflags_changelist")).status_code == 200


def test_seed_curation_demo_is_idempotent(settings, tmp_path):
    from django.core.management import call_command

    from curation.selectors import active_banners

    settings.MEDIA_ROOT = tmp_path
    settings.SEED_DEMO = True  # tests run with DEBUG off; demo data needs the explicit flag
    call_command("seed_curation_demo")
    call_command("seed_curation_demo")
    banners = active_banners()
    assert [b.title for b in banners] == ["Festival Kopi Blitar", "Oleh-oleh Khas Blitar"]
    assert all(b.url.startswith("/media/banners/") for b in banners)


def test_django_admin_store_and_product_actions_are_audited(admin_web, seller):
    from catalog.models import Product
    from catalog.tests.factories import catalog_product

    store = seller.store
    product = catalog_product(store=store)
    url = "/django-admin/stores/store/"
    response = admin_web.post(url, {"action": "suspend", "_selected_action": [str(store.pk)]})
    assert response.status_code == 302
    store.refresh_from_db()
    assert not store.is_active and store.suspended_at is not None
    response = admin_web.post(
        "/django-admin/catalog/product/", {"action": "soft_delete", "_selected_action": [str(product.pk)]}
    )
    assert response.status_code == 302
    assert Product.objects.get(pk=product.pk).deleted_at is not None
    actions = set(AuditLog.objects.values_list("action", flat=True))
    assert {"store.suspend", "product.delete"} <= actions, actions
