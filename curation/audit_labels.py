"""Readable names for audit-log action codes and target types (admin panel).

Action codes are stable machine strings written by the audited services (`store.suspend`,
`promo.update`, …) and by the Django admin (`<model>.admin_change`); the panel shows the
label in the page's language and keeps the code beside it for searching. No queries.
"""

from __future__ import annotations

from django.apps import apps
from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "store.suspend": _("Toko ditangguhkan"),
    "store.restore": _("Toko dipulihkan"),
    "store.feature": _("Toko ditampilkan di beranda"),
    "store.unfeature": _("Toko dilepas dari beranda"),
    "store.flags": _("Fitur toko diubah"),
    "product.feature": _("Produk ditampilkan di beranda"),
    "product.unfeature": _("Produk dilepas dari beranda"),
    "product.delete": _("Produk dihapus"),
    "product.restore": _("Produk dipulihkan"),
    "banner.create": _("Banner dibuat"),
    "banner.update": _("Banner diubah"),
    "banner.delete": _("Banner dihapus"),
    "promo.create": _("Promo platform dibuat"),
    "promo.update": _("Promo platform diubah"),
    "promo.delete": _("Promo platform dihapus"),
}

# Written by audit.admin for any model changed in the Django admin: "<model_name>.<suffix>".
ADMIN_SUFFIX_LABELS = {
    "admin_add": _("Ditambah lewat Django admin: %(model)s"),
    "admin_change": _("Diubah lewat Django admin: %(model)s"),
    "admin_delete": _("Dihapus lewat Django admin: %(model)s"),
}


def _model_verbose_name(*, model_name: str = "", label: str = "") -> str | None:
    """A model's verbose name from "app.model" (label) or a bare model name; None if unknown."""
    try:
        if label:
            return str(apps.get_model(label)._meta.verbose_name)
        for model in apps.get_models():
            if model._meta.model_name == model_name:
                return str(model._meta.verbose_name)
    except (LookupError, ValueError):
        return None
    return None


def audit_action_label(code: str) -> str:
    """The readable label of an action code in the active language; the code itself when unknown."""
    if code in ACTION_LABELS:
        return str(ACTION_LABELS[code])
    model_name, _dot, suffix = code.rpartition(".")
    if suffix in ADMIN_SUFFIX_LABELS and model_name:
        model = _model_verbose_name(model_name=model_name) or model_name
        return str(ADMIN_SUFFIX_LABELS[suffix]) % {"model": model}
    return code


def audit_target_label(target_type: str) -> str:
    """A target type ("stores.store") as the model's verbose name; the raw type when unknown."""
    if "." in target_type:
        return _model_verbose_name(label=target_type) or target_type
    return target_type
