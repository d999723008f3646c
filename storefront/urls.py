from django.urls import include, path

from storefront import account_views, views

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
    path("akun/profil/", account_views.profile_edit, name="profile-edit"),
    path("akun/kata-sandi/", account_views.password_change, name="password-change"),
    path("akun/data-saya/", account_views.data_export, name="data-export"),
    path("akun/hapus/", account_views.account_delete_page, name="account-delete"),
    path("akun/lupa-kata-sandi/", account_views.password_reset, name="password-reset"),
    path("akun/lupa-kata-sandi/terkirim/", account_views.password_reset_done, name="password-reset-done"),
    path("akun/reset/<uidb64>/<token>/", account_views.password_reset_confirm, name="password-reset-confirm"),
    path("akun/reset/selesai/", account_views.password_reset_complete, name="password-reset-complete"),
    path("login/", views.login_page, name="login"),
    path("register/", views.register_page, name="register"),
    path("logout/", views.logout_page, name="logout"),
    path("notifikasi/", include("notifications.urls")),
]
