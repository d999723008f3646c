from django.urls import path

from curation import views

app_name = "curation"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("stores/", views.stores, name="stores"),
    path("stores/<uuid:store_id>/flags/", views.store_flags_page, name="store-flags"),
    path("stores/<uuid:store_id>/<slug:action>/", views.store_action, name="store-action"),
    path("products/", views.products, name="products"),
    path("products/<uuid:product_id>/<slug:action>/", views.product_action, name="product-action"),
    path("banners/", views.banners, name="banners"),
    path("banners/<uuid:banner_id>/", views.banner_edit, name="banner-edit"),
    path("banners/<uuid:banner_id>/delete/", views.banner_remove, name="banner-delete"),
    path("promos/", views.promos, name="promos"),
    path("promos/<uuid:promo_id>/<slug:action>/", views.promo_action, name="promo-action"),
    path("audit/", views.audit, name="audit"),
]
