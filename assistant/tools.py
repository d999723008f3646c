"""The assistant's tools: the seed's ten names, each a thin adapter over an API route's own
input serializer and entry service, run with the CALLER as actor.

Nothing here decides what a user may do beyond what the matching route's permission class
decides (seller-only / admin-only): ownership, the 404 for another store's objects and the
store's feature switches are the entry services' business, exactly as for the API. Every run
is written to the audit log (who, tool, input, outcome), successes in the transaction of the
change itself. A failure becomes an error result for the model (it may recover) and a tool
event for the browser.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import User
from audit.services import audit_record
from catalog.models import Product
from catalog.selectors import product_get_for_seller
from catalog.serializers import ProductInput
from catalog.services import seller_product_create
from curation.api import FeatureInput
from curation.metrics import dashboard_metrics
from curation.selectors import product_get_for_admin, store_get_for_admin
from curation.services import product_set_featured, store_set_featured
from orders.models import Order
from orders.selectors import order_list_for_store
from photos.api import EnhancePhotoInput
from photos.services import enhance_job_payload, seller_enhance_start
from promos.api import PromoInput
from promos.services import platform_promo_create, seller_promo_create
from stores.api import StoreUpdateInput
from stores.flags import require_feature
from stores.models import Store
from stores.selectors import store_get_for_seller
from stores.services import seller_store_update
from tokoblitar.errors import Conflict, DomainError, FeatureDisabled, PermissionDenied, ValidationFailed

log = logging.getLogger(__name__)

# ProductInput requires a weight (shipping rates need it); the seed's tool has none, so a
# product the seller describes without one gets this weight, which she can correct later.
DEFAULT_WEIGHT_GRAM = 250

SELLER = (User.Role.SELLER,)
ADMIN = (User.Role.ADMIN,)


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    input_schema: dict
    roles: tuple[str, ...]
    run: Callable[[User, dict], Any]


@dataclass(frozen=True)
class ToolOutcome:
    name: str
    ok: bool
    result: Any  # JSON-able: the tool's answer, or {"error", "code", "fields"?}


# --- Adapters ------------------------------------------------------------------------------


def _validated(serializer_class: type[serializers.Serializer], data: Any, *, partial: bool = False) -> dict:
    serializer = serializer_class(data=data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class _ProductIdInput(serializers.Serializer):
    product_id = serializers.UUIDField()


class _StoreIdInput(serializers.Serializer):
    store_id = serializers.UUIDField()


class OrderSummaryInput(serializers.Serializer):
    """Either a calendar `period` in Asia/Jakarta ("today", "this_week" from Monday,
    "this_month" from the 1st), a `since` date, or the rolling last `days` days (default 7)."""

    days = serializers.IntegerField(min_value=1, max_value=365, default=7)
    period = serializers.ChoiceField(choices=["today", "this_week", "this_month"], required=False)
    since = serializers.DateField(required=False)

    def validate_since(self, value: Any) -> Any:
        today = timezone.localdate()
        if value > today or (today - value).days > 365:
            raise serializers.ValidationError(_("Choose a date within the last year."))
        return value


def _summary_start(values: dict) -> tuple[Any, str, str | None]:
    """(start datetime, since ISO date, period) for the validated input: the period's first
    day at 00:00 in the site's zone (Asia/Jakarta), a `since` date, else now - days."""
    today = timezone.localdate()
    period = values.get("period")
    start_day = None
    if period == "today":
        start_day = today
    elif period == "this_week":
        start_day = today - timedelta(days=today.weekday())
    elif period == "this_month":
        start_day = today.replace(day=1)
    elif values.get("since"):
        start_day = values["since"]
    if start_day is None:
        since = timezone.now() - timedelta(days=values["days"])
        return since, timezone.localtime(since).date().isoformat(), None
    start = timezone.make_aware(datetime.combine(start_day, time.min))
    return start, start_day.isoformat(), period or "since"


def _product_card(product: Any) -> dict:
    return {
        "id": str(product.pk),
        "name": product.name,
        "price": product.price,
        "stock": product.stock,
        "status": product.status,
        "weight_gram": product.weight_gram,
        "url": reverse("dashboard:product-edit", kwargs={"product_id": product.pk}),
    }


def create_product(actor: User, data: dict) -> dict:
    """POST /api/seller/products: ProductInput + seller_product_create."""
    data = dict(data)
    weight_assumed = data.get("weight_gram") in (None, "")
    if weight_assumed:
        data["weight_gram"] = DEFAULT_WEIGHT_GRAM
    values = _validated(ProductInput, data)
    store = store_get_for_seller(user=actor)
    # The same command sent twice must not make a second product silently: name the one
    # that exists (with its link) and let the seller decide.
    existing = Product.objects.alive().filter(store=store, name__iexact=values["name"].strip()).first()
    if existing is not None:
        exc = Conflict(
            _("A product named %(name)s already exists in your store"),
            code="duplicate_product",
            params={"name": existing.name},
        )
        exc.url = reverse("dashboard:product-edit", kwargs={"product_id": existing.pk})  # type: ignore[attr-defined]
        raise exc
    product = seller_product_create(actor=actor, **values)
    card = _product_card(product_get_for_seller(store=product.store, product_id=product.pk))
    card["weight_assumed"] = weight_assumed
    card["has_photo"] = product.images.exists()
    return card


def _store_card(store: Store) -> dict:
    return {
        "id": str(store.pk),
        "name": store.name,
        "slug": store.slug,
        "description": store.description,
        "address": store.address,
        "lat": store.lat,
        "lng": store.lng,
        "url": reverse("dashboard:store"),
    }


def update_store_info(actor: User, data: dict) -> dict:
    """PUT /api/seller/store (partial): StoreUpdateInput + seller_store_update."""
    values = _validated(StoreUpdateInput, data, partial=True)
    if not values:
        raise ValidationFailed(_("Nothing to change"), code="empty_update")
    return _store_card(seller_store_update(actor=actor, data=values))


def set_store_location(actor: User, data: dict) -> dict:
    """PUT /api/seller/store with lat/lng (both required here, as the seed's schema says)."""
    missing = [key for key in ("lat", "lng") if data.get(key) is None]
    if missing:
        raise ValidationFailed(
            _("Latitude and longitude are both required"),
            code="invalid",
            fields={key: [_("This field is required.")] for key in missing},
        )
    values = _validated(StoreUpdateInput, data, partial=True)
    return _store_card(seller_store_update(actor=actor, data=values))


def create_promo(actor: User, data: dict) -> dict:
    """POST /api/seller/promo (a seller: her store's code) or /api/admin/promo (an admin:
    a platform-wide code, audited by the promo service): PromoInput + the entry service."""
    values = _validated(PromoInput, data)
    if actor.role == User.Role.ADMIN:
        promo = platform_promo_create(actor=actor, **values)
    else:
        promo = seller_promo_create(actor=actor, **values)
    return {
        "id": str(promo.pk),
        "code": promo.code,
        "type": promo.type,
        "value": promo.value,
        "starts_at": promo.starts_at.isoformat() if promo.starts_at else None,
        "ends_at": promo.ends_at.isoformat() if promo.ends_at else None,
        "url": reverse("dashboard:promo-edit", kwargs={"promo_id": promo.pk}) if promo.store_id else "",
    }


def get_order_summary(actor: User, data: dict) -> dict:
    """Orders and revenue (paid states) of the last `days` days: the seller's store (through
    order_list_for_store), or the whole platform for an admin (the admin dashboard metrics)."""
    values = _validated(OrderSummaryInput, data)
    since, since_date, period = _summary_start(values)
    days = values["days"] if period is None else (timezone.localdate() - since.date()).days + 1
    if actor.role == User.Role.ADMIN:
        # The platform metrics count whole days back from today: a calendar period is the
        # same days since its first day.
        metrics = dashboard_metrics(days=days)
        return {
            "days": days,
            "period": period,
            "since": since_date,
            "orders": metrics["orders_total"],
            "paid_orders": metrics["paid_orders"],
            "revenue": metrics["gmv"],
            "by_status": {k: v for k, v in metrics["orders_by_status"].items() if v},
        }
    store = store_get_for_seller(user=actor)
    orders = order_list_for_store(store=store).filter(created_at__gte=since).order_by()
    paid = Q(status__in=Order.PAID_STATES)
    totals = orders.aggregate(
        orders=Count("pk"), paid_orders=Count("pk", filter=paid), revenue=Sum("total", filter=paid)
    )
    by_status = {row["status"]: row["n"] for row in orders.values("status").annotate(n=Count("pk"))}
    return {
        "days": days,
        "period": period,
        "since": since_date,
        "orders": totals["orders"] or 0,
        "paid_orders": totals["paid_orders"] or 0,
        "revenue": int(totals["revenue"] or 0),
        "by_status": by_status,
        "url": reverse("dashboard:orders"),
    }


def enhance_product_photo(actor: User, data: dict) -> dict:
    """POST /api/seller/products/<id>/enhance-photo: EnhancePhotoInput + seller_enhance_start."""
    product_id = _validated(_ProductIdInput, {"product_id": data.get("product_id")})["product_id"]
    values = _validated(EnhancePhotoInput, {k: v for k, v in data.items() if k != "product_id"})
    job = seller_enhance_start(actor=actor, product_id=product_id, **values)
    payload = enhance_job_payload(job)
    return {
        **{k: (str(v) if k.endswith("_id") and v is not None else v) for k, v in payload.items()},
        "url": reverse("dashboard:product-edit", kwargs={"product_id": product_id}),
    }


def feature_store(actor: User, data: dict) -> dict:
    """PUT /api/admin/stores/<id>/feature: FeatureInput + store_set_featured (audited there)."""
    store_id = _validated(_StoreIdInput, {"store_id": data.get("store_id")})["store_id"]
    featured = _validated(FeatureInput, {k: v for k, v in data.items() if k != "store_id"})["featured"]
    store = store_set_featured(store=store_get_for_admin(store_id=store_id), featured=featured, actor=actor)
    return {"id": str(store.pk), "name": store.name, "featured": store.featured}


def feature_product(actor: User, data: dict) -> dict:
    """PUT /api/admin/products/<id>/feature: FeatureInput + product_set_featured (audited there)."""
    product_id = _validated(_ProductIdInput, {"product_id": data.get("product_id")})["product_id"]
    featured = _validated(FeatureInput, {k: v for k, v in data.items() if k != "product_id"})["featured"]
    product = product_set_featured(product=product_get_for_admin(product_id=product_id), featured=featured, actor=actor)
    return {"id": str(product.pk), "name": product.name, "featured": product.featured}


def _not_ready(feature: str) -> FeatureDisabled:
    return FeatureDisabled(
        _("%(feature)s is not available on this server yet"), code="tool_unavailable", params={"feature": feature}
    )


def sync_to_marketplace(actor: User, data: dict) -> dict:
    """POST /api/seller/marketplace/sync: SyncSerializer + marketplace.services.sync_products."""
    try:  # imported here: the sales-channel app is built alongside this one
        from marketplace.serializers import SyncSerializer
        from marketplace.services import sync_products
    except ImportError:
        raise _not_ready("Marketplace sync") from None
    values = _validated(SyncSerializer, data)
    values["product_ids"] = [str(pk) for pk in values.get("product_ids") or []]
    try:
        result = sync_products(actor=actor, **values)
    except DomainError as exc:
        if exc.code == "marketplace_not_connected":
            # Where to fix it: the channel is connected on the Sales channels page.
            exc.url = reverse("dashboard:marketplace:index")  # type: ignore[attr-defined]
            exc.hint = _("Connect it on the Sales channels page first.")  # type: ignore[attr-defined]
        raise
    return {"platform": values["platform"], **{k: result.get(k, 0) for k in ("synced", "failed", "queued")}}


def draft_instagram_post(actor: User, data: dict) -> dict:
    """POST /api/seller/instagram/post: InstagramPostSerializer + instagram.services.create_post."""
    try:  # imported here: the Instagram app is built alongside this one
        from instagram.serializers import InstagramPostSerializer
        from instagram.services import create_post
    except ImportError:
        raise _not_ready("Instagram") from None
    values = _validated(InstagramPostSerializer, data)
    # A draft, or a scheduled post: publishing right away stays a click on the Instagram page.
    values.pop("publish_now", None)
    post = create_post(actor=actor, **values)
    return {
        "id": str(post.pk),
        "status": post.status,
        "caption": post.caption,
        "schedule_at": post.schedule_at.isoformat() if post.schedule_at else None,
        "url": reverse("dashboard:instagram:posts") if _has_route("dashboard:instagram:posts") else "",
    }


def _has_route(name: str) -> bool:
    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True


def _obj(properties: dict, required: list[str] | None = None) -> dict:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


TOOLS: tuple[Tool, ...] = (
    Tool(
        "create_product",
        "Create a new product in the seller store. Prices are whole rupiah. weight_gram defaults to "
        f"{DEFAULT_WEIGHT_GRAM} when the seller does not say; status is draft unless she asks to publish.",
        _obj(
            {
                "name": {"type": "string"},
                "price": {"type": "integer", "description": "rupiah"},
                "stock": {"type": "integer"},
                "description": {"type": "string"},
                "category_id": {"type": "string"},
                "weight_gram": {"type": "integer"},
                "status": {"type": "string", "enum": ["draft", "active"]},
            },
            ["name", "price", "stock"],
        ),
        SELLER,
        create_product,
    ),
    Tool(
        "update_store_info",
        "Update store details like name, description, address",
        _obj({"name": {"type": "string"}, "description": {"type": "string"}, "address": {"type": "string"}}),
        SELLER,
        update_store_info,
    ),
    Tool(
        "set_store_location",
        "Set store GPS location for Google Maps",
        _obj({"lat": {"type": "number"}, "lng": {"type": "number"}, "address": {"type": "string"}}, ["lat", "lng"]),
        SELLER,
        set_store_location,
    ),
    Tool(
        "sync_to_marketplace",
        "Sync products to Tokopedia, Shopee, or Lazada (all products when product_ids is left out)",
        _obj(
            {
                "platform": {"type": "string", "enum": ["tokopedia", "shopee", "lazada"]},
                "product_ids": {"type": "array", "items": {"type": "string"}},
            },
            ["platform"],
        ),
        SELLER,
        sync_to_marketplace,
    ),
    Tool(
        "create_promo",
        "Create a promo code campaign. value: percent for type percentage, rupiah for fixed. "
        "Dates ISO 8601 with the +07:00 offset.",
        _obj(
            {
                "code": {"type": "string"},
                "type": {"type": "string", "enum": ["percentage", "fixed"]},
                "value": {"type": "integer"},
                "starts_at": {"type": "string"},
                "ends_at": {"type": "string"},
                "min_order": {"type": "integer"},
            },
            ["code", "type", "value", "starts_at", "ends_at"],
        ),
        (*SELLER, *ADMIN),
        create_promo,
    ),
    Tool(
        "draft_instagram_post",
        "Create an Instagram post draft with caption",
        _obj({"product_id": {"type": "string"}, "caption": {"type": "string"}, "schedule_at": {"type": "string"}}),
        SELLER,
        draft_instagram_post,
    ),
    Tool(
        "get_order_summary",
        "Get recent orders and revenue summary for the seller (period, since or the last days)",
        _obj(
            {
                "days": {"type": "integer", "default": 7, "description": "rolling: the last N days"},
                "period": {
                    "type": "string",
                    "enum": ["today", "this_week", "this_month"],
                    "description": "calendar period in Asia/Jakarta (week from Monday, month from the 1st)",
                },
                "since": {"type": "string", "description": "YYYY-MM-DD, from that day"},
            }
        ),
        (*SELLER, *ADMIN),
        get_order_summary,
    ),
    Tool(
        "enhance_product_photo",
        "Enhance a product photo using AI (Replicate)",
        _obj({"product_id": {"type": "string"}, "image_url": {"type": "string"}}, ["product_id", "image_url"]),
        SELLER,
        enhance_product_photo,
    ),
    Tool(
        "feature_store",
        "Feature or unfeature a store on the homepage",
        _obj({"store_id": {"type": "string"}, "featured": {"type": "boolean"}}, ["store_id", "featured"]),
        ADMIN,
        feature_store,
    ),
    Tool(
        "feature_product",
        "Feature or unfeature a product on the homepage",
        _obj({"product_id": {"type": "string"}, "featured": {"type": "boolean"}}, ["product_id", "featured"]),
        ADMIN,
        feature_product,
    ),
)
TOOLS_BY_NAME = {tool.name: tool for tool in TOOLS}


def tool_definitions(*, role: str) -> list[dict]:
    """The Messages API `tools` for a role, the last one marked for prompt caching."""
    defs = [
        {"name": t.name, "description": t.description, "input_schema": t.input_schema} for t in TOOLS if role in t.roles
    ]
    if defs:
        defs[-1]["cache_control"] = {"type": "ephemeral"}
    return defs


def _error_result(exc: Exception) -> dict:
    if isinstance(exc, serializers.ValidationError):
        detail = exc.detail
        fields = (
            {str(k): [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in detail.items()}
            if isinstance(detail, dict)
            else {"non_field_errors": [str(m) for m in (detail if isinstance(detail, list) else [detail])]}
        )
        names = ", ".join(sorted(fields))
        # Rendered under the request's language (run_tool's caller overrides it): the panel shows it.
        return {"error": str(_("Invalid input: %(fields)s") % {"fields": names}), "code": "invalid", "fields": fields}
    assert isinstance(exc, DomainError)
    out: dict[str, Any] = {"error": exc.message, "code": exc.code}
    if exc.fields:
        out["fields"] = exc.fields
    if getattr(exc, "hint", None):
        out["error"] = f"{out['error']}. {exc.hint}"  # type: ignore[attr-defined]
    if isinstance(getattr(exc, "url", None), str):
        out["url"] = exc.url  # type: ignore[attr-defined]
    return out


def run_tool(*, actor: User, name: str, tool_input: Any, conversation_id: str) -> ToolOutcome:
    """Run one tool call from the model as `actor`, audited. Never raises for what the model
    or the user got wrong: unknown tool, a tool of another role, invalid input, another
    store's object, a switched-off feature all come back as `ok=False` with the error."""
    tool = TOOLS_BY_NAME.get(name)
    data = tool_input if isinstance(tool_input, dict) else {}
    try:
        if tool is None:
            raise ValidationFailed(_("Unknown tool %(tool)s"), code="unknown_tool", params={"tool": name})
        if actor.role not in tool.roles:
            raise PermissionDenied(
                _("The tool %(tool)s is not available for your role"), code="tool_not_allowed", params={"tool": name}
            )
        if not isinstance(tool_input, dict):
            raise ValidationFailed(_("Tool input must be a JSON object"), code="invalid")
        with transaction.atomic():
            store = Store.objects.filter(owner=actor).first() if actor.role == User.Role.SELLER else None
            if store is not None:
                # The switch may have been turned off since the conversation began.
                require_feature(store=store, feature="ai_assistant")
            result = tool.run(actor, data)
            audit_record(
                actor=actor,
                action=f"assistant.{name}",
                target=("assistant.conversation", conversation_id),
                before={"input": data},
                after={"status": "ok", "result": result},
            )
        return ToolOutcome(name=name, ok=True, result=result)
    except (DomainError, serializers.ValidationError) as exc:
        error = _error_result(exc)
        audit_record(
            actor=actor,
            action=f"assistant.{name}"[:80],
            target=("assistant.conversation", conversation_id),
            before={"input": data},
            after={"status": "error", **error},
        )
        return ToolOutcome(name=name, ok=False, result=error)
