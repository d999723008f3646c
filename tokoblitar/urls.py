from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from tokoblitar.media_views import media_serve

# JSON routes: each app owns its `api_urls` (paths exactly as in SPEC §4).
api_patterns = [
    path("", include("accounts.urls")),
    path("", include("stores.urls")),
    path("", include("catalog.urls")),
    path("", include("checkout.urls")),
    path("", include("promos.urls")),
    path("", include("shipping.urls")),
    path("", include("curation.urls")),
    path("", include("photos.urls")),
    path("", include("privacy.urls")),
    path("", include("instagram.urls")),
    path("", include("whatsapp.urls")),  # the seed's /api/session/*, /api/qr, /api/messages/send, /api/webhook
    path("", include("assistant.urls")),  # /api/ai/chat (SSE) and the panel's conversations
    path("", include("marketplace.urls")),  # /api/seller/marketplace/*, /api/webhooks/{shopee,lazada,tiktokshop}
    path("schema", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI from our static files; its start-up script is a separate URL (`?script`), so the
    # page runs under the Content-Security-Policy without inline scripts.
    path(
        "docs",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html"),
        name="api-docs",
    ),
]

urlpatterns = [
    path("api/", include(api_patterns)),
    path("django-admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("orders.page_urls")),  # /pay/<order_id>/ payment page
    path("dashboard/", include("dashboard.urls")),
    path("admin-panel/", include("curation.page_urls")),
    path("", include("storefront.urls")),
]

if not settings.R2_BUCKET:
    # Local media in every mode: the default single-machine setup has no separate file server.
    urlpatterns.append(re_path(r"^media/(?P<path>.*)$", media_serve))

handler400 = "tokoblitar.api.handlers.handler400"
handler403 = "tokoblitar.api.handlers.handler403"
handler404 = "tokoblitar.api.handlers.handler404"
handler500 = "tokoblitar.api.handlers.handler500"
