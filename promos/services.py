"""Writes for promos: CRUD for sellers and admins, and the atomic redemption used by checkout.

Lock contract: `promo_redeem` and `promo_release` run inside the caller's transaction
(the order service owns it). They take the promo row lock through a guarded UPDATE, after
any product row locks, so lock order is always order -> products -> promo.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.selectors import require_platform_admin
from audit.services import audit_record
from promos.models import Promo, PromoRedemption
from promos.selectors import promo_get_for_owner
from stores.flags import require_feature
from stores.models import Store
from tokoblitar.errors import NotFound, ValidationFailed

EDITABLE_FIELDS = (
    "code",
    "type",
    "value",
    "min_order",
    "max_discount",
    "usage_limit",
    "per_buyer_limit",
    "starts_at",
    "ends_at",
    "is_active",
)


def _rupiah(amount: int) -> str:
    return "Rp " + f"{amount:,}".replace(",", ".")


def _validate_rules(values: dict[str, Any]) -> None:
    errors: dict[str, list[Any]] = {}
    if values["type"] == Promo.Type.PERCENTAGE and not 1 <= values["value"] <= 100:
        errors["value"] = [_("A percentage promo takes a value from 1 to 100")]
    if values["value"] < 1:
        errors["value"] = [_("Value must be at least 1")]
    if values.get("ends_at") is not None and values["ends_at"] <= values["starts_at"]:
        errors["ends_at"] = [_("ends_at must be after starts_at")]
    if errors:
        raise ValidationFailed(_("Invalid promo"), code="invalid_promo", fields=errors)


def _save(promo: Promo, update_fields: list[str] | None = None) -> Promo:
    try:
        with transaction.atomic():
            promo.save(update_fields=update_fields)
    except IntegrityError as exc:
        if "promos_code_unique" in str(exc):
            raise ValidationFailed(
                _("Promo code %(code)s already exists"),
                code="duplicate_promo_code",
                params={"code": promo.code},
                fields={"code": [_("This code is already in use")]},
            ) from exc
        raise
    return promo


def promo_create(*, store: Store | None, **data: Any) -> Promo:
    """Create a store promo (store given) or a platform promo (store None).

    `starts_at` defaults to now; `ends_at` None (or absent) means no end: the promo runs
    until it is switched off. Raises ValidationFailed (rules, duplicate code).
    """
    values = {k: data[k] for k in EDITABLE_FIELDS if k in data}
    values["code"] = values["code"].strip().upper()
    values.setdefault("is_active", True)
    if values.get("starts_at") is None:
        values["starts_at"] = timezone.now()
    _validate_rules(values)
    return _save(Promo(store=store, **values))


def promo_update(*, promo: Promo, **data: Any) -> Promo:
    """Partial update of the EDITABLE_FIELDS given in `data`; returns the fresh promo.

    Takes the promo row lock (SELECT ... FOR UPDATE) inside its own atomic block, re-reads the
    row and writes only the fields whose value changes (`save(update_fields=...)`). So
    `used_count`, which orders move concurrently through guarded UPDATEs, is never written
    back from a stale copy, and the usage_limit check sees the uses committed so far.
    Raises ValidationFailed (rules, duplicate code, usage_limit below the uses already made).
    """
    if "code" in data:
        data = {**data, "code": str(data["code"]).strip().upper()}
    with transaction.atomic():
        promo = Promo.objects.select_for_update().get(pk=promo.pk)
        changed = [key for key in EDITABLE_FIELDS if key in data and getattr(promo, key) != data[key]]
        for key in changed:
            setattr(promo, key, data[key])
        _validate_rules(
            {"type": promo.type, "value": promo.value, "starts_at": promo.starts_at, "ends_at": promo.ends_at}
        )
        if promo.usage_limit is not None and promo.usage_limit < promo.used_count:
            raise ValidationFailed(
                _("usage_limit is below the uses already made"),
                code="usage_limit_below_used",
                params={"used": promo.used_count},
                fields={"usage_limit": [_("Already used %(used)s times")]},
            )
        if changed:
            _save(promo, update_fields=[*changed, "updated_at"])
    return promo


def promo_delete(*, promo: Promo) -> None:
    """Soft delete: orders keep pointing at the promo they used; the code becomes free again."""
    promo.deleted_at = timezone.now()
    promo.is_active = False
    promo.save(update_fields=["deleted_at", "is_active", "updated_at"])


@dataclass(frozen=True)
class PromoApplication:
    promo: Promo
    discount: int


def promo_check(*, code: str, store: Store, buyer: User, subtotal: int) -> PromoApplication:
    """Validate a code for an order of `store` (no writes). 400 with the reason when it does not apply."""
    normalized = code.strip().upper()
    field = "promo_code"
    promo = (
        Promo.objects.alive()
        .filter(code=normalized)
        .filter(Q(store=store) | Q(store__isnull=True))
        .order_by(F("store").asc(nulls_last=True))  # the store's own code wins over a platform one
        .first()
    )
    if promo is None:
        if Promo.objects.alive().filter(code=normalized).exists():
            raise ValidationFailed(
                _("Promo code %(code)s belongs to another store"),
                code="promo_other_store",
                params={"code": normalized},
                fields={field: [_("This code is for another store")]},
            )
        raise ValidationFailed(
            _("Promo code %(code)s does not exist"),
            code="promo_not_found",
            params={"code": normalized},
            fields={field: [_("Unknown promo code")]},
        )
    now = timezone.now()
    refusal = None
    if not promo.is_active:
        refusal = "promo_inactive", _("Promo code %(code)s is not active")
    elif now < promo.starts_at:
        refusal = "promo_not_started", _("Promo code %(code)s has not started yet")
    elif promo.ends_at is not None and now >= promo.ends_at:
        refusal = "promo_expired", _("Promo code %(code)s has expired")
    elif promo.usage_limit is not None and promo.used_count >= promo.usage_limit:
        refusal = "promo_exhausted", _("Promo code %(code)s has been used up")
    elif subtotal < promo.min_order:
        refusal = "promo_min_order", _("Promo code %(code)s needs a minimum order of %(min_order)s")
    elif promo.per_buyer_limit is not None and _buyer_uses(promo=promo, buyer=buyer) >= promo.per_buyer_limit:
        refusal = "promo_buyer_limit", _("You have already used promo code %(code)s the maximum number of times")
    if refusal:
        error_code, reason = refusal
        raise ValidationFailed(
            reason,
            code=error_code,
            params={"code": normalized, "min_order": _rupiah(promo.min_order)},
            fields={field: [reason]},
        )
    return PromoApplication(promo=promo, discount=promo.discount_for(subtotal))


def _buyer_uses(*, promo: Promo, buyer: User) -> int:
    return PromoRedemption.objects.filter(promo=promo, buyer=buyer, status=PromoRedemption.Status.ACTIVE).count()


def promo_redeem(*, promo: Promo, buyer: User, order: Any) -> PromoRedemption:
    """Take one use of `promo` for `order`, inside the caller's transaction.

    The guarded UPDATE is the over-redemption guard: it only succeeds while used_count < limit,
    and it holds the promo row lock until commit, so concurrent redemptions of this promo run one
    after another. The per-buyer count is read after taking that lock, so under READ COMMITTED it
    sees every redemption committed before us: no buyer can exceed per_buyer_limit either.
    """
    guard = Q(pk=promo.pk, is_active=True, deleted_at__isnull=True)
    if promo.usage_limit is not None:
        guard &= Q(used_count__lt=F("usage_limit"))
    if not Promo.objects.filter(guard).update(used_count=F("used_count") + 1):
        raise ValidationFailed(
            _("Promo code %(code)s has been used up"),
            code="promo_exhausted",
            params={"code": promo.code},
            fields={"promo_code": [_("This code has been used up")]},
        )
    if promo.per_buyer_limit is not None and _buyer_uses(promo=promo, buyer=buyer) >= promo.per_buyer_limit:
        raise ValidationFailed(
            _("You have already used promo code %(code)s the maximum number of times"),
            code="promo_buyer_limit",
            params={"code": promo.code},
            fields={"promo_code": [_("Per-buyer limit reached")]},
        )
    return PromoRedemption.objects.create(promo=promo, buyer=buyer, order=order)


def promo_release(*, order: Any) -> bool:
    """Give an order's promo use back (expiry, cancel, deny). Runs once: the redemption row flips
    active -> released under a guarded UPDATE, and only then is used_count decremented."""
    flipped = PromoRedemption.objects.filter(order=order, status=PromoRedemption.Status.ACTIVE).update(
        status=PromoRedemption.Status.RELEASED, released_at=timezone.now()
    )
    if not flipped:
        return False
    redemption = PromoRedemption.objects.only("promo_id").get(order=order)
    Promo.objects.filter(pk=redemption.promo_id, used_count__gt=0).update(used_count=F("used_count") - 1)
    return True


def promo_reclaim(*, order: Any) -> bool:
    """A late payment for an order whose promo use was released takes it back if the limit allows.

    The buyer paid the discounted total either way; if the promo is used up meanwhile the order keeps
    its price and the redemption stays released (noted in the order history by the caller)."""
    redemption = PromoRedemption.objects.filter(order=order, status=PromoRedemption.Status.RELEASED).first()
    if redemption is None:
        return False
    guard = Q(pk=redemption.promo_id)
    guard &= Q(usage_limit__isnull=True) | Q(used_count__lt=F("usage_limit"))
    if not Promo.objects.filter(guard).update(used_count=F("used_count") + 1):
        return False
    PromoRedemption.objects.filter(pk=redemption.pk).update(status=PromoRedemption.Status.ACTIVE, released_at=None)
    return True


# --- Entry services: the acting user, scoped, flag-checked ---------------------------------
# The API, the dashboard pages and the assistant's tools call these; none of them checks
# ownership or the store's `promos` switch on its own.


def seller_store_for_promos(actor: User) -> Store:
    """The actor's store, when promos are on for it (NotFound / FeatureDisabled otherwise)."""
    store = Store.objects.filter(owner=actor).first()
    if store is None:
        raise NotFound(_("You have no store yet"), code="no_store")
    require_feature(store=store, feature="promos")
    return store


def seller_promo_create(*, actor: User, **data: Any) -> Promo:
    """Create a promo for the actor's own store. NotFound without a store; FeatureDisabled
    when promos are switched off; ValidationFailed/Conflict from the rules."""
    return promo_create(store=seller_store_for_promos(actor), **data)


def seller_promo_update(*, actor: User, promo_id: Any, **data: Any) -> Promo:
    """Partial update of one of the actor's promos (NotFound for anyone else's)."""
    promo = promo_get_for_owner(promo_id=promo_id, store=seller_store_for_promos(actor))
    return promo_update(promo=promo, **data)


def seller_promo_delete(*, actor: User, promo_id: Any) -> Promo:
    """Soft-delete one of the actor's promos (NotFound for anyone else's)."""
    promo = promo_get_for_owner(promo_id=promo_id, store=seller_store_for_promos(actor))
    promo_delete(promo=promo)
    return promo


# --- Platform promos (store NULL), audited -------------------------------------------------

_PROMO_AUDIT_FIELDS = (*EDITABLE_FIELDS, "used_count", "deleted_at")


def _promo_snapshot(promo: Promo) -> dict:
    return {f: getattr(promo, f) for f in _PROMO_AUDIT_FIELDS}


def platform_promo_create(*, actor: User, request: HttpRequest | None = None, **data: Any) -> Promo:
    require_platform_admin(actor)
    with transaction.atomic():
        promo = promo_create(store=None, **data)
        audit_record(
            actor=actor, action="promo.create", target=promo, before=None, after=_promo_snapshot(promo), request=request
        )
    return promo


def platform_promo_update(*, promo: Promo, actor: User, request: HttpRequest | None = None, **data: Any) -> Promo:
    """promo_update plus the audit row; the snapshot is read under the promo row lock, so
    `before` shows the used_count that orders had committed, not the caller's stale copy."""
    require_platform_admin(actor)
    with transaction.atomic():
        promo = Promo.objects.select_for_update().get(pk=promo.pk)
        before = _promo_snapshot(promo)
        promo = promo_update(promo=promo, **data)
        audit_record(
            actor=actor,
            action="promo.update",
            target=promo,
            before=before,
            after=_promo_snapshot(promo),
            request=request,
        )
    return promo


def platform_promo_delete(*, promo: Promo, actor: User, request: HttpRequest | None = None) -> None:
    require_platform_admin(actor)
    with transaction.atomic():
        before = _promo_snapshot(promo)
        promo_delete(promo=promo)
        audit_record(
            actor=actor,
            action="promo.delete",
            target=promo,
            before=before,
            after=_promo_snapshot(promo),
            request=request,
        )
