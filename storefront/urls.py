from django.urls import path

from storefront import views

app_name = "storefront"

urlpatterns = [
    path("", views.home, name="home"),
    path("cari/", views.search, name="search"),
    path("store/<slug:slug>/", views.store_page, name="store"),
    path("p/<slug:store_slug>/<slug:product_slug>/", views.product_page, name="product"),
    path("keranjang/", views.cart, name="cart"),
    path("keranjang/tambah/", views.cart_add, name="cart-add"),
    path("keranjang/ubah/", views.cart_update, name="cart-update"),
    path("checkout/", views.checkout, name="checkout"),
    path("checkout/hitung/", views.checkout_quote, name="checkout-quote"),
    path("pesanan/", views.orders, name="orders"),
    path("pesanan/<uuid:order_id>/", views.order_detail, name="order"),
    path("pesanan/<uuid:order_id>/lacak/", views.order_tracking_fragment, name="order-tracking"),
    path("pesanan/<uuid:order_id>/diterima/", views.order_confirm_received, name="order-received"),
    path("pesanan/<uuid:order_id>/beli-lagi/", views.order_buy_again, name="order-buy-again"),
    path("pesanan/<uuid:order_id>/struk/", views.order_receipt, name="order-receipt"),
    path("pesanan/<uuid:order_id>/simulasi-kurir/", views.order_shipment_advance, name="order-advance"),
    path("akun/", views.profile, name="profile"),
    path("akun/alamat/<int:address_id>/hapus/", views.profile_address_delete, name="address-delete"),
    path("login/", views.login_page, name="login"),
    path("register/", views.register_page, name="register"),
    path("logout/", views.logout_page, name="logout"),
]
