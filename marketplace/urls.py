from django.urls import path

from marketplace import api
from marketplace.webhook import LazadaWebhook, ShopeeWebhook, TikTokShopWebhook

app_name = "marketplace_api"

# The seed's paths exactly (SPEC §4/§10), mounted under /api/.
urlpatterns = [
    path("seller/marketplace/connect", api.MarketplaceConnectApi.as_view(), name="connect"),
    path("seller/marketplace/sync", api.MarketplaceSyncApi.as_view(), name="sync"),
    path("seller/marketplace/status", api.MarketplaceStatusApi.as_view(), name="status"),
    path("seller/marketplace/<str:platform>/disconnect", api.MarketplaceDisconnectApi.as_view(), name="disconnect"),
    path("seller/marketplace/<str:platform>", api.MarketplaceDisconnectApi.as_view(), name="connection"),
    path("webhooks/shopee", ShopeeWebhook.as_view(), name="webhook-shopee"),
    path("webhooks/lazada", LazadaWebhook.as_view(), name="webhook-lazada"),
    path("webhooks/tiktokshop", TikTokShopWebhook.as_view(), name="webhook-tiktokshop"),
]
