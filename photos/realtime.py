"""Live enhancement progress: Channels group `photos.product.<product_id>`, pushed after
commit through the kernel's sender. The product edit page of the dashboard listens
(photos.consumers); consumers receive `{"type": "photos.event", "payload": {...}}`."""

from __future__ import annotations

from typing import Any

from tokoblitar.realtime import push

PHOTOS_EVENT = "photos.event"


def product_photos_group(product_id: Any) -> str:
    return f"photos.product.{product_id}"


def push_enhance_event(product_id: Any, payload: dict) -> None:
    """Queue `payload` (`{"kind": "enhance", "job_id", "status", "progress", ...}`) for every
    dashboard page open on the product, after commit."""
    push(product_photos_group(product_id), payload, message_type=PHOTOS_EVENT)
