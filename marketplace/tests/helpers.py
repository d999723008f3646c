"""Builders shared by the marketplace tests (Shopee simulator in the database)."""

from __future__ import annotations

from django_tasks_db.models import DBTaskResult

from catalog.models import Product, ProductImage
from marketplace import tasks
from marketplace.models import MarketplaceConnection
from marketplace.services import get_channel, marketplace_connect
from orders.tests.factories import make_product, quick_user
from stores.models import StoreFeatureFlags

TASKS = {
    "marketplace.tasks.stock_push_task": tasks.stock_push_task,
    "marketplace.tasks.sync_retry_task": tasks.sync_retry_task,
    "marketplace.tasks.connection_maintain_task": tasks.connection_maintain_task,
}


def seller_with_flag(enabled: bool = True):
    seller = quick_user("seller")
    StoreFeatureFlags.objects.update_or_create(store=seller.store, defaults={"marketplace_sync": enabled})
    return seller


def product_with_image(store, **fields) -> Product:
    product = make_product(store=store, **fields)
    ProductImage.objects.bulk_create([ProductImage(product=product, image=f"products/{product.slug}.jpg", position=0)])
    return product


def connect_shopee(seller, shop_name: str = "Sambal Bu Sri") -> MarketplaceConnection:
    consent = get_channel("shopee").simulate_consent(shop_name=shop_name)
    return marketplace_connect(
        actor=seller, platform="shopee", code=consent["code"], params={"shop_id": consent["shop_id"]}
    )


def queued(name: str) -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=f"marketplace.tasks.{name}").order_by("enqueued_at"))


def run_queued(name: str) -> list:
    """Run (and remove) every queued task of that name, ignoring run_after; their results."""
    results = []
    for row in queued(name):
        row.delete()
        results.append(TASKS[row.task_path].call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"]))
    return results


def platform_item(external_id: str) -> dict:
    return get_channel("shopee").platform_side.item(external_id)
