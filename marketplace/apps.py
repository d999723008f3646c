from django.apps import AppConfig


class MarketplaceConfig(AppConfig):
    name = "marketplace"
    verbose_name = "Marketplace channels (Tokopedia via TikTok Shop, Shopee, Lazada)"

    def ready(self) -> None:
        from marketplace.subscribers import on_stock_changed
        from tokoblitar.events import subscribe

        # catalog and orders announce stock changes; we push them to the platforms (they never import us).
        subscribe("stock.changed", on_stock_changed)
