from django.urls import path

from catalog import api

app_name = "catalog_api"

urlpatterns = [
    path("seller/products", api.SellerProductListApi.as_view(), name="seller-products"),
    path("seller/products/<uuid:product_id>", api.SellerProductDetailApi.as_view(), name="seller-product"),
    path("seller/products/<uuid:product_id>/images", api.SellerProductImageApi.as_view(), name="seller-product-images"),
    path(
        "seller/products/<uuid:product_id>/images/<uuid:image_id>",
        api.SellerProductImageDetailApi.as_view(),
        name="seller-product-image",
    ),
    path("buyer/products", api.PublicProductSearchApi.as_view(), name="buyer-products"),
]
