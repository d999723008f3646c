from django.urls import path

from curation import api

app_name = "curation_api"

urlpatterns = [
    path("admin/dashboard", api.DashboardApi.as_view(), name="dashboard"),
    path("admin/stores", api.StoreListApi.as_view(), name="stores"),
    path("admin/stores/<uuid:store_id>", api.StoreDetailApi.as_view(), name="store"),
    path("admin/stores/<uuid:store_id>/feature", api.StoreFeatureApi.as_view(), name="store-feature"),
    path("admin/stores/<uuid:store_id>/restore", api.StoreRestoreApi.as_view(), name="store-restore"),
    path("admin/products", api.ProductListApi.as_view(), name="products"),
    path("admin/products/<uuid:product_id>", api.ProductDetailApi.as_view(), name="product"),
    path("admin/products/<uuid:product_id>/feature", api.ProductFeatureApi.as_view(), name="product-feature"),
    path("admin/banners", api.BannerApi.as_view(), name="banners"),
    path("admin/banners/<uuid:banner_id>", api.BannerDetailApi.as_view(), name="banner"),
    path("admin/feature-flags/<uuid:store_id>", api.FeatureFlagsApi.as_view(), name="feature-flags"),
]
