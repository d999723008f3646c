"""Builders for page tests: stores with products and photos, orders in a given state."""

from __future__ import annotations

import io
import itertools

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import User
from catalog.models import Product
from catalog.services import product_create, product_image_add
from stores.models import Store

_seq = itertools.count(1)


def photo(name: str = "foto.png", color: tuple[int, int, int] = (200, 80, 20)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (120, 120), color).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def add_product(store: Store, *, name: str | None = None, with_photo: bool = True, **extra) -> Product:
    n = next(_seq)
    fields = {"price": 18_000, "weight_gram": 250, "stock": 10, "status": Product.Status.ACTIVE}
    fields.update(extra)
    product = product_create(store=store, name=name or f"Keripik Tempe Rasa {n}", **fields)
    if with_photo:
        product_image_add(product=product, upload=photo())
    return product


def seller_store(user: User) -> Store:
    return user.store
