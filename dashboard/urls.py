from django.urls import include, path

from dashboard import photo_views, views

app_name = "dashboard"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("produk/", views.products, name="products"),
    path("produk/baru/", views.product_new, name="product-new"),
    path("produk/<uuid:product_id>/", views.product_edit, name="product-edit"),
    path("produk/<uuid:product_id>/arsip/", views.product_archive, name="product-archive"),
    path(
        "produk/<uuid:product_id>/foto/<uuid:image_id>/hapus/", views.product_image_remove, name="product-image-delete"
    ),
    path(
        "produk/<uuid:product_id>/foto/<uuid:image_id>/perbaiki/",
        photo_views.product_photo_enhance,
        name="product-photo-enhance",
    ),
    path("produk/<uuid:product_id>/perbaiki-foto/", photo_views.product_enhance_panel, name="product-enhance-panel"),
    path(
        "perbaiki-foto/<uuid:job_id>/<str:action>/",
        photo_views.enhance_decide,
        name="enhance-decide",
    ),
    path("pesanan/", views.orders, name="orders"),
    path("pesanan/<uuid:order_id>/", views.order_detail, name="order"),
    path("pesanan/<uuid:order_id>/<str:action>/", views.order_action, name="order-action"),
    path("promo/", views.promos, name="promos"),
    path("promo/<uuid:promo_id>/", views.promo_edit, name="promo-edit"),
    path("promo/<uuid:promo_id>/hapus/", views.promo_remove, name="promo-delete"),
    path("toko/", views.store_settings, name="store"),
    path("toko/dibagikan/", views.store_link_shared, name="store-shared"),
    path("pengiriman/", views.shipping_settings, name="shipping"),
    path("integrasi/", views.integrations, name="integrations"),
    path("peringatan/", include("notifications.dashboard_urls")),
    path("instagram/", include("instagram.dashboard_urls")),
    path("whatsapp/", include("dashboard.whatsapp_urls")),
    path("marketplace/", include("dashboard.marketplace_urls")),
]
