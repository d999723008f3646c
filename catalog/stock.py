"""The `stock.changed` event: every guarded stock update and product edit announces it.

Payload: `product_id`, `store_id` (strings). Listeners read the current stock when they act
(the marketplace sync pushes the number it reads then), so coalescing many changes into one
push can never send a stale value.
"""

from __future__ import annotations

from typing import Any

from catalog.models import Product
from tokoblitar.events import publish


def publish_stock_changed(product_id: Any, store_id: Any | None = None) -> None:
    """Publish `stock.changed` for one product after the current transaction commits."""
    if store_id is None:
        store_id = Product.objects.filter(pk=product_id).values_list("store_id", flat=True).first()
    publish("stock.changed", product_id=str(product_id), store_id=str(store_id) if store_id else "")
