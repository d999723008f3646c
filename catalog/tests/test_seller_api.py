import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from catalog.models import Product, ProductImage
from catalog.tests.factories import catalog_product, category, image_bytes

LIST = "/api/seller/products"


def detail(pk) -> str:
    return f"/api/seller/products/{pk}"


def payload(**overrides) -> dict:
    body = {
        "name": "Keripik Tempe Pedas",
        "description": "Renyah",
        "price": 20000,
        "stock": 12,
        "weight_gram": 250,
        "category_id": str(category().id),
        "status": "active",
    }
    body.update(overrides)
    return body


@pytest.mark.django_db
def test_create_and_answer_shape(seller_client, seller):
    res = seller_client.post(LIST, payload(), format="json")
    assert res.status_code == 201, res.json()
    data = res.json()["data"]
    assert set(data) == {
        "id",
        "store_id",
        "name",
        "slug",
        "description",
        "price",
        "stock",
        "weight_gram",
        "category_id",
        "status",
        "featured",
        "images",
        "created_at",
        "updated_at",
    }
    assert data["store_id"] == str(seller.store.id)
    assert data["slug"] == "keripik-tempe-pedas" and data["price"] == 20000 and data["images"] == []
    # The same name again gets its own slug.
    assert seller_client.post(LIST, payload(), format="json").json()["data"]["slug"] == "keripik-tempe-pedas-2"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"price": -1}, "price"),
        ({"price": 1.5}, "price"),
        ({"price": 20000.0}, "price"),
        ({"price": "20000"}, "price"),
        ({"price": True}, "price"),
        ({"price": None}, "price"),
        ({"stock": -3}, "stock"),
        ({"stock": "10"}, "stock"),
        ({"weight_gram": 0}, "weight_gram"),
        ({"category_id": str(uuid.uuid4())}, "category_id"),
        ({"category_id": "bukan-uuid"}, "category_id"),
        ({"status": "published"}, "status"),
        ({"name": ""}, "name"),
        ({"name": "  "}, "name"),
        ({"images": ["https://evil.example/a.jpg"]}, "images"),
        ({"images": [str(uuid.uuid4())]}, "images"),
    ],
)
def test_create_bad_input(seller_client, overrides, field):
    res = seller_client.post(LIST, payload(**overrides), format="json")
    assert res.status_code == 400, res.json()
    assert field in res.json()["meta"]["fields"]
    assert Product.objects.count() == 0


@pytest.mark.django_db
def test_create_missing_fields_and_malformed(seller_client):
    res = seller_client.post(LIST, {"description": "x"}, format="json")
    assert res.status_code == 400
    assert {"name", "price", "weight_gram"} <= set(res.json()["meta"]["fields"])
    res = seller_client.generic("POST", LIST, "{oops", content_type="application/json")
    assert res.status_code == 400
    assert Product.objects.count() == 0


@pytest.mark.django_db
def test_create_with_own_stored_images(seller_client, seller, other_seller):
    source = catalog_product(seller.store, name="Sumber")
    upload = SimpleUploadedFile("a.png", image_bytes(), content_type="image/png")
    image = seller_client.post(f"{detail(source.id)}/images", {"image": upload}, format="multipart").json()["data"]
    res = seller_client.post(LIST, payload(images=[image["id"], image["url"]]), format="json")
    assert res.status_code == 201, res.json()
    images = res.json()["data"]["images"]
    assert [i["position"] for i in images] == [0, 1] and images[0]["url"] == image["url"]
    # Another seller cannot borrow these images.
    from conftest import client_for

    res = client_for(other_seller).post(LIST, payload(images=[image["id"]]), format="json")
    assert res.status_code == 400


@pytest.mark.django_db
def test_list_filters_paging_and_meta(seller_client, seller, other_seller):
    for i in range(5):
        catalog_product(seller.store, name=f"Kopi Robusta {i}")
    catalog_product(seller.store, name="Batik Tulis", status="draft")
    gone = catalog_product(seller.store, name="Terhapus")
    seller_client.delete(detail(gone.id))
    catalog_product(other_seller.store, name="Kopi Orang Lain")

    res = seller_client.get(LIST, {"page": 1, "limit": 2})
    body = res.json()
    assert res.status_code == 200 and body["meta"] == {"page": 1, "limit": 2, "total": 6}
    assert len(body["data"]) == 2
    assert seller_client.get(LIST, {"status": "draft"}).json()["meta"]["total"] == 1
    assert seller_client.get(LIST, {"search": "kopi"}).json()["meta"]["total"] == 5
    assert seller_client.get(LIST, {"page": 9}).json()["data"] == []


@pytest.mark.django_db
@pytest.mark.parametrize("params", [{"status": "dijual"}, {"limit": 101}, {"limit": 0}, {"page": 0}, {"page": "x"}])
def test_list_bad_params(seller_client, params):
    assert seller_client.get(LIST, params).status_code == 400


@pytest.mark.django_db
def test_list_query_count_flat(seller_client, seller, django_assert_max_num_queries):
    catalog_product(seller.store, name="Satu")
    with django_assert_max_num_queries(6) as few:
        seller_client.get(LIST)
    for i in range(15):
        catalog_product(seller.store, name=f"Produk {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(seller_client.get(LIST).json()["data"]) == 16


@pytest.mark.django_db
def test_update_partial(seller_client, seller):
    product = catalog_product(seller.store, name="Wingko Babat")
    res = seller_client.put(detail(product.id), {"price": 30000, "status": "archived"}, format="json")
    assert res.status_code == 200, res.json()
    data = res.json()["data"]
    assert data["price"] == 30000 and data["status"] == "archived" and data["name"] == "Wingko Babat"
    res = seller_client.put(detail(product.id), {"name": "Wingko Durian"}, format="json")
    assert res.json()["data"]["slug"] == "wingko-durian"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {"price": -5},
        {"price": "mahal"},
        {"stock": -1},
        {"stock": 2.5},
        {"weight_gram": 0},
        {"status": "x"},
        {"category_id": str(uuid.uuid4())},
        {"name": ""},
    ],
)
def test_update_bad_input_changes_nothing(seller_client, seller, body):
    product = catalog_product(seller.store, name="Madu Hutan", price=95000, stock=4)
    res = seller_client.put(detail(product.id), body, format="json")
    assert res.status_code == 400
    product.refresh_from_db()
    assert (product.name, product.price, product.stock, product.status) == ("Madu Hutan", 95000, 4, "active")


@pytest.mark.django_db
def test_delete_soft_deletes(seller_client, seller):
    product = catalog_product(seller.store)
    res = seller_client.delete(detail(product.id))
    assert res.status_code == 200 and res.json()["data"] == {"id": str(product.id)}
    product.refresh_from_db()
    assert product.deleted_at is not None
    assert seller_client.put(detail(product.id), {"price": 1}, format="json").status_code == 404
    assert seller_client.delete(detail(product.id)).status_code == 404


@pytest.mark.django_db
def test_other_sellers_product_is_404(seller_client, other_seller):
    theirs = catalog_product(other_seller.store, price=5000)
    assert seller_client.put(detail(theirs.id), {"price": 1}, format="json").status_code == 404
    assert seller_client.delete(detail(theirs.id)).status_code == 404
    upload = SimpleUploadedFile("a.png", image_bytes(), content_type="image/png")
    assert seller_client.post(f"{detail(theirs.id)}/images", {"image": upload}, format="multipart").status_code == 404
    theirs.refresh_from_db()
    assert theirs.price == 5000 and theirs.deleted_at is None and theirs.images.count() == 0


@pytest.mark.django_db
def test_non_uuid_and_unknown_ids_404(seller_client):
    assert seller_client.put("/api/seller/products/123", {"price": 1}, format="json").status_code == 404
    assert seller_client.delete("/api/seller/products/not-a-uuid").status_code == 404
    res = seller_client.delete(detail(uuid.uuid4()))
    assert res.status_code == 404 and res.json()["error"]


@pytest.mark.django_db
def test_auth_and_roles_on_every_route(api_client, buyer_client, seller):
    product = catalog_product(seller.store)
    image_url = f"{detail(product.id)}/images"
    routes = [
        ("get", LIST),
        ("post", LIST),
        ("put", detail(product.id)),
        ("delete", detail(product.id)),
        ("post", image_url),
        ("delete", f"{image_url}/{uuid.uuid4()}"),
    ]
    for method, url in routes:
        assert getattr(api_client, method)(url).status_code == 401, url
        assert getattr(buyer_client, method)(url).status_code == 403, url
    product.refresh_from_db()
    assert product.deleted_at is None


@pytest.mark.django_db
@pytest.mark.parametrize("fmt, ctype", [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp")])
def test_upload_image_formats(seller_client, seller, fmt, ctype, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    product = catalog_product(seller.store)
    upload = SimpleUploadedFile(f"a.{fmt.lower()}", image_bytes(fmt), content_type=ctype)
    res = seller_client.post(f"{detail(product.id)}/images", {"image": upload}, format="multipart")
    assert res.status_code == 201, res.json()
    data = res.json()["data"]
    stored = ProductImage.objects.get(pk=data["id"])
    assert stored.image.name.endswith(".jpg") and data["position"] == 0
    from PIL import Image

    with Image.open(stored.image.path) as img:
        assert img.format == "JPEG" and img.size == (60, 40)


@pytest.mark.django_db
def test_upload_large_image_is_downscaled_and_alpha_flattened(seller_client, seller, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    product = catalog_product(seller.store)
    upload = SimpleUploadedFile("big.png", image_bytes("PNG", (3200, 1600), "RGBA"), content_type="image/png")
    res = seller_client.post(f"{detail(product.id)}/images", {"image": upload}, format="multipart")
    assert res.status_code == 201
    from PIL import Image

    with Image.open(ProductImage.objects.get().image.path) as img:
        assert img.size == (1600, 800) and img.mode == "RGB"


@pytest.mark.django_db
def test_upload_rejects_non_images_and_oversize(seller_client, seller, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    product = catalog_product(seller.store)
    url = f"{detail(product.id)}/images"
    fake = SimpleUploadedFile("x.jpg", b"\xff\xd8\xff not really a jpeg", content_type="image/jpeg")
    assert seller_client.post(url, {"image": fake}, format="multipart").status_code == 400
    gif = SimpleUploadedFile("x.gif", image_bytes("GIF"), content_type="image/gif")
    assert seller_client.post(url, {"image": gif}, format="multipart").status_code == 400
    assert seller_client.post(url, {}, format="multipart").status_code == 400
    assert seller_client.post(url, {"image": "x"}, format="json").status_code == 400
    with override_settings(MAX_IMAGE_UPLOAD_BYTES=100):
        big = SimpleUploadedFile("a.png", image_bytes("PNG", (300, 300)), content_type="image/png")
        res = seller_client.post(url, {"image": big}, format="multipart")
        assert res.status_code == 400 and "image" in res.json()["meta"]["fields"]
    assert ProductImage.objects.count() == 0
    assert not any(tmp_path.rglob("*.jpg"))


@pytest.mark.django_db
def test_delete_image(seller_client, other_seller_client, seller, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    product = catalog_product(seller.store)
    url = f"{detail(product.id)}/images"
    first = seller_client.post(url, {"image": SimpleUploadedFile("a.png", image_bytes())}, format="multipart")
    second = seller_client.post(url, {"image": SimpleUploadedFile("b.png", image_bytes())}, format="multipart")
    assert second.json()["data"]["position"] == 1
    image_id = first.json()["data"]["id"]
    path = ProductImage.objects.get(pk=image_id).image.path
    assert other_seller_client.delete(f"{url}/{image_id}").status_code == 404
    res = seller_client.delete(f"{url}/{image_id}")
    assert res.status_code == 200 and res.json()["data"] == {"id": image_id}
    assert not ProductImage.objects.filter(pk=image_id).exists()
    import os

    assert not os.path.exists(path)
    assert seller_client.delete(f"{url}/{image_id}").status_code == 404
