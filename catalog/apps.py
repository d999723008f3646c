from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Catalogue"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from catalog.search import configure_connection

        connection_created.connect(configure_connection, dispatch_uid="catalog_search_threshold")

        from django.db.models.signals import post_delete, post_save

        from catalog.listing_cache import listing_changed
        from catalog.models import Category, Product, ProductImage
        from stores.models import Store

        # Cache invalidation only (no business rules): public listings show edits at once.
        for model in (Product, ProductImage, Category, Store):
            post_save.connect(listing_changed, sender=model, dispatch_uid=f"listing_changed_save_{model.__name__}")
            post_delete.connect(listing_changed, sender=model, dispatch_uid=f"listing_changed_delete_{model.__name__}")
