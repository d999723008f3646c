from __future__ import annotations

import io

from PIL import Image

from catalog.models import Category, Product
from catalog.services import product_create
from stores.models import Store


def category(slug: str = "makanan-minuman") -> Category:
    return Category.objects.get(slug=slug)


def catalog_product(store: Store, name: str = "Keripik Tempe Original", **kwargs) -> Product:
    kwargs.setdefault("price", 18000)
    kwargs.setdefault("weight_gram", 250)
    kwargs.setdefault("stock", 10)
    kwargs.setdefault("status", Product.Status.ACTIVE)
    return product_create(store=store, name=name, **kwargs)


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (60, 40), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (200, 80, 20) if mode == "RGB" else (200, 80, 20, 128)).save(out, format=fmt)
    return out.getvalue()
