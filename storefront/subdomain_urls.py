"""URLconf for `<slug>.<STORE_DOMAIN>` hosts: `/` is the store, everything else as on the main site."""

from django.urls import path

from storefront.views import subdomain_store_page
from tokoblitar.urls import handler400, handler403, handler404, handler500  # noqa: F401 - Django looks them up here
from tokoblitar.urls import urlpatterns as site_urlpatterns

urlpatterns = [
    path("", subdomain_store_page, name="subdomain-store"),
    *site_urlpatterns,
]
