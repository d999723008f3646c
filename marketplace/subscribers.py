"""Event subscribers of the sales channels (registered in MarketplaceConfig.ready)."""

from __future__ import annotations

from typing import Any


def on_stock_changed(*, product_id: str, store_id: str = "", **_: Any) -> None:
    """Note the change and enqueue one coalesced push task per product (see
    services.stock_change_noted: a burst of changes makes one push of the final number). The
    bookkeeping row it writes is the coalescing itself; the push happens in the task."""
    from marketplace.services import stock_change_noted

    stock_change_noted(product_id=product_id)
