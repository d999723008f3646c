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

        from pictures.signals import picture_processed

        from catalog.services import product_images_mark_rendered

        # The task worker drew an image's renditions: pages may use its srcset from now on.
        def renditions_done(*, file_name: str, new: list, **_: object) -> None:
            if new:
                product_images_mark_rendered(file_name=file_name)

        picture_processed.connect(
            renditions_done,
            sender=ProductImage._meta.get_field("image"),
            weak=False,
            dispatch_uid="catalog_renditions_done",
        )
