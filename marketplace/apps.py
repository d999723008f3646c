from django.apps import AppConfig


class MarketplaceConfig(AppConfig):
    name = "marketplace"
    verbose_name = "Marketplace channels (Tokopedia via TikTok Shop, Shopee, Lazada)"
